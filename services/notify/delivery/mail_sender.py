"""Sending an e-mail delivery: the notice composed in the contact's language and time zone,
handed to the SMTP (or .eml file) transport."""

from __future__ import annotations

import time
from datetime import datetime

from services.notify import mail
from services.notify.account_mail import compose_account
from services.notify.delivery.jobs import Job, Outcome
from services.notify.delivery.webhook_sender import RESPONSE_BYTES, milliseconds_since
from services.notify.domain.account_messages import ACCOUNT_TYPES


class MailSender:
    def __init__(self, transport=None):
        self.transport = transport or mail.make_transport()

    def send(self, job: Job, now: datetime) -> Outcome:
        delivery, notice = job.delivery, job.notice
        started = time.perf_counter()
        if notice.event_type in ACCOUNT_TYPES:
            message = compose_account(
                event_type=notice.event_type,
                occurred_at=notice.occurred_at,
                data=notice.data,
                organisation=job.names.get(notice.data.get("organisation_id")),
                to_name=delivery.recipient_name or "",
                to_address=delivery.address,
                locale=delivery.locale,
                timezone=delivery.timezone,
                message_id=delivery.message_id,
                now=now,
            )
            return self._sent(delivery, message, now, started)
        if job.organisation is None:
            return Outcome(delivery.id, now, False, error="organisation unknown")
        message = mail.compose(
            event_type=notice.event_type,
            occurred_at=notice.occurred_at,
            data=notice.data,
            organisation=job.organisation,
            names=job.names,
            to_name=delivery.recipient_name or "",
            to_address=delivery.address,
            message_id=delivery.message_id,
            now=now,
            locale=delivery.locale,
            timezone=delivery.timezone,
        )
        return self._sent(delivery, message, now, started)

    def _sent(self, delivery, message, now: datetime, started: float) -> Outcome:
        try:
            code, answer = self.transport.send(message)
        except mail.MailError as exc:
            return Outcome(
                delivery.id, now, False, exc.code, milliseconds_since(started), error=str(exc)[:500]
            )
        return Outcome(
            delivery.id, now, True, code, milliseconds_since(started), answer[:RESPONSE_BYTES]
        )
