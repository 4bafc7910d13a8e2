"""Configuration from environment variables.

Every variable the code reads is declared once in SETTINGS below; the README's table is written
from it (`ipmarket settings --markdown`) and the compose test checks docker-compose.yml against it.
A bad value stops start-up with a message that names the variable.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("catalog", "licensing", "notify", "deliverables")


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names the variable."""


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError("must be a positive integer")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise ValueError("must be a positive number")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise ValueError("must be a non-negative number")
    return value


def _database_url(text: str) -> str:
    scheme = urlparse(text).scheme
    if not (scheme.startswith("sqlite") or scheme.startswith("postgresql")):
        raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
    return text


def _bootstrap(text: str) -> str:
    for server in text.split(","):
        host, sep, port = server.strip().rpartition(":")
        if not sep or not host or not port.isdigit():
            raise ValueError("must be host:port[,host:port…]")
    return text


def _log_level(text: str) -> str:
    if text.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
    return text.upper()


def _text(text: str) -> str:
    return text


def _seconds_list(text: str) -> tuple[float, ...]:
    values = tuple(float(part) for part in text.split(",") if part.strip())
    if not values or any(v < 0 for v in values):
        raise ValueError("must be a comma-separated list of non-negative seconds")
    return values


def _networks(text: str) -> tuple:
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip()
    )


def _rate(text: str):
    from shared.rate_limits import Rate  # (SQLAlchemy only when a service reads it)

    return Rate.parse(text)


def _storage_kind(text: str) -> str:
    if text not in {"directory", "s3"}:
        raise ValueError("must be directory or s3")
    return text


def _flag(text: str) -> bool:
    if text.lower() in {"1", "true", "yes", "on"}:
        return True
    if text.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("must be true or false")


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | Callable[[dict], str] | None  # a callable derives it from other settings
    description: str
    parse: Callable[[str], object] = _text
    secret: bool = False


def var_dir(environ: dict[str, str] | None = None) -> Path:
    """Where `ipmarket run` keeps its files: databases, broker, logs, mail."""
    env = os.environ if environ is None else environ
    return Path(env.get("IPMARKET_VAR_DIR") or PROJECT_ROOT / "var")


def _sqlite_default(service: str) -> Callable[[dict], str]:
    return lambda env: f"sqlite:///{var_dir(env) / f'{service}.db'}"


