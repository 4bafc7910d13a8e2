"""Who sees what: a licensee its own requests and licenses, a vendor those for its cores, an
admin everything. Anything else is reported as not found, so that ids do not leak."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shared.directory import Principal
from shared.errors import NotFound


def visible(model, principal: Principal):
    """SELECT of `model` rows (LicenseRequest or License) the principal may see."""
    query = sa.select(model)
    if not principal.is_admin:
        query = query.where(
            sa.or_(
                model.licensee_id == principal.organisation_id,
                model.vendor_id == principal.organisation_id,
            )
        )
    return query


def get_visible(
    session: Session,
    principal: Principal,
    model,
    row_id: str,
    *,
    for_update: bool = False,
    vendor_only: bool = False,
):
    """One row the principal may see; `vendor_only`: and may act on as the vendor."""
    query = visible(model, principal).where(model.id == row_id)
    row = session.scalars(query.with_for_update() if for_update else query).first()
    if row is None or (
        vendor_only and not principal.is_admin and row.vendor_id != principal.organisation_id
    ):
        raise NotFound(f"{model.__tablename__.replace('_', ' ')} {row_id} does not exist")
    return row
