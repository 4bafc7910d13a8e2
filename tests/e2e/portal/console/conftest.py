"""The console's browser tests use the whole marketplace of tests/e2e/portal/conftest.py and
the storefront tests' page fixture."""

from tests.e2e.portal.test_storefront import open_page  # noqa: F401 - the fixture
