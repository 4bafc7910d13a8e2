"""Signing in (/v1/sessions): e-mail and password, then a second-factor code where the person
has one; refreshing a session's access token. A refusal never tells whether an address has an
account; repeated failures are answered 429 with Retry-After."""

from __future__ import annotations

from flask import request

from services.catalog import sessions, sign_in
from services.catalog.domain.access_tokens import LIFETIME
from services.catalog.schemas.people import (
    RefreshSchema,
    SecondFactorSchema,
    SecondFactorSecretSchema,
    SecondFactorSetupSchema,
    SignedInWithRecoveryCodesSchema,
    SignInResultSchema,
    SignInSchema,
)
from shared.errors import NotAuthenticated
from shared.http.api_docs import Blueprint, problems
from shared.http.context import service_context
from shared.http.problems import problem

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
            client_address=_client(),
            user_agent=request.user_agent.string,
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
            client_address=_client(),
            user_agent=request.user_agent.string,
        )
    )


@blp.post("/second-factor/setup")
@blp.arguments(SecondFactorSetupSchema)
@blp.response(201, SecondFactorSecretSchema)
@problems(401)
def set_up_second_factor(body):
    """A new TOTP secret for someone who must have a second factor and has none yet (the
    answer to signing in said second_factor_setup_needed)."""
    with service_context().unit_of_work() as uow:
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
    with service_context().unit_of_work() as uow:
        signed_in, codes = sign_in.confirm_second_factor(
            uow,
            body["second_factor_token"],
            body["code"],
            client_address=_client(),
            user_agent=request.user_agent.string,
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
    with service_context().unit_of_work() as uow:
        signed_in = sessions.refresh(uow, body["refresh_token"])
        uow.commit()
        return _result(signed_in)


def _signing_in(step):
    with service_context().unit_of_work() as uow:
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
    return {
        "status": "signed_in",
        "session_id": signed_in.session.id,
        "access_token": signed_in.access_token,
        "refresh_token": signed_in.refresh_token,
        "access_token_expires_at": signed_in.session.last_seen_at + LIFETIME,
    }


def _client() -> str:
    return request.remote_addr or "unknown"