# One setting per entry, aligned by hand: formatting would spread each over five lines.
# fmt: off
SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting("IPMARKET_VAR_DIR", str(PROJECT_ROOT / "var"),
                "Directory of `ipmarket run`'s SQLite files, broker data, logs and mail."),
        Setting("IPMARKET_CATALOG_DATABASE_URL", _sqlite_default("catalog"),
                "Catalog service database (SQLAlchemy URL).", _database_url),
        Setting("IPMARKET_LICENSING_DATABASE_URL", _sqlite_default("licensing"),
                "Licensing service database (SQLAlchemy URL).", _database_url),
        Setting("IPMARKET_NOTIFY_DATABASE_URL", _sqlite_default("notify"),
                "Notify service database (SQLAlchemy URL).", _database_url),
        Setting("IPMARKET_DELIVERABLES_DATABASE_URL", _sqlite_default("deliverables"),
                "Deliverables service database (SQLAlchemy URL).", _database_url),
        Setting("IPMARKET_KAFKA_BOOTSTRAP", "127.0.0.1:9092",
                "Kafka bootstrap servers, host:port[,host:port…].", _bootstrap),
        Setting("IPMARKET_TOPIC_PREFIX", "ipmarket",
                "Prefix of every Kafka topic name (one deployment per prefix)."),
        Setting("IPMARKET_TOPIC_PARTITIONS", "3",
                "Partitions of each topic created by `ipmarket topics`.", _positive_int),
        Setting("IPMARKET_TOPIC_RETENTION_HOURS", "168",
                "Retention of each topic created by `ipmarket topics`.", _positive_int),
        Setting("IPMARKET_RELAY_BATCH", "1000",
                "Most outbox rows one relay publishes per transaction.", _positive_int),
        Setting("IPMARKET_RELAY_IDLE_SECONDS", "1",
                "Longest a relay waits before looking at an empty outbox again (a commit wakes "
                "it at once on PostgreSQL; on SQLite its waits double from 20 ms).",
                _positive_float),
        Setting("IPMARKET_LOG_LEVEL", "INFO", "Log level.", _log_level),
        Setting("IPMARKET_MAX_BODY_BYTES", "1048576",
                "Largest request body any service accepts.", _positive_int),
        # what one client may take of a service (see shared/rate_limits.py, ipmarket/workers.py)
        Setting("IPMARKET_RATE_LIMITS", "true",
                "Limit the request rate per API key and per client address (answers 429).",
                _flag),
        Setting("IPMARKET_RATE_LIMIT_PER_KEY", "6000/60",
                "Requests one API key may make per window: REQUESTS/SECONDS.", _rate),
        Setting("IPMARKET_RATE_LIMIT_PER_ADDRESS", "12000/60",
                "Requests with an API key one client address may make per window.", _rate),
        Setting("IPMARKET_RATE_LIMIT_ANONYMOUS", "600/60",
                "Requests without an API key (verification, search) one client address may "
                "make per window.", _rate),
        Setting("IPMARKET_RATE_LIMIT_DELAY_SECONDS", "1",
                "How long a request over its limit waits for its 429 (gevent workers), so that "
                "a flood costs the server little.", _non_negative_float),
        Setting("IPMARKET_REQUEST_READ_SECONDS", "10",
                "Time a client has to send a request's body (and on SQLite each part of its "
                "headers); then 408.", _positive_float),
        Setting("IPMARKET_CONNECTIONS_PER_ADDRESS", "100",
                "Connections one client address may hold open per server process; more get "
                "429.", _positive_int),
        Setting("IPMARKET_CATALOG_URL", "http://127.0.0.1:8001",
                "Public base URL of the catalog service (links in notices)."),
        Setting("IPMARKET_LICENSING_URL", "http://127.0.0.1:8002",
                "Public base URL of the licensing service (JWKS, status list, links)."),
        Setting("IPMARKET_NOTIFY_URL", "http://127.0.0.1:8003",
                "Public base URL of the notify service."),
        Setting("IPMARKET_PORTAL_URL", "http://localhost:8000",
                "Public base URL of the web portal: links for people; an https:// one makes its "
                "cookies Secure; passkeys are bound to its origin (its host is the WebAuthn "
                "relying party id)."),
        Setting("IPMARKET_PORTAL_SECRET_KEY", None,
                "Secret that signs the portal's session cookies and seals the tokens in them "
                "(`ipmarket run` makes one in var/).", secret=True),
        Setting("IPMARKET_DELIVERABLES_URL", "http://127.0.0.1:8006",
                "Public base URL of the deliverables service (uploads, downloads)."),
        Setting("IPMARKET_SIGNING_KEY_SECRET", None,
                "Secret that encrypts license signing keys at rest (or use the _FILE form).",
                secret=True),
        Setting("IPMARKET_SIGNING_KEY_SECRET_FILE", None,
                "File holding IPMARKET_SIGNING_KEY_SECRET (Docker/Kubernetes secrets)."),
        Setting("IPMARKET_LICENSE_REQUEST_TTL_HOURS", "168",
                "Pending license requests expire after this long.", _positive_int),
        Setting("IPMARKET_SMTP_HOST", None, "SMTP server; unset = write .eml files to var/mail/."),
        Setting("IPMARKET_SMTP_PORT", "587", "SMTP port.", _positive_int),
        Setting("IPMARKET_SMTP_SECURITY", "starttls",
                "SMTP transport security: none, starttls or tls."),
        Setting("IPMARKET_SMTP_USERNAME", None, "SMTP user name."),
        Setting("IPMARKET_SMTP_PASSWORD", None, "SMTP password.", secret=True),
        Setting("IPMARKET_MAIL_FROM", "ipmarket <noreply@ipmarket.localhost>",
                "From address of notices."),
        Setting("IPMARKET_MAIL_DIR", lambda env: str(var_dir(env) / "mail"),
                "Where .eml files go when no SMTP host is set."),
        Setting("IPMARKET_WEBHOOK_RETRY_SECONDS", "0,5,300,1800,7200,18000,36000,36000",
                "Webhook and email retry schedule (seconds after each failure).", _seconds_list),
        Setting("IPMARKET_WEBHOOK_TIMEOUT_SECONDS", "15",
                "Time-out of one webhook delivery.", _positive_float),
        Setting("IPMARKET_WEBHOOK_ALLOW_PRIVATE", "false",
                "Allow webhook URLs on loopback/private addresses (tests, demos).", _flag),
        Setting("IPMARKET_WEBHOOK_DISABLE_AFTER_HOURS", "120",
                "An endpoint failing continuously this long is disabled.", _positive_float),
        # notify
        Setting("IPMARKET_WEBHOOK_ALLOWED_NETWORKS", "",
                "CIDRs webhooks may reach although private (e.g. 10.1.0.0/16), comma-separated.",
                _networks),
        Setting("IPMARKET_WEBHOOK_KEY_SECRET", None,
                "Secret that encrypts webhook secrets and endpoints' signing keys at rest "
                "(or use the _FILE form).", secret=True),
        Setting("IPMARKET_WEBHOOK_KEY_SECRET_FILE", None,
                "File holding IPMARKET_WEBHOOK_KEY_SECRET (Docker/Kubernetes secrets)."),
        Setting("IPMARKET_SMTP_TIMEOUT_SECONDS", "30", "Time-out of one SMTP exchange.",
                _positive_float),
        Setting("IPMARKET_DELIVERY_THREADS", "32",
                "Deliveries one `ipmarket deliver` worker sends at once.", _positive_int),
        Setting("IPMARKET_DELIVERY_PER_ENDPOINT", "8",
                "Most deliveries in flight to one webhook endpoint per worker.", _positive_int),
        Setting("IPMARKET_DELIVERY_POLL_SECONDS", "0.5",
                "How long the delivery worker sleeps when nothing is due (on PostgreSQL a new "
                "notice wakes it at once).", _positive_float),
        # licensing: purchasing (orders, invoices, payment provider)
        Setting("IPMARKET_PAYMENT_PROVIDER_SECRET", None,
                "Shared secret of the payment provider: signs its callbacks (HMAC-SHA256); "
                "unset = provider callbacks are refused.", secret=True),
        Setting("IPMARKET_PAYMENT_SIMULATOR_URL", "http://127.0.0.1:8004",
                "Base URL of the payment provider simulator (`ipmarket payment-simulator`)."),
        Setting("IPMARKET_INVOICE_DUE_DAYS", "30",
                "Invoices fall due this many days after issue.", _positive_int),
        # deliverables: the files of a core version and where they are kept
        Setting("IPMARKET_DELIVERABLE_MAX_BYTES", str(20 * 2**30),
                "Largest deliverable file a vendor may upload (bytes; 20 GiB).", _positive_int),
        Setting("IPMARKET_DELIVERABLE_PART_BYTES", str(64 * 2**20),
                "Size of each part of an upload but the last (bytes; 5 MiB, the S3 minimum, "
                "if less; larger files get larger parts, at most 10,000 of them).", _positive_int),
        Setting("IPMARKET_DELIVERABLE_UPLOAD_EXPIRY_HOURS", "168",
                "An upload not completed this many hours after it was declared expires: "
                "`ipmarket deliverables-scheduler` deletes its parts.", _positive_int),
        Setting("IPMARKET_DELIVERABLES_STORAGE", "directory",
                "Where deliverable files are kept: `directory` (IPMARKET_DELIVERABLES_DIR) or "
                "`s3` (any S3-compatible store, IPMARKET_S3_*).", _storage_kind),
        Setting("IPMARKET_DELIVERABLES_DIR", lambda env: str(var_dir(env) / "deliverables"),
                "Directory of the `directory` storage."),
        Setting("IPMARKET_S3_ENDPOINT_URL", None, "S3-compatible store (unset: AWS's own)."),
        Setting("IPMARKET_S3_BUCKET", "ipmarket-deliverables", "Bucket (made if missing)."),
        Setting("IPMARKET_S3_REGION", "us-east-1", "Region of the S3 bucket."),
        Setting("IPMARKET_S3_ACCESS_KEY_ID", None, "Access key id for the S3 store."),
        Setting("IPMARKET_S3_SECRET_ACCESS_KEY", None, "Secret key for S3.", secret=True),
    ]
}
# fmt: on


def get(name: str, environ: dict[str, str] | None = None):
    """The parsed value of one setting, or None when unset and without default."""
    setting = SETTINGS[name]
    env = os.environ if environ is None else environ
    raw = env.get(name, setting.default)
    if callable(raw):
        raw = raw(env)
    if raw is None:
        return None
    try:
        return setting.parse(raw)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{name}={raw!r} is invalid: {exc}") from None


def require(name: str, environ: dict[str, str] | None = None):
    value = get(name, environ)
    if value is None:
        raise ConfigError(f"{name} is required but not set")
    return value


def database_url(service: str, environ: dict[str, str] | None = None) -> str:
    return get(f"IPMARKET_{service.upper()}_DATABASE_URL", environ)


def check_all(environ: dict[str, str] | None = None) -> None:
    """Parse every setting now so that a bad one stops start-up, not a request later."""
    env = os.environ if environ is None else environ
    unknown = sorted(k for k in env if k.startswith("IPMARKET_") and k not in SETTINGS)
    if unknown:
        raise ConfigError(f"unknown setting {unknown[0]} (see the README's table)")
    for name in SETTINGS:
        get(name, env)
