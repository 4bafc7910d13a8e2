"""Reading the parts of an IP-XACT component that every version of the standard spells a little
differently: wire ports, memory maps (address blocks, registers, fields), file sets and
parameters. Values are kept as the vendor wrote them (numbers or expressions alike); only the
spellings that differ between versions are made one. Used by ipxact_import.parse_component."""

from __future__ import annotations

import xml.etree.ElementTree as ET


class Finder:
    def __init__(self, ns: str):
        self.ns = ns

    def q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def text(self, element: ET.Element, name: str) -> str | None:
        value = element.findtext(self.q(name))
        return value.strip() if value else None

    def attribute(self, element: ET.Element, name: str) -> str | None:
        # 1685-2009 and earlier qualify the attributes (spirit:vendor); 2014 and later do not.
        return element.get(self.q(name)) or element.get(name)


def local(element: ET.Element) -> str:
    return element.tag.split("}", 1)[-1]


def port(find: Finder, port: ET.Element, bus_of: dict[str, str]) -> dict | None:
    """A wire port: name, direction, its bounds as written (numbers or expressions), the width
    when the bounds are numbers, and the bus interface that maps it."""
    wire = port.find(find.q("wire"))
    if wire is None:
        return None  # transactional ports carry no wires a licensee routes
    # 2014 and later wrap the vector in <vectors>; 1685-2009 and earlier do not.
    vector = wire.find(f"{find.q('vectors')}/{find.q('vector')}")
    if vector is None:
        vector = wire.find(find.q("vector"))
    left = find.text(vector, "left") if vector is not None else None
    right = find.text(vector, "right") if vector is not None else None
    name = find.text(port, "name")
    return {
        "name": name,
        "direction": find.text(wire, "direction"),
        "left": left,
        "right": right,
        "width": _width(left, right),
        "description": find.text(port, "description"),
        "bus_interface": bus_of.get(name),
    }


def _width(left: str | None, right: str | None) -> int | None:
    if left is None and right is None:
        return 1
    try:
        return abs(int(left, 0) - int(right, 0)) + 1
    except (TypeError, ValueError):
        return None  # an expression of parameters: the width depends on the configuration


def memory_map(find: Finder, memory_map: ET.Element) -> dict:
    return {
        "name": find.text(memory_map, "name"),
        "description": find.text(memory_map, "description"),
        "address_unit_bits": find.text(memory_map, "addressUnitBits"),
        "address_blocks": [
            _address_block(find, block) for block in memory_map.iterfind(find.q("addressBlock"))
        ],
    }


def _address_block(find: Finder, block: ET.Element) -> dict:
    return {
        "name": find.text(block, "name"),
        "description": find.text(block, "description"),
        "base_address": find.text(block, "baseAddress"),
        "range": find.text(block, "range"),
        "width": find.text(block, "width"),
        "usage": find.text(block, "usage"),
        "access": _access(find, block, "accessPolicies", "accessPolicy"),
        "registers": [_register(find, register) for register in block.iterfind(find.q("register"))],
    }


def _register(find: Finder, register: ET.Element) -> dict:
    return {
        "name": find.text(register, "name"),
        "description": find.text(register, "description"),
        "address_offset": find.text(register, "addressOffset"),
        "size": find.text(register, "size"),
        "volatile": find.text(register, "volatile"),
        "access": _access(find, register, "accessPolicies", "accessPolicy"),
        "fields": [
            {
                "name": find.text(field, "name"),
                "description": find.text(field, "description"),
                "bit_offset": find.text(field, "bitOffset"),
                "bit_width": find.text(field, "bitWidth"),
                "access": _access(find, field, "fieldAccessPolicies", "fieldAccessPolicy"),
            }
            for field in register.iterfind(find.q("field"))
        ],
    }


def _access(find: Finder, element: ET.Element, policies: str, policy: str) -> str | None:
    # Up to 1685-2014 <access> is a child; 1685-2022 moved it into access policies.
    return find.text(element, "access") or next(
        (
            find.text(p, "access")
            for p in element.iterfind(f"{find.q(policies)}/{find.q(policy)}")
            if find.text(p, "access")
        ),
        None,
    )


def file_set(find: Finder, file_set: ET.Element) -> dict:
    files = []
    for file in file_set.iterfind(find.q("file")):
        # userFileType (up to 2009) and fileType="user" with a user attribute (2014 and later)
        # are the same thing: the user's own type, kept by its name.
        types = [
            (t.get("user") or t.text).strip()
            if local(t) == "fileType" and (t.text or "").strip() == "user"
            else (t.text or "").strip()
            for t in file
            if local(t) in {"fileType", "userFileType"} and (t.text or "").strip()
        ]
        files.append({"name": find.text(file, "name"), "file_types": types})
    return {"name": find.text(file_set, "name"), "files": files}


def parameter(find: Finder, parameter: ET.Element) -> dict:
    # The id (1685-2014 and later) is what expressions elsewhere refer to, e.g. a port's bounds.
    return {
        "name": find.text(parameter, "name"),
        "value": find.text(parameter, "value"),
        "display_name": find.text(parameter, "displayName"),
        "id": parameter.get("parameterId"),
    }
