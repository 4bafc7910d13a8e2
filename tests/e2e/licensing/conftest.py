"""The licensing fixtures of the integration tier (app, client, market, secrets), for the
journeys and process tests here."""

from tests.integration.licensing.conftest import (  # noqa: F401 - fixtures, used by name
    app,
    client,
    market,
    provider_secret,
    signing_secret,
)
