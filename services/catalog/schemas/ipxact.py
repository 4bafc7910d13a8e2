"""What an IP-XACT import finds of a core's interface, as the core shows it: bus interfaces
(with their port maps), wire ports, and memory maps down to the fields of each register."""

from __future__ import annotations

from marshmallow import fields

from shared.bounds import Schema


class PortMapSchema(Schema):
    logical = fields.String(metadata={"description": "The bus definition's port."})
    physical = fields.String(metadata={"description": "The core's port."})


class BusInterfaceSchema(Schema):
    name = fields.String()
    bus_type = fields.String(allow_none=True, metadata={"description": "VLNV of the bus type."})
    abstraction_type = fields.String(allow_none=True)
    mode = fields.String(
        allow_none=True,
        metadata={
            "description": "The 1685-2022 interface mode (initiator, target, system, mirrored…, "
            "monitor), whatever the version imported."
        },
    )
    group = fields.String(metadata={"description": "The system group of a system interface."})
    monitors = fields.String(metadata={"description": "The mode a monitor interface watches."})
    standard = fields.String(allow_none=True)
    port_maps = fields.List(fields.Nested(PortMapSchema))


class PortSchema(Schema):
    name = fields.String()
    direction = fields.String(allow_none=True, metadata={"description": "in, out or inout."})
    left = fields.String(
        allow_none=True,
        metadata={"description": "The vector's left bound as written: a number or an expression."},
    )
    right = fields.String(allow_none=True)
    width = fields.Integer(
        allow_none=True,
        metadata={
            "description": "Bits, when the bounds are numbers; null when they are expressions."
        },
    )
    description = fields.String(allow_none=True)
    bus_interface = fields.String(
        allow_none=True,
        metadata={"description": "The bus interface whose port map names this port."},
    )


class RegisterFieldSchema(Schema):
    name = fields.String()
    description = fields.String(allow_none=True)
    bit_offset = fields.String(allow_none=True)
    bit_width = fields.String(allow_none=True)
    access = fields.String(allow_none=True)


class RegisterSchema(Schema):
    name = fields.String()
    description = fields.String(allow_none=True)
    address_offset = fields.String(allow_none=True, metadata={"description": "As written."})
    size = fields.String(allow_none=True)
    volatile = fields.String(allow_none=True)
    access = fields.String(allow_none=True)
    fields_ = fields.List(fields.Nested(RegisterFieldSchema), data_key="fields", attribute="fields")


class AddressBlockSchema(Schema):
    name = fields.String()
    description = fields.String(allow_none=True)
    base_address = fields.String(allow_none=True, metadata={"description": "As written."})
    range = fields.String(allow_none=True)
    width = fields.String(allow_none=True)
    usage = fields.String(allow_none=True)
    access = fields.String(allow_none=True)
    registers = fields.List(fields.Nested(RegisterSchema))


class MemoryMapSchema(Schema):
    name = fields.String()
    description = fields.String(allow_none=True)
    address_unit_bits = fields.String(allow_none=True)
    address_blocks = fields.List(fields.Nested(AddressBlockSchema))
