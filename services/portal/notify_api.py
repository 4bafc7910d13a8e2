"""The portal's way to the notify service's public HTTP API (see service_api), always with the
signed-in person's access token."""

from __future__ import annotations

from services.portal.service_api import ServiceApi


class NotifyApi(ServiceApi):
    pass
