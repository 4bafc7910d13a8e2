"""One round trip for what a license request needs from the database: the projection version
of the core, the version of the screening rule set in force and the signing kid. The core's
terms, the rule table and the private key then come from this process's memory
(core_terms_cache.py, rule_table_cache.py, signing.Keyring).

The statement is built once: building it costs more CPU than running it. Plain columns, run on
the session's connection: the ORM's work per execution would cost more than the round trip.
"""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.licensing.models import KnownCore
from services.licensing.rule_table_cache import version_in_force
from services.licensing.signing import signer_kid

_VERSIONS_AND_KID = sa.select(
    KnownCore.__table__.c.version, version_in_force(), signer_kid().scalar_subquery()
).where(KnownCore.__table__.c.core_id == sa.bindparam("core_id"))


class RequestReads(NamedTuple):
    core_version: int | None  # None: the core is unknown here
    rules_version: int | None  # None: no rule set (or the core is unknown)
    signing_kid: str | None  # None: no signing key (or the core is unknown)


def read_versions_and_kid(session: Session, core_id: str) -> RequestReads:
    row = session.connection().execute(_VERSIONS_AND_KID, {"core_id": core_id}).first()
    return RequestReads(*row) if row is not None else RequestReads(None, None, None)
