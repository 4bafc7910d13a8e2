"""/v1/people/me: the signed-in person's own account — who they are and their memberships, their
open sessions, ending one or all the others, an authenticator app as second factor. People
only: an API key has no account (403)."""

from __future__ import annotations

from services.catalog import account
from services.catalog.api.common import event_actor
from services.catalog.schemas.account import (
    AccountSchema,
    AccountSessionPageSchema,
    AccountSettingsSchema,
    RecoveryCodesSchema,
    SecondFactorCodeSchema,
    SessionsEndedSchema,
)
from services.catalog.schemas.people import SecondFactorSecretSchema
from shared.http.api_docs import Blueprint, problems
from shared.http.auth import current_principal, requires
from shared.http.context import service_context

blp = Blueprint(
    "account",
    __name__,
    url_prefix="/v1/people/me",
    description="The signed-in person's own account: who they are, their sessions.",
)


@blp.get("")
@requires(people_only=True)
@blp.response(200, AccountSchema)
@problems(401, 403)
def who_am_i():
    """Who is signed in: name, e-mail, own language and time zone, platform roles, and each
    organisation they are a member of with their roles in it."""
    with service_context().unit_of_work(event_actor("account.who_am_i")) as uow:
        return account.account(uow, current_principal().person_id)


@blp.patch("")
@requires(people_only=True)
@blp.arguments(AccountSettingsSchema)
@blp.response(200, AccountSchema)
@problems(401, 403, 422)
def change_settings(body):
    """Set your own language (en, zh-Hans, zh-Hant) and time zone (IANA), or null for your
    organisation's: messages to you are written in them from now on."""
    with service_context().unit_of_work(event_actor("account.change_settings")) as uow:
        changed = account.change_settings(uow, current_principal().person_id, body)
        uow.commit()
        return changed


@blp.get("/sessions")
@requires(people_only=True)
@blp.response(200, AccountSessionPageSchema)
@problems(401, 403)
def list_sessions():
    """The person's open sessions (browsers and devices signed in), the current one marked."""
    principal = current_principal()
    with service_context().unit_of_work(event_actor("account.list_sessions")) as uow:
        items = account.open_sessions(uow, principal.person_id, principal.session_id)
        return {"items": items, "next": None}


@blp.delete("/sessions/<id:session_id>")
@requires(people_only=True)
@blp.response(200, SessionsEndedSchema)
@problems(401, 403, 404)
def end_session(session_id: str):
    """End one session: its access tokens stop working on every service within seconds."""
    with service_context().unit_of_work(event_actor("account.end_session")) as uow:
        ended = account.end_session(uow, current_principal().person_id, session_id)
        uow.commit()
        return {"ended": ended}


@blp.post("/sessions/end-others")
@requires(people_only=True)
@blp.response(200, SessionsEndedSchema)
@problems(401, 403)
def end_other_sessions():
    """Sign out everywhere else: every session but the one this request is signed in with."""
    principal = current_principal()
    with service_context().unit_of_work(event_actor("account.end_other_sessions")) as uow:
        ended = account.end_other_sessions(uow, principal.person_id, principal.session_id)
        uow.commit()
        return {"ended": ended}


@blp.post("/second-factor")
@requires(people_only=True)
@blp.response(201, SecondFactorSecretSchema)
@problems(401, 403, 409)
def start_second_factor():
    """Set up an authenticator app (TOTP): a new secret, in force once a code confirms it."""
    with service_context().unit_of_work(event_actor("account.start_second_factor")) as uow:
        uri = account.start_second_factor(uow, current_principal().person_id)
        uow.commit()
        return {"otpauth_uri": uri}


@blp.post("/second-factor/confirm")
@requires(people_only=True)
@blp.arguments(SecondFactorCodeSchema)
@blp.response(200, RecoveryCodesSchema)
@problems(401, 403, 422)
def confirm_second_factor(body):
    """The authenticator's first code: the app is in force from the next sign-in; the ten
    recovery codes are shown once."""
    with service_context().unit_of_work(event_actor("account.confirm_second_factor")) as uow:
        codes = account.confirm_second_factor(uow, current_principal().person_id, body["code"])
        uow.commit()
        return {"recovery_codes": codes}
