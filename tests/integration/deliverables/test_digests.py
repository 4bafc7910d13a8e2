"""The vendors' daily download digests: the deliverables scheduler, with an injected clock,
publishes one ipmarket.deliverables.daily_digest.v1 per vendor and UTC day that had downloads,
summarised and bounded, once however many schedulers tick, restart or race."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from pyrage import x25519

from services.deliverables import digests
from services.deliverables.scheduler import DeliverablesScheduler
from shared.db.schema import new_id
from shared.events import deliverables as events
from tests.integration.deliverables.test_downloads import download, license_event, register
from tests.integration.deliverables.test_uploads import upload_whole

pytestmark = pytest.mark.parametrize("backend", ["directory"])  # (the store is not what is tested)
DIGEST = events.DELIVERABLES_DAILY_DIGEST
DAY = datetime(2026, 11, 30, tzinfo=UTC)


@pytest.fixture
def downloaded(client, market):
    """Two licensees of one vendor download on 30 November (UTC): the first file four times
    from two addresses, the second once; a third download falls on 1 December."""
    vendor = market.organisation("Pearl River Silicon", ["vendor"])
    other_vendor = market.organisation("Other Vendor", ["vendor"])
    core_id = market.core(vendor)
    ids = [
        upload_whole(client, vendor, core_id, b"x" * n, kind="netlist", file_name=f"f{n}.v").json[
            "deliverable_id"
        ]
        for n in (10, 20)
    ]
    licensees = []
    for name in ("Design House", "Fab Lab"):
        licensee = market.organisation(name, ["licensee"])
        license_event(market, "issued", new_id(), vendor, licensee, core_id)
        register(client, licensee, x25519.Identity.generate())
        licensees.append(licensee)
    first, second = licensees
    times = []
    for party, deliverable_id, address, at in (
        (first, ids[0], "192.0.2.1", DAY + timedelta(hours=1)),
        (first, ids[0], "192.0.2.1", DAY + timedelta(hours=2)),
        (first, ids[0], "192.0.2.7", DAY + timedelta(hours=23, minutes=59)),
        (second, ids[0], "198.51.100.3", DAY + timedelta(hours=5)),
        (second, ids[1], "198.51.100.3", DAY + timedelta(hours=6)),
        (first, ids[1], "192.0.2.1", DAY + timedelta(days=1, minutes=1)),
    ):
        answer = download(client, party, deliverable_id)
        assert answer.status_code == 200
        answer.close()
        times.append((address, at))
    with market.context.engine.begin() as conn:  # when and whence they happened
        rows = conn.execute(sa.text("SELECT download_id FROM download ORDER BY downloaded_at"))
        for download_id, (address, at) in zip(rows.scalars().all(), times, strict=True):
            conn.execute(
                sa.text(
                    "UPDATE download SET downloaded_at = :at, address = :a WHERE download_id = :d"
                ),
                {"at": at, "a": address, "d": download_id},
            )
    return vendor, other_vendor, licensees


def published(market) -> list[dict]:
    with market.context.engine.connect() as conn:
        rows = conn.execute(
            sa.text(f"SELECT payload FROM outbox WHERE event_type = '{DIGEST}' ORDER BY seq")
        ).scalars()
        return [json.loads(row) if isinstance(row, str) else row for row in rows]


def test_one_digest_per_vendor_and_day_summarising_its_downloads(app, make_app, market, downloaded):
    vendor, _, (first, second) = downloaded
    scheduler = DeliverablesScheduler(
        app.extensions["ipmarket"], app.extensions["deliverables_store"]
    )
    # Before the day ends nothing is due; at 00:05 the next day, the day is.
    assert scheduler.tick(DAY + timedelta(hours=23, minutes=59))["digests_published"] == 0
    assert scheduler.tick(DAY + timedelta(days=1, minutes=5))["digests_published"] == 1
    [event] = published(market)
    data = event["data"]
    assert (data["vendor_id"], data["day_start"], data["day_end"]) == (
        vendor.organisation_id, DAY.isoformat(), (DAY + timedelta(days=1)).isoformat(),
    )  # fmt: skip
    assert (data["downloads"], data["licensees"], data["more_entries"]) == (5, 2, 0)
    summary = [
        (e["licensee_id"], e["file_name"], e["downloads"], e["addresses"]) for e in data["entries"]
    ]
    assert summary == [
        (first.organisation_id, "f10.v", 3, 2),
        *sorted([(second.organisation_id, "f10.v", 1, 1), (second.organisation_id, "f20.v", 1, 1)]),
    ]
    assert (
        data["entries"][0]["last_downloaded_at"]
        == (DAY + timedelta(hours=23, minutes=59)).isoformat()
    )
    # Ticking again, a restarted scheduler, a second one: nothing more for that day.
    assert scheduler.tick(DAY + timedelta(days=1, hours=1))["digests_published"] == 0
    again = make_app()
    other = DeliverablesScheduler(
        again.extensions["ipmarket"], again.extensions["deliverables_store"]
    )
    assert other.tick(DAY + timedelta(days=1, hours=2))["digests_published"] == 0
    # The next day's digest when that day ends; one for the vendor of each day only.
    assert other.tick(DAY + timedelta(days=2, minutes=1))["digests_published"] == 1
    days = [e["data"]["day_start"] for e in published(market)]
    assert days == [DAY.isoformat(), (DAY + timedelta(days=1)).isoformat()]


def test_two_schedulers_racing_for_the_same_day_publish_it_once(app, make_app, market, downloaded):
    vendor, _, _ = downloaded
    late = DAY + timedelta(days=1, minutes=5)
    context = app.extensions["ipmarket"]
    # Both found the vendor's day undigested; the second's insert meets the first's row.
    assert digests.publish_digest(context.unit_of_work(), vendor.organisation_id, DAY, late) == 1
    other = make_app().extensions["ipmarket"]
    assert digests.publish_digest(other.unit_of_work(), vendor.organisation_id, DAY, late) == 0
    assert len(published(market)) == 1


def test_a_digest_lists_the_busiest_entries_and_counts_the_rest(
    app, market, downloaded, monkeypatch
):
    monkeypatch.setattr(events, "DIGEST_ENTRIES", 1)
    context = app.extensions["ipmarket"]
    digests.publish_digests(context.unit_of_work, DAY + timedelta(days=1, minutes=5))
    [event] = published(market)
    assert len(event["data"]["entries"]) == 1 and event["data"]["more_entries"] == 2
    assert event["data"]["entries"][0]["downloads"] == 3


def test_a_scheduler_down_for_days_catches_up_within_the_lookback(app, market, downloaded):
    context = app.extensions["ipmarket"]
    far = DAY + timedelta(days=digests.LOOKBACK_DAYS + 1)  # 30 November: out of reach
    assert digests.publish_digests(context.unit_of_work, far) == 1
    assert [e["data"]["day_start"] for e in published(market)] == [
        (DAY + timedelta(days=1)).isoformat()
    ]
    assert digests.publish_digests(context.unit_of_work, far - timedelta(days=1)) == 1
