"""The catalog the sign-in browser tests run against: the demo vendors and a licensee's buyer
with a password and TOTP, on a PostgreSQL database of its own (what the storefront's tests had
before they moved to the whole marketplace, tests/e2e/portal/marketplace.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pyotp
import sqlalchemy as sa

EMAIL = "li.wei@lakeside.example"
PASSWORD = "plum kettle orbit 47"


@dataclass
class Site:
    portal: str
    catalog: str
    totp: pyotp.TOTP | None


def _database(postgres, postgres_admin_engine) -> str:
    from shared.db.engine import create_engine
    from shared.db.migrations import upgrade

    name = f"catalog_{uuid.uuid4().hex[:12]}"
    with postgres_admin_engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = str(
        sa.make_url(create_engine(postgres.get_uri()).url)
        .set(database=name)
        .render_as_string(hide_password=False)
    )
    upgrade("catalog", url)
    return url


def _load(database_url: str) -> str:
    """The demo catalog; the id of its licensee Lakeside."""
    from ipmarket.devtools import demo
    from services.catalog.app import build_context

    context = build_context(database_url)
    organisations = {}
    demo.load(context, lambda key, org, api_key: organisations.__setitem__(key, org))
    context.engine.dispose()
    return next(org.id for org in organisations.values() if "Lakeside" in org.legal_name_en)


def _add_buyer(database_url: str, licensee_id: str, email: str) -> pyotp.TOTP:
    """A buyer of Lakeside who signs in with a TOTP code: one per test module, so that what a
    module does to its buyer (a new password, a passkey) is no other module's business."""
    from services.catalog import invitations, second_factor
    from services.catalog.app import build_context
    from services.catalog.domain.people import Actor
    from services.catalog.unit_of_work import catalog_work

    context = build_context(database_url)
    operator = Actor(platform_roles=frozenset({"operator"}), person_id="operator")
    now = datetime.now(UTC)
    with context.unit_of_work() as uow:
        _, token = invitations.invite_member(uow, operator, licensee_id, email, ["buyer"])
        person, _ = invitations.accept_invitation(
            uow, token, name_en="Li Wei", name_zh="李伟", password=PASSWORD
        )
        records = catalog_work(uow).records
        totp = pyotp.parse_uri(second_factor.enrol(records, person.id, email, now))
        assert second_factor.confirm(records, person.id, totp.at(now), now)
        uow.commit()
    context.engine.dispose()
    return totp
