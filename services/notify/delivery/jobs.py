"""What the worker passes between claiming, sending and recording."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa

EMAIL_LANE = "email"  # every e-mail shares one lane key; each endpoint has its own


@dataclass
class Job:
    """Everything one send needs, loaded while claiming so that sending touches no database."""

    delivery: sa.Row  # of the delivery table
    notice: sa.Row  # of the notice table
    endpoint: sa.Row | None = None  # of the endpoint table
    organisation: sa.Row | None = None  # the recipient's directory entry
    names: dict = field(default_factory=dict)  # organisation id → directory entry
    leased_until: datetime = datetime.max.replace(tzinfo=UTC)  # its next_attempt_at while held
    attempt_id: int | None = None  # logged when claimed, before sending; completed after

    @property
    def lane(self) -> str:
        """Whose lanes it is sent in: its endpoint's id, or EMAIL_LANE."""
        return self.delivery.endpoint_id or EMAIL_LANE


@dataclass
class Outcome:
    """What one attempt came to."""

    delivery_id: str
    attempted_at: datetime
    succeeded: bool
    status_code: int | None = None
    latency_ms: float = 0.0
    response: str = ""
    error: str | None = None
    retry_after: float | None = None
    gone: bool = False  # 410: the receiver asks us to stop
    endpoint_id: str | None = None
    attempt_id: int | None = None  # the attempt logged before sending
    verdict: str = ""  # what recording it decided: delivered, retry at …, failed
