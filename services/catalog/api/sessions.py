"""Signing in (/v1/sessions): e-mail and password, then a second-factor code or passkey where
the person has one, or a passkey alone; refreshing a session's access token; resetting a
forgotten password by e-mail. A refusal never tells whether an address has an account; repeated
failures are answered 429 with Retry-After. The browser keeps a device cookie (DEVICE_COOKIE)
so that a sign-in from a new one is told to the person (known_devices.py)."""

from __future__ import annotations

from flask import after_this_request, current_app, request

from services.catalog import passkeys, password_reset, sessions, sign_in
from services.catalog.api.common import event_actor
from services.catalog.domain.access_tokens import LIFETIME
from services.catalog.schemas.account_security import (
    PasskeyCeremonySchema,
    PasskeyCredentialSchema,
    PasskeyOptionsRequestSchema,
    PasswordResetDoneSchema,
    PasswordResetRequestedSchema,
    PasswordResetRequestSchema,
    PasswordResetSchema,
)
from services.catalog.schemas.people import (
    RefreshSchema,
    SecondFactorSchema,
    SecondFactorSecretSchema,
    SecondFactorSetupSchema,
    SignedInWithRecoveryCodesSchema,
    SignInResultSchema,
    SignInSchema,
)
from shared import config
from shared.db.schema import utcnow
from shared.errors import NotAuthenticated
from shared.http.api_docs import Blueprint, problems
from shared.http.context import service_context
from shared.http.problems import problem

DEVICE_COOKIE = "ipmarket_device"
DEVICE_COOKIE_SECONDS = 400 * 24 * 3600  # the longest browsers keep a cookie (RFC 6265bis)

blp = Blueprint(
    "sessions",
    __name__,
    url_prefix="/v1/sessions",
    description="Signing in: sessions of people, their access and refresh tokens.",
)


@blp.post("")
@blp.arguments(SignInSchema)
@blp.response(201, SignInResultSchema)
@problems(401, 429)
def create_session(body):
    """Sign in with e-mail and password. With a second factor set up, the answer asks for a
    code (status second_factor_needed) instead of opening the session."""
    return _signing_in(
        lambda uow: sign_in.sign_in(
            uow,
            body["email"],
            body["password"],
            **_client(),
        )
    )


@blp.post("/second-factor")
@blp.arguments(SecondFactorSchema)
@blp.response(201, SignInResultSchema)
@problems(401, 429)
def complete_session(body):
    """The second step of signing in: a code from the authenticator app or a recovery code."""
    return _signing_in(
        lambda uow: sign_in.complete_sign_in(
            uow,
            body["second_factor_token"],
            body["code"],
            **_client(),
        )
    )


@blp.post("/second-factor/setup")
@blp.arguments(SecondFactorSetupSchema)
@blp.response(201, SecondFactorSecretSchema)
@problems(401)
def set_up_second_factor(body):
    """A new TOTP secret for someone who must have a second factor and has none yet (the
    answer to signing in said second_factor_setup_needed)."""
    with service_context().unit_of_work(event_actor("sessions.set_up_second_factor")) as uow:
        uri = sign_in.set_up_second_factor(uow, body["second_factor_token"])
        uow.commit()
        return {"otpauth_uri": uri}


@blp.post("/second-factor/confirm")
@blp.arguments(SecondFactorSchema)
@blp.response(201, SignedInWithRecoveryCodesSchema)
@problems(401)
def confirm_second_factor(body):
    """The first code from the authenticator: the second factor is in force, the session
    opens, and the recovery codes are shown (once)."""
    with service_context().unit_of_work(event_actor("sessions.confirm_second_factor")) as uow:
        signed_in, codes = sign_in.confirm_second_factor(
            uow,
            body["second_factor_token"],
            body["code"],
            **_client(),
        )
        uow.commit()
        return _result(signed_in) | {"recovery_codes": codes}


@blp.post("/refresh")
@blp.arguments(RefreshSchema)
@blp.response(200, SignInResultSchema)
@problems(401)
def refresh_session(body):
    """New access and refresh tokens for a live session (the refresh token sent stops
    working)."""
    with service_context().unit_of_work(event_actor("sessions.refresh_session")) as uow:
        signed_in = sessions.refresh(uow, body["refresh_token"])
        uow.commit()
        return _result(signed_in)


