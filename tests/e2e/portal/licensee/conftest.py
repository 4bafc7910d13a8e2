"""The licensee's browser tests: pages opened in new contexts, checked for CSP violations and
script errors when the test ends."""

from __future__ import annotations

import pytest

from tests.e2e.portal.pages import close_all, page_opener


@pytest.fixture
def open_page(browser):
    contexts = []
    yield page_opener(browser, contexts)
    close_all(contexts)
