"""Storefront pages as a visitor who is not signed in sees them, kept by everything they show.

Most of the storefront's pages go to visitors, and for them a search page or a core page is a
function of the page's address, its language (and time zone), the visitor's comparison count
and the catalog's answers. Rendering the page around the kept parts (rendered_fragments.py) was
still a quarter of a page's portal CPU (bench/portal.py). So the whole page is kept, rendered
once with a stand-in where a visitor's CSRF token goes; each visitor gets their own token put
in its place. The catalog is still asked for every page, and its answers' bytes are in the key:
nothing kept is ever stale. A signed-in person's pages name them, and are rendered each time.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable

from flask import request, session
from flask_babel import get_timezone
from flask_wtf.csrf import generate_csrf

from services.portal.page_translations import locale_name
from services.portal.rendered_fragments import RenderedFragments
from services.portal.signed_in import person

# Random per process, so that no page, answer or search can hold it.
CSRF_STAND_IN = f"csrf-stand-in-{secrets.token_hex(16)}"


class VisitorPages:
    def __init__(self, capacity: int):
        self._pages = RenderedFragments(capacity)

    def page(self, key: Hashable, render: Callable[..., str]) -> str:
        """`render(csrf_token=…)`'s page: for a visitor, as kept for `key` and the address,
        language, time zone and comparison it is asked with, with this visitor's own token."""
        if person() is not None:
            return render()
        asked = (request.full_path, locale_name(), str(get_timezone()), _shown_to(session))
        kept = self._pages.get((key, asked), lambda: render(csrf_token=lambda: CSRF_STAND_IN))
        return str(kept).replace(CSRF_STAND_IN, generate_csrf())


def _shown_to(visitor) -> tuple:
    """What the page shows of the visitor: the number of cores they compare."""
    return (len(visitor.get("compare") or ()),)
