"""The portal's way to the deliverables service's public HTTP API (see service_api), always with the
signed-in person's access token."""

from __future__ import annotations

from services.portal.service_api import ServiceApi


class DeliverablesApi(ServiceApi):
    pass