@blp.post("/passkey/options")
@blp.arguments(PasskeyOptionsRequestSchema)
@blp.response(201, PasskeyCeremonySchema)
@problems(401)
def passkey_options(body):
    """Start signing in with a passkey: alone, or (with the token a right password gave) as the
    second factor. The options go to navigator.credentials.get()."""
    with service_context().unit_of_work(event_actor("sessions.passkey_options")) as uow:
        ceremony = passkeys.authentication_options(
            uow, relying_party(), body["second_factor_token"], clock=_now
        )
        uow.commit()
        return {"ceremony_id": ceremony.ceremony_id, "options": ceremony.options}


@blp.post("/passkey")
@blp.arguments(PasskeyCredentialSchema)
@blp.response(201, SignInResultSchema)
@problems(401, 429)
def passkey_session(body):
    """Sign in with the passkey's answer to the options of `ceremony_id`."""
    return _signing_in(
        lambda uow: passkeys.sign_in_with_passkey(
            uow, body["ceremony_id"], body["credential"], relying_party(), **_client()
        )
    )


@blp.post("/password-reset")
@blp.arguments(PasswordResetRequestSchema)
@blp.response(202, PasswordResetRequestedSchema)
def request_password_reset(body):
    """Forgot the password: a link to set a new one is e-mailed if the address has an account
    (the answer is the same whether it has or not). The link works once, for an hour."""
    with service_context().unit_of_work(event_actor("sessions.request_password_reset")) as uow:
        password_reset.request_password_reset(uow, body["email"], clock=_now)
        uow.commit()
    return {"status": "requested"}


@blp.post("/password-reset/complete")
@blp.arguments(PasswordResetSchema)
@blp.response(200, PasswordResetDoneSchema)
def complete_password_reset(body):
    """Set a new password with the e-mailed link's token; every session of the person ends."""
    with service_context().unit_of_work(event_actor("sessions.complete_password_reset")) as uow:
        person = password_reset.reset_password(uow, body["token"], body["password"], clock=_now)
        uow.commit()
    return {"person_id": person.id, "sessions_ended": True}


def relying_party() -> passkeys.RelyingParty:
    return passkeys.RelyingParty(config.get("IPMARKET_PORTAL_URL"))


def _signing_in(step):
    with service_context().unit_of_work(event_actor("sessions.signing_in")) as uow:
        try:
            outcome = step(uow)
        except NotAuthenticated:
            uow.commit()  # the failure counts toward the throttle
            raise
        except sign_in.Throttled as throttled:
            return problem(
                429,
                throttled.title,
                throttled.detail,
                headers={"Retry-After": str(throttled.retry_after)},
                retry_after=throttled.retry_after,
            )
        uow.commit()
    if isinstance(outcome, sign_in.SecondFactorNeeded):
        return {
            "status": "second_factor_setup_needed" if outcome.setup else "second_factor_needed",
            "second_factor_token": outcome.second_factor_token,
        }
    return _result(outcome)


def _result(signed_in: sessions.SignedIn) -> dict:
    if signed_in.device_id:
        _keep_device(signed_in.device_id)
    return {
        "status": "signed_in",
        "session_id": signed_in.session.id,
        "access_token": signed_in.access_token,
        "refresh_token": signed_in.refresh_token,
        "access_token_expires_at": signed_in.session.last_seen_at + LIFETIME,
    }


def _client() -> dict:
    """Where a sign-in comes from: address, browser, the device cookie; and the clock."""
    return {
        "client_address": request.remote_addr or "unknown",
        "user_agent": request.user_agent.string,
        "device_id": request.cookies.get(DEVICE_COOKIE),
        "clock": _now,
    }


def _now():
    """The app's clock: CLOCK in its config (a test's), else the time."""
    return current_app.config.get("CLOCK", utcnow)()


def _keep_device(device_id: str) -> None:
    @after_this_request
    def set_cookie(response):
        response.set_cookie(
            DEVICE_COOKIE,
            device_id,
            max_age=DEVICE_COOKIE_SECONDS,
            path="/v1/sessions",
            secure=request.is_secure,
            httponly=True,
            samesite="Strict",
        )
        return response
