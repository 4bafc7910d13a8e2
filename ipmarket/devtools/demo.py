"""The demo marketplace of the README's walkthrough: vendors in Mainland China, Hong Kong, Taiwan
and overseas, two licensees, and 50+ published cores across the taxonomy with their offers.

Loaded through the domain code (so every event flows as in real use) and idempotent:
organisations are recognised by legal name and cores by VLNV, so a second run adds nothing.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from ipmarket.devtools.demo_data import (
    OLDER_DEPRECATED,
    ORGANISATIONS,
    PRODUCTS,
    VERSIONS,
)
from services.catalog import cores, organisations, vendor_names
from services.catalog.models import Core, Organisation, VendorNameClaim
from shared.directory import Principal
from shared.events.envelope import system_actor

# Who the demo's events name: the platform itself, by the loader.
DEMO_LOADER = system_actor("ipmarket demo")


def offers_for(price_usd: int, currency: str) -> list[dict]:
    rate = {"USD": 1, "CNY": 7, "HKD": 8}[currency]
    local = price_usd * rate
    offers = [
        {
            "kind": "evaluation",
            "price": None,
            "on_request": False,
            "term_months": 3,
            "seats": 2,
            "requires_approval": True,
        }
    ]
    if local == 0:  # foundation IP paid for by the foundry: free to use once approved
        offers.append(
            {
                "kind": "perpetual",
                "price": {"amount": "0", "currency": currency},
                "requires_approval": True,
            }
        )
        return offers
    offers.append(
        {
            "kind": "single_project",
            "price": {"amount": str(local), "currency": currency},
            "term_months": None,
            "seats": 10,
            "requires_approval": local > 100000,
        }
    )
    if local >= 300000:
        offers.append(
            {
                "kind": "royalty_bearing",
                "price": {"amount": str(local // 2), "currency": currency},
                "royalty_percent": "1.5",
                "requires_approval": True,
            }
        )
    else:
        offers.append(
            {"kind": "multi_project", "price": None, "on_request": True, "requires_approval": True}
        )
    return offers


def _digest(*parts: str) -> str:
    return hashlib.sha256(":".join(parts).encode()).hexdigest()


def load(context, on_new_key=None) -> dict:
    """Create what is missing; hand each new organisation's API key, shown once, to
    `on_new_key(key, organisation, api_key)` (`key` as in ORGANISATIONS). Returns counts."""
    created = {"organisations": 0, "cores": 0}
    ids = {}
    for key, (
        name,
        name_zh,
        country,
        tz,
        locale,
        roles,
        (contact, email),
        vlnv_vendor,
    ) in ORGANISATIONS.items():
        with context.unit_of_work(DEMO_LOADER) as uow:
            org = uow.session.scalar(
                sa.select(Organisation).where(Organisation.legal_name_en == name)
            )
            if org is None:
                org = organisations.register_organisation(
                    uow,
                    legal_name_en=name,
                    legal_name_zh=name_zh,
                    country=country,
                    roles=roles,
                    locale=locale,
                    timezone=tz,
                    contacts=[{"name": contact, "email": email, "notices": ["all"]}],
                )
                api_key, secret = organisations.create_api_key(uow, org.id, "demo key")
                uow.commit()
                created["organisations"] += 1
                if on_new_key is not None:
                    on_new_key(key, org, secret)
            ids[key] = (org.id, frozenset(org.roles))
        if vlnv_vendor is not None:
            _confirm_vendor_name(context, ids[key][0], vlnv_vendor)
    for product in PRODUCTS:
        (
            vendor,
            name,
            title_en,
            title_zh,
            category,
            standards,
            kinds,
            hdls,
            targets,
            eccn,
            price,
            currency,
            description,
        ) = product
        org_id, roles = ids[vendor]
        principal = Principal(organisation_id=org_id, roles=roles, key_id="demo-loader")
        for version in VERSIONS:
            vlnv = {
                "vendor": ORGANISATIONS[vendor][7],
                "library": "ip",
                "name": name,
                "version": version,
            }
            if _exists(context, vlnv):
                continue
            with context.unit_of_work(DEMO_LOADER) as uow:
                core = cores.create_draft(
                    uow,
                    principal,
                    vlnv=vlnv,
                    title_en=title_en,
                    title_zh=title_zh,
                    description_en=description,
                    category=category,
                    standards=standards,
                    deliverable_kinds=kinds,
                    hdl_languages=hdls,
                    eccn=eccn,
                    targets=[{"foundry": f, "node": n, "maturity": m} for f, n, m in targets],
                    deliverables=[
                        {
                            "kind": k,
                            "name": f"{name}-{version}-{k}.tar.gz",
                            "sha256": _digest(name, version, k),
                        }
                        for k in kinds
                    ],
                    documents=[
                        {
                            "kind": "datasheet",
                            "title": f"{title_en} datasheet",
                            "url": None,
                            "sha256": _digest(name, version, "datasheet"),
                        }
                    ],
                    offers=offers_for(price, currency),
                )
                cores.change_status(uow, principal, core.id, "publish")
                if version == VERSIONS[0] and name in OLDER_DEPRECATED:
                    cores.change_status(uow, principal, core.id, "deprecate")
                uow.commit()
                created["cores"] += 1
    return created


# The operator's decisions are the demo's own: no operator organisation exists yet.
DEMO_OPERATOR = Principal(organisation_id=None, roles=frozenset({"admin"}), key_id="demo-loader")


def _confirm_vendor_name(context, organisation_id: str, name: str) -> None:
    """The vendor claims its VLNV vendor name and the operator confirms it, as in real use."""
    with context.unit_of_work(DEMO_LOADER) as uow:
        claim = uow.session.scalar(
            sa.select(VendorNameClaim).where(
                VendorNameClaim.organisation_id == organisation_id,
                VendorNameClaim.name == vendor_names.normalised(name),
            )
        )
        if claim is not None and claim.status == "confirmed":
            return
        if claim is None or claim.status == "declined":
            claim = vendor_names.claim_name(uow, DEMO_OPERATOR, organisation_id, name)
        vendor_names.decide(uow, DEMO_OPERATOR, claim.id, "confirmed")
        uow.commit()


def _exists(context, vlnv: dict) -> bool:
    with context.session_factory() as session:
        return (
            session.scalar(
                sa.select(Core.id).where(
                    Core.vlnv_vendor == vlnv["vendor"],
                    Core.vlnv_library == vlnv["library"],
                    Core.vlnv_name == vlnv["name"],
                    Core.vlnv_version == vlnv["version"],
                )
            )
            is not None
        )
