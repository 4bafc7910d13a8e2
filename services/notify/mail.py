"""E-mail deliveries: the message of one notice to one contact (language, time zone and words
come from `domain.locales`), and sending it by SMTP (or into .eml files when no SMTP host is
configured)."""

from __future__ import annotations

import smtplib
import threading
import uuid
from datetime import datetime
from email.headerregistry import Address, HeaderRegistry
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, parseaddr
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from services.notify.domain.locales import (
    detail_rows,
    locale_for,
    organisation_name,
    subject_for,
    subject_values,
    zone_for,
)
from services.notify.domain.portal_links import notice_path, portal_url, preferences_path
from services.notify.domain.wording import LABELS
from shared import config

MESSAGE_ID_NAMESPACE = uuid.UUID("6a0c1f55-52a4-4d43-9d39-0d1a4c7f3a10")


class _FoldedOnce:
    """A header that folds itself once per kind of policy and keeps the result: header objects
    never change, and a notice's headers are mostly ones an earlier notice had."""

    def fold(self, *, policy):
        key = (policy.linesep, policy.max_line_length, policy.utf8, policy.cte_type)
        folded = self.__dict__.setdefault("_folded", {})
        if key not in folded:
            folded[key] = super().fold(policy=policy)
        return folded[key]


class _HeaderKinds(HeaderRegistry):
    """The standard library's registry makes a new class each time a header is set (a `type()`
    call per header), then parses the value and later folds it: the largest costs of sending a
    notice. Here there is one class per kind, and a header set before with the same text (From,
    Subject, Date within the second, the MIME headers) is the same immutable object again,
    parsed and folded once."""

    RECENT = 10_000  # headers kept for reuse

    def __init__(self):
        super().__init__()
        self._made: dict[str, type] = {}
        self._recent: dict[tuple[str, str], object] = {}

    def __getitem__(self, name: str) -> type:
        kind = self._made.get(name.lower())
        if kind is None:
            found = self.registry.get(name.lower(), self.default_class)
            kind = self._made[name.lower()] = type(
                "_" + found.__name__, (_FoldedOnce, found, self.base_class), {}
            )
        return kind

    def __call__(self, name: str, value):
        if not isinstance(value, str):  # an Address, say: made afresh
            return super().__call__(name, value)
        header = self._recent.get((name, value))
        if header is None:
            if len(self._recent) >= self.RECENT:
                self._recent.clear()
            header = self._recent[(name, value)] = super().__call__(name, value)
        return header


POLICY = default_policy.clone(header_factory=_HeaderKinds())

_templates = Environment(
    loader=PackageLoader("services.notify", "templates"),
    autoescape=select_autoescape(["html.j2"]),
    keep_trailing_newline=True,
)


def message_id_for(event_id: str, address: str) -> str:
    """The same event to the same address always gets the same Message-ID, so that the one
    resend a crash can cause is recognisable as the same message."""
    domain = parseaddr(config.get("IPMARKET_MAIL_FROM"))[1].rpartition("@")[2] or "ipmarket"
    return f"<{uuid.uuid5(MESSAGE_ID_NAMESPACE, f'{event_id}/{address.lower()}')}@{domain}>"


def compose(
    *,
    event_type: str,
    occurred_at: datetime,
    data: dict,
    organisation,
    names: dict[str, object],
    to_name: str,
    to_address: str,
    message_id: str,
    now: datetime,
    locale: str | None = None,
    timezone: str | None = None,
) -> EmailMessage:
    """The multipart (text and HTML) notice for one contact of `organisation`, or one person
    told by role in their own `locale` and `timezone` (a contact has neither: the
    organisation's); `names` maps the ids of organisations the notice mentions to their
    directory entries."""
    by_role = locale is not None
    locale = locale_for(locale or organisation.locale)
    zone = zone_for(timezone or organisation.timezone)
    labels = LABELS[locale]
    subject = subject_for(event_type, locale, subject_values(data, organisation, locale))
    portal = config.get("IPMARKET_PORTAL_URL")
    preferences = portal_url(portal, preferences_path(organisation))
    page = notice_path(event_type, data, organisation)
    context = {
        "locale": locale,
        "greeting": labels["greeting"].format(name=to_name or to_address),
        "summary": subject,
        "action": {"label": labels["open"], "url": portal_url(portal, page)} if page else None,
        "details": detail_rows(data, occurred_at, locale, zone, names),
        "footer": labels["footer_role" if by_role else "footer"].format(
            organisation=organisation_name(organisation, locale),
            preferences_url=preferences,
        ),
    }
    message = message_headers(
        subject, to_name, to_address, message_id, now, zone, event_type, preferences
    )
    return with_body(message, context, locale)


