"""In which language and time zone a contact reads a notice, and the lines an e-mail shows:
the subject and the details, each worded in the recipient's language (see `wording`)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.notify.domain.wording import LABELS, SUBJECTS
from shared import translations, vocabulary

TRADITIONAL_REGIONS = {"TW", "HK", "MO"}
# Fields of an event's data a notice shows as they are, and the label of each.
PLAIN_FIELDS = {
    "license_id": "license",
    "request_id": "request",
    "quote_id": "quote",
    "order_id": "order",
    "invoice_number": "invoice",
    "project_name": "project",
    "offer_kind": "offer",
    "reason": "reason",
    "status": "status",
    "url": "endpoint",
    "package_url": "package",
    "file_count": "files",
}
# Fields whose value is a code of the shared vocabulary, shown in the reader's words (a code
# without an entry, such as a vendor's free-text reason, as it is).
CODED_FIELDS = {
    "offer_kind": vocabulary.OFFER,
    "reason": vocabulary.REASON,
    "status": vocabulary.CORE_STATUS,
    "category": vocabulary.CATEGORY,
}


def value_text(field: str, value, locale: str) -> str:
    if value is None:
        return ""
    words = CODED_FIELDS.get(field, {}).get(value) if isinstance(value, str) else None
    return translations.gettext(locale, words) if words else str(value)


def locale_for(tag: str | None) -> str:
    """The notice language for a BCP 47 tag: Chinese by script (explicit, else implied by the
    region: Taiwan, Hong Kong and Macau write Traditional), anything else English."""
    subtags = (tag or "").replace("_", "-").split("-")
    if subtags[0].lower() != "zh":
        return "en"
    for subtag in subtags[1:]:
        if subtag.lower() == "hant":
            return "zh-Hant"
        if subtag.lower() == "hans":
            return "zh-Hans"
    regions = {s.upper() for s in subtags[1:] if len(s) == 2}
    return "zh-Hant" if regions & TRADITIONAL_REGIONS else "zh-Hans"


def zone_for(name: str | None) -> ZoneInfo:
    """The IANA zone of a contact's organisation; UTC when unset or unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def format_when(moment: datetime, locale: str, zone: ZoneInfo) -> str:
    """A date and time in the recipient's zone, with the zone shown (offset and IANA name)."""
    local = moment.astimezone(zone)
    labels = LABELS[locale]
    offset = local.strftime("%z")
    text = labels["date_format"].format(
        weekday=labels["weekdays"].split()[local.weekday()],
        day=local.day,
        month=local.month,
        month_name=(labels["months"].split() or [""] * 12)[local.month - 1],
        year=local.year,
        hour=local.hour,
        minute=local.minute,
    )
    return f"{text} UTC{offset[:3]}:{offset[3:]} ({zone.key})"


class _EmptyWhenMissing(dict):
    """Subject placeholders an event does not fill stay empty rather than fail."""

    def __missing__(self, key):
        return ""


def subject_for(event_type: str, locale: str, values: dict) -> str:
    template = SUBJECTS[locale].get(event_type) or SUBJECTS["en"].get(event_type) or event_type
    return template.format_map(_EmptyWhenMissing(values))


def vlnv_text(vlnv: dict | None) -> str:
    """vendor:library:name:version, the way IP-XACT writes a core's identity."""
    if not vlnv:
        return ""
    return ":".join(vlnv[k] for k in ("vendor", "library", "name", "version"))


def organisation_name(organisation, locale: str) -> str:
    """Its Chinese legal name for a Chinese reader when it has one, else its English one."""
    if organisation is None:
        return ""
    if locale != "en" and organisation.legal_name_zh:
        return organisation.legal_name_zh
    return organisation.legal_name_en


def subject_values(data: dict, organisation, locale: str) -> dict:
    """What the subject placeholders stand for in one notice."""
    return {
        "core": vlnv_text(data.get("vlnv")),
        "days": data.get("days_ahead", ""),
        "organisation": organisation_name(organisation, locale),
        "key_name": data.get("name", ""),
        "vendor_name": data.get("name", ""),
        "url": data.get("url", ""),
        "invoice": data.get("invoice_number", ""),
        "category": value_text("category", data.get("category"), locale),
        "day": (data.get("day_start") or "")[:10],  # a digest's UTC day
        "downloads": data.get("downloads", ""),
    }


def detail_rows(
    data: dict, occurred_at: datetime, locale: str, zone: ZoneInfo, names: dict
) -> list[tuple[str, str]]:
    """(label, value) lines of the notice's body; `names` maps organisation ids to entries."""
    labels = LABELS[locale]
    rows = []
    if data.get("vlnv"):
        title = (
            data.get("title_zh")
            if locale != "en" and data.get("title_zh")
            else data.get("title_en")
        )
        rows.append((labels["core"], vlnv_text(data["vlnv"]) + (f" — {title}" if title else "")))
    for role in ("vendor", "licensee"):
        org_id = data.get(f"{role}_id")
        if org_id and "licensee_id" in data:
            org = names.get(org_id)
            rows.append((labels[role], organisation_name(org, locale) if org else org_id))
    if "vendor_ids" in data:  # a request for IP: what is needed, and who asks
        rows += ip_request_rows(data, labels, locale, names)
    for field, label in PLAIN_FIELDS.items():
        if data.get(field):
            rows.append((labels[label], value_text(field, data[field], locale)))
    for field, label in (("amount", "amount"), ("paid_amount", "paid")):
        if data.get(field) is not None and data.get("currency"):
            rows.append((labels[label], f"{data['currency']} {data[field]}"))
    for field in ("valid_until", "due_at", "not_before"):
        if data.get(field):
            rows.append(
                (labels[field], format_when(datetime.fromisoformat(data[field]), locale, zone))
            )
    if "expires_at" in data and data.get("license_id"):  # a request has no expiry yet
        expires = data["expires_at"]
        rows.append(
            (
                labels["expires_at"],
                labels["perpetual"]
                if not expires
                else format_when(datetime.fromisoformat(expires), locale, zone),
            )
        )
    if data.get("entries"):
        rows.extend(digest_rows(data, locale, zone, names))
    rows.append((labels["occurred_at"], format_when(occurred_at, locale, zone)))
    return rows


def ip_request_rows(data: dict, labels: dict, locale: str, names: dict) -> list[tuple[str, str]]:
    asking = names.get(data["organisation_id"])
    rows = [
        (labels["category"], value_text("category", data["category"], locale)),
        (labels["needed"], data["description"]),
    ]
    rows += [(labels[f], data[f]) for f in ("node", "foundry") if data.get(f)]
    return rows + [
        (labels["requester"], organisation_name(asking, locale) if asking else ""),
        (labels["contact"], f"{data['contact_name']} <{data['contact_email']}>"),
    ]


def digest_rows(data: dict, locale: str, zone: ZoneInfo, names: dict) -> list[tuple[str, str]]:
    """A daily download digest's totals and one line per (license, file), times in `zone`."""
    labels = LABELS[locale]
    rows = [
        (labels["downloads"], str(data["downloads"])),
        (labels["licensees"], str(data["licensees"])),
    ]
    for entry in data["entries"]:
        org = names.get(entry["licensee_id"])
        line = labels["download_line"].format(
            licensee=organisation_name(org, locale) if org else entry["licensee_id"],
            count=entry["downloads"],
            addresses=entry["addresses"],
            when=format_when(datetime.fromisoformat(entry["last_downloaded_at"]), locale, zone),
        )
        rows.append((entry["file_name"], line))
    if data.get("more_entries"):
        rows.append((labels["more_entries"], str(data["more_entries"])))
    return rows
