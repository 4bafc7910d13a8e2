"""What the command line of every service shares (below the services, so that their commands.py
need not import ipmarket): the settings check, and the checked values. Each value is a click
parameter type, so a bad value stops the command before it reads or writes anything, with
click's one line naming the option ("Error: Invalid value for '--country': …") and exit
status 2."""

from __future__ import annotations

import functools
import os
from zoneinfo import available_timezones

import click

from shared import config


def checked_settings() -> None:
    """Every setting checked before a command reads or writes anything: one line and exit 1."""
    try:
        config.check_all()
    except config.ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, which a container or `taskset`
    narrows), else every core of the machine."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Country(click.ParamType):
    name = "country"

    def convert(self, value, param, ctx):
        from shared.countries import checked_country
        from shared.errors import Invalid

        try:
            return checked_country(value)
        except Invalid as exc:
            self.fail(exc.detail, param, ctx)


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


class TimeZone(click.ParamType):
    name = "time zone"

    def convert(self, value, param, ctx):
        if value not in _time_zones():
            self.fail(f"{value!r} is not an IANA time zone such as Asia/Shanghai", param, ctx)
        return value


class Email(click.ParamType):
    name = "e-mail"

    def convert(self, value, param, ctx):
        from marshmallow import ValidationError, validate

        try:  # the check the HTTP API makes of a contact's e-mail
            return validate.Email(error="{input!r} is not an e-mail address")(value)
        except ValidationError as exc:
            self.fail(exc.messages[0], param, ctx)


class Text(click.ParamType):
    """A non-blank string of at most `max_length` characters."""

    name = "text"

    def __init__(self, max_length: int):
        self.max_length = max_length

    def convert(self, value, param, ctx):
        if not value.strip():
            self.fail("must not be blank", param, ctx)
        if len(value) > self.max_length:
            self.fail(f"must be at most {self.max_length} characters", param, ctx)
        return value


class HostPort(click.ParamType):
    """HOST:PORT with a port from 1 to 65535 (an IPv6 host in brackets: [::1]:8001)."""

    name = "host:port"

    def convert(self, value, param, ctx):
        host, colon, port = value.rpartition(":")
        if not colon or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
            self.fail(f"{value!r} is not HOST:PORT (e.g. 127.0.0.1:8001)", param, ctx)
        return value


class CoreVersion(click.ParamType):
    """VENDOR:LIBRARY:NAME:VERSION, the VLNV of one core version."""

    name = "vlnv"

    def convert(self, value, param, ctx):
        parts = value.split(":")
        if len(parts) != 4 or not all(part.strip() for part in parts):
            self.fail(f"{value!r} is not VENDOR:LIBRARY:NAME:VERSION", param, ctx)
        return value
