"""The notify journeys use the integration tier's real parts: the SMTP server, the webhook
receiver, the service's context and the directory filled by its own handlers."""

from tests.integration.notify.conftest import (  # noqa: F401 - fixtures, found by name
    handle,
    notify_context,
    organisation,
    receiver,
    smtp_server,
)