def message_headers(
    subject, to_name, to_address, message_id, now, zone, event_type, unsubscribe: str | None
) -> EmailMessage:
    """The headers; `unsubscribe`: the portal page that turns this notice off, for a
    List-Unsubscribe header (None: a message no setting turns off)."""
    message = EmailMessage(policy=POLICY)
    message["Subject"] = subject
    sender_name, sender_address = parseaddr(config.get("IPMARKET_MAIL_FROM"))
    # As text, not an Address: text is what a header made before can be found by.
    message["From"] = str(Address(display_name=sender_name, addr_spec=sender_address))
    message["To"] = Address(display_name=to_name or "", addr_spec=to_address)
    message["Date"] = format_datetime(now.astimezone(zone))
    message["Message-ID"] = message_id
    if unsubscribe:
        message["List-Unsubscribe"] = (
            f"<{unsubscribe}>, <mailto:{sender_address}?subject=unsubscribe>"
        )
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies, please
    message["X-Ipmarket-Event-Type"] = event_type
    return message


def with_body(message: EmailMessage, context: dict, locale: str) -> EmailMessage:
    message.set_content(_templates.get_template("notice.txt.j2").render(context))
    message.add_alternative(
        _templates.get_template("notice.html.j2").render(context), subtype="html"
    )
    message["Content-Language"] = locale  # after set_content, which drops Content-* headers
    return message


# --- sending ----------------------------------------------------------------------------------


class MailError(Exception):
    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code


class SmtpTransport:
    """Sends over SMTP; each sending thread keeps its own connection open between messages."""

    def __init__(self):
        self.host = config.get("IPMARKET_SMTP_HOST")
        self.port = config.get("IPMARKET_SMTP_PORT")
        self.security = (config.get("IPMARKET_SMTP_SECURITY") or "starttls").lower()
        if self.security not in ("none", "starttls", "tls"):
            # Never fall back to plain text on a typo.
            raise config.ConfigError(
                f"IPMARKET_SMTP_SECURITY={self.security!r} is invalid: "
                "must be none, starttls or tls"
            )
        self.username = config.get("IPMARKET_SMTP_USERNAME")
        self.password = config.get("IPMARKET_SMTP_PASSWORD")
        self.timeout = config.get("IPMARKET_SMTP_TIMEOUT_SECONDS")
        self._local = threading.local()

    def send(self, message: EmailMessage) -> tuple[int, str]:
        """Send one message; return the server's code and answer, or raise MailError."""
        reused = getattr(self._local, "connection", None) is not None
        try:
            try:
                refused = self._connection().send_message(message)
            except smtplib.SMTPServerDisconnected:
                if not reused:
                    raise
                # The server closed our idle connection: that is no failure of this message.
                self._drop()
                refused = self._connection().send_message(message)
            if refused:
                raise MailError(f"recipients refused: {refused}", 550)
            return 250, "accepted"
        except smtplib.SMTPResponseException as exc:
            self._drop()
            raise MailError(f"{exc.smtp_code} {exc.smtp_error!r}", exc.smtp_code) from None
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise MailError(f"{type(exc).__name__}: {exc}") from None

    def _connection(self) -> smtplib.SMTP:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            if self.security == "tls":
                connection = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout)
            else:
                connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.security == "starttls":
                    connection.starttls()
            if self.username:
                connection.login(self.username, self.password or "")
            self._local.connection = connection
        return connection

    def _drop(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            try:
                connection.close()
            except OSError:
                pass


class MailDirTransport:
    """Without an SMTP server (`make run`): each message becomes an .eml file. The file is named
    by its Message-ID, so a resend overwrites it instead of adding a copy."""

    def __init__(self, directory: str | None = None):
        self.directory = Path(directory or config.get("IPMARKET_MAIL_DIR"))

    def send(self, message: EmailMessage) -> tuple[int, str]:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = message["Message-ID"].strip("<>").replace("/", "_") + ".eml"
        temporary = self.directory / f".{name}.tmp"
        temporary.write_bytes(bytes(message))
        temporary.replace(self.directory / name)
        return 250, f"written to {self.directory / name}"


def make_transport():
    return SmtpTransport() if config.get("IPMARKET_SMTP_HOST") else MailDirTransport()
