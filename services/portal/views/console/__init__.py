"""The operator console: the platform's export reviewers and operators at work (issue 16).
Every page asks the services with the person's own access token, so a service refuses what
the person may not do whatever the portal shows; the portal only keeps people without a
platform role out of pages that are not for them."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("console", __name__, url_prefix="/console")

from services.portal.service_api import ApiProblem  # noqa: E402
from services.portal.views.console import (  # noqa: E402,F401 - their routes join bp
    directory,
    people,
    review,
    rule_sets,
)
from services.portal.views.console.access import service_refused  # noqa: E402

bp.register_error_handler(ApiProblem, service_refused)
