"""/v1/preferences and /v1/watches: what an organisation wants to hear, and by which channel."""

from __future__ import annotations

from flask.views import MethodView

from services.notify import subscriptions
from services.notify.api.access import own_organisation
from services.notify.listing import whole
from services.notify.schemas import PreferenceIn, PreferencesOut, WatchIn, WatchOut, WatchPage
from shared.http.api_docs import Blueprint, problems
from shared.http.auth import requires
from shared.http.context import service_context

blp = Blueprint(
    "subscriptions",
    __name__,
    url_prefix="/v1",
    description="Preferences (channels per event type) and watches.",
)


@blp.route("/preferences")
@requires(action="notices.read_preferences")
@blp.response(200, PreferencesOut)
def preferences():
    """Per event type: whether the organisation gets it by e-mail and by webhook."""
    with service_context().session_factory() as session:
        return subscriptions.preferences_of(session, own_organisation())


@blp.route("/preferences/<event_type>", methods=["PUT"])
@requires(action="notices.preferences")
@blp.arguments(PreferenceIn)
@blp.response(200, PreferenceIn)
@problems(404)
def set_preference(body, event_type):
    with service_context().session_factory() as session, session.begin():
        subscriptions.set_preference(session, own_organisation(), event_type, **body)
    return body


@blp.route("/watches")
class Watches(MethodView):
    @requires("licensee", action="watches.change")
    @blp.arguments(WatchIn)
    @blp.response(201, WatchOut)
    @problems(409)
    def post(self, body):
        """Follow a core (every version of it) or a vendor."""
        with service_context().session_factory() as session, session.begin():
            return subscriptions.watch(session, own_organisation(), **body)

    @requires("licensee", action="watches.read")
    @blp.response(200, WatchPage)
    def get(self):
        """The organisation's watches, oldest first, in one page."""
        with service_context().session_factory() as session:
            return whole(subscriptions.watches_of(session, own_organisation()))


@blp.route("/watches/<watch_id>", methods=["DELETE"])
@requires("licensee", action="watches.change")
@blp.response(204)
@problems(404)
def unwatch(watch_id):
    with service_context().session_factory() as session, session.begin():
        subscriptions.unwatch(session, own_organisation(), watch_id)
