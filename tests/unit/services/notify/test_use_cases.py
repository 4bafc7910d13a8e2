"""Use cases on a fake session (a dictionary of rows by model and key): endpoints' secrets,
ownership, replays and preferences, and what recording a failed attempt decides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from services.notify import delivery_log, subscriptions, webhook_endpoints
from services.notify.delivery.jobs import Outcome
from services.notify.delivery.records import OutcomeRecorder
from services.notify.domain import signatures
from services.notify.domain.routing import NOTICE_TYPES
from services.notify.models import Delivery, Endpoint, Preference
from shared.errors import Conflict, Invalid, NotFound

NOW = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
SCHEDULE = (0.0, 10.0, 60.0)


class FakeSession:
    """What the use cases ask of a session: get, add; rows kept by (model, key)."""

    def __init__(self, *rows):
        self.rows = {}
        self.added = []
        for model, key, row in rows:
            self.rows[model, key] = row

    def get(self, model, key):
        return self.rows.get((model, key))

    def add(self, row):
        self.added.append(row)


def endpoint(**fields) -> SimpleNamespace:
    values = {
        "id": "ep-1",
        "organisation_id": "org-1",
        "url": "https://hooks.example/in",
        "schemes": ["v1"],
        "secret": signatures.new_secret(),
        "previous_secret": None,
        "previous_secret_expires_at": None,
        "signing_key": None,
        "disabled_at": None,
        "failing_since": None,
    }
    return SimpleNamespace(**{**values, **fields})


def delivery(**fields) -> SimpleNamespace:
    values = {
        "id": "d-1",
        "organisation_id": "org-1",
        "endpoint_id": "ep-1",
        "state": "failed",
        "attempts": 3,
        "next_attempt_at": NOW,
        "last_error": "HTTP 500",
    }
    return SimpleNamespace(**{**values, **fields})


def test_rotation_keeps_the_old_secret_for_a_day():
    found = endpoint()
    old = found.secret
    new = webhook_endpoints.rotate_secret(found, NOW)
    assert new != old and new.startswith(signatures.SECRET_PREFIX)
    assert found.previous_secret == old
    assert found.previous_secret_expires_at == NOW + timedelta(hours=24)
    assert webhook_endpoints.valid_secrets(found, NOW) == [new, old]
    assert webhook_endpoints.valid_secrets(found, NOW + timedelta(hours=25)) == [new]


def test_a_public_key_only_for_an_ed25519_endpoint():
    with pytest.raises(NotFound):
        webhook_endpoints.public_key(endpoint())
    key = signatures.new_signing_key()
    assert webhook_endpoints.public_key(
        endpoint(schemes=["v1a"], signing_key=key)
    ) == signatures.public_key_for(key)


def test_unknown_event_types_and_schemes_name_the_field():
    with pytest.raises(Invalid) as error:
        webhook_endpoints.check_event_types([NOTICE_TYPES[0], "ipmarket.nothing.v1"])
    assert error.value.field == "event_types.1"
    with pytest.raises(Invalid) as error:
        webhook_endpoints.check_schemes(["v1", "v1"])
    assert error.value.field == "schemes"


def test_an_endpoint_of_another_organisation_does_not_exist_for_the_caller():
    session = FakeSession((Endpoint, "ep-1", endpoint()))
    assert webhook_endpoints.endpoint_of(session, "org-1", "ep-1").id == "ep-1"
    assert webhook_endpoints.endpoint_of(session, None, "ep-1").id == "ep-1"  # an admin
    with pytest.raises(NotFound):
        webhook_endpoints.endpoint_of(session, "org-2", "ep-1")


def test_a_delivery_of_another_organisation_does_not_exist_for_the_caller():
    session = FakeSession((Delivery, "d-1", delivery()))
    with pytest.raises(NotFound, match="delivery d-1"):
        delivery_log.delivery_of(session, "org-2", "d-1")


def test_a_replayed_delivery_starts_again_now_with_its_message_id():
    found = delivery(endpoint_id=None, message_id="<m@x>")
    session = FakeSession((Delivery, "d-1", found))
    assert delivery_log.replay_delivery(session, "org-1", "d-1") is found
    assert (found.state, found.attempts, found.last_error) == ("pending", 0, None)
    assert found.message_id == "<m@x>"


def test_a_delivery_to_a_disabled_endpoint_is_not_replayed():
    found = delivery()
    session = FakeSession((Delivery, "d-1", found), (Endpoint, "ep-1", endpoint(disabled_at=NOW)))
    with pytest.raises(Conflict):
        delivery_log.replay_delivery(session, "org-1", "d-1")
    assert found.state == "failed"


def test_a_preference_is_added_then_changed():
    session = FakeSession()
    subscriptions.set_preference(session, "org-1", NOTICE_TYPES[0], email=False, webhook=True)
    [added] = session.added
    assert (added.email, added.webhook) == (False, True)
    session.rows[Preference, ("org-1", NOTICE_TYPES[0])] = added
    subscriptions.set_preference(session, "org-1", NOTICE_TYPES[0], email=True, webhook=False)
    assert (added.email, added.webhook) == (True, False) and len(session.added) == 1


def test_a_preference_for_an_unknown_event_type_is_not_found():
    with pytest.raises(NotFound):
        subscriptions.set_preference(
            FakeSession(), "org-1", "ipmarket.x.v1", email=True, webhook=True
        )


def test_a_watch_must_name_a_known_kind():
    with pytest.raises(Invalid) as error:
        subscriptions.watch(FakeSession(), "org-1", "planet", "x")
    assert error.value.field == "kind"


def recorder() -> OutcomeRecorder:
    return OutcomeRecorder(None, schedule=SCHEDULE, disable_after=timedelta(hours=24))


def failed(**fields) -> Outcome:
    return Outcome("d-1", NOW, False, **{"error": "HTTP 500", **fields})


def test_a_failed_attempt_is_retried_on_the_schedule():
    found, target = delivery(state="pending", attempts=0), endpoint()
    verdict = recorder()._move_on(FakeSession(), found, target, failed(), NOW)
    assert found.attempts == 1 and found.last_error == "HTTP 500"
    assert 8 <= (found.next_attempt_at - NOW).total_seconds() <= 12  # 10 s ± 20 %
    assert verdict.startswith("retry in ")
    assert target.failing_since == NOW  # the run of failures starts


def test_retry_after_replaces_the_schedule():
    found = delivery(state="pending", attempts=0)
    recorder()._move_on(FakeSession(), found, endpoint(), failed(retry_after=120.0), NOW)
    assert found.next_attempt_at == NOW + timedelta(seconds=120)


def test_when_the_schedule_is_used_up_the_delivery_fails():
    found = delivery(state="pending", attempts=len(SCHEDULE) - 1)
    assert (
        recorder()._move_on(FakeSession(), found, None, failed(), NOW) == "failed: retries used up"
    )
    assert found.state == "failed"


def test_a_delivery_whose_endpoint_was_disabled_meanwhile_stays_failed():
    found = delivery(state="failed", attempts=0)
    assert (
        recorder()._move_on(FakeSession(), found, None, failed(), NOW)
        == "failed: endpoint disabled"
    )


def test_an_email_failure_without_error_text_says_failed():
    found = delivery(state="pending", attempts=0, endpoint_id=None)
    recorder()._move_on(FakeSession(), found, None, failed(error=None), NOW)
    assert found.last_error == "failed"
