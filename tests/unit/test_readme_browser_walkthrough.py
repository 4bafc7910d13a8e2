"""The README's browser walkthrough (issue 16), checked without a browser: the lines of its
shell block that find the invitations print each invitee's link from the .eml files notify
really writes (base64 bodies, among other notices), and every button, link and choice it names
in *italics* is one of the portal's English strings. The clicking itself was done by hand."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime
from types import SimpleNamespace

from services.notify import mail
from services.notify.account_mail import compose_account
from shared.events import people
from tests.support import PROJECT_ROOT

NOW = datetime(2026, 12, 2, 20, 5, tzinfo=UTC)
SECTION = (
    (PROJECT_ROOT / "README.md")
    .read_text()
    .split("\n### In the browser\n", 1)[1]
    .split("\n### ", 1)[0]
)


def invitation(to: str, token: str, organisation) -> object:
    data = {
        "invitation_id": token,
        "organisation_id": "o",
        "email": to,
        "roles": ["owner"],
        "invited_by": None,
        "locale": organisation.locale,
        "link_token": f"invitation.{token}",
        "expires_at": NOW.isoformat(),
    }
    return compose_account(
        event_type=people.MEMBER_INVITED,
        occurred_at=NOW,
        data=data,
        organisation=organisation,
        to_name="",
        to_address=to,
        locale=organisation.locale,
        timezone=None,
        message_id=mail.message_id_for(token, to),
        now=NOW,
    )


def test_the_block_prints_each_invitation_link_from_the_mail_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("IPMARKET_PORTAL_URL", "http://localhost:8000")
    lakeside = SimpleNamespace(
        locale="zh-Hans", timezone="Asia/Shanghai", legal_name_en="Lakeside", legal_name_zh="湖畔"
    )
    park = SimpleNamespace(locale="en", timezone="UTC", legal_name_en="Park", legal_name_zh=None)
    transport = mail.MailDirTransport(str(tmp_path / "var" / "mail"))
    for to, token, organisation in (
        ("ops@park.example", "t-ops", park),
        ("you@lakeside.example", "t-lakeside", lakeside),
        ("you@xinyuan.example", "t-xinyuan", lakeside),
    ):
        transport.send(invitation(to, token, organisation))
    transport.send(  # one of the demo's other notices, which the block must pass over
        mail.compose(
            event_type="ipmarket.api_key.created.v1",
            occurred_at=NOW,
            data={"organisation_id": "o", "name": "demo key"},
            organisation=lakeside,
            names={},
            to_name="赵丽",
            to_address="zhaoli@lakeside.example",
            message_id=mail.message_id_for("e1", "zhaoli@lakeside.example"),
            now=NOW,
        )
    )
    block = re.search(r"^```bash\n(.*?)^```$", SECTION, re.S | re.M).group(1)
    finding = block[block.index("\nuntil ") :]  # from the wait for the invitations on
    run = subprocess.run(
        ["bash", "-e", "-u", "-o", "pipefail", "-c", finding],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert run.returncode == 0, run.stderr
    assert sorted(run.stdout.splitlines()) == [
        f"{to} http://localhost:8000/invitations/accept?token=invitation.{token}"
        for to, token in (
            ("ops@park.example", "t-ops"),
            ("you@lakeside.example", "t-lakeside"),
            ("you@xinyuan.example", "t-xinyuan"),
        )
    ]


def test_every_control_the_steps_name_is_a_portal_string():
    steps = re.sub(r"\n\s*", " ", SECTION.split("```", 2)[2])  # the prose after the block
    named = re.findall(r"(?<![*\w])\*([^*]+?)\*(?![*\w])", steps)
    controls = {part for name in named for part in name.split(" → ")}
    assert {"Request a license", "Clear: the export may go ahead", "Approve"} <= controls
    catalogue = (PROJECT_ROOT / "services/portal/translations/messages.pot").read_text()
    msgids = set(re.findall(r'^msgid "(.+)"$', catalogue, re.M))
    assert not controls - msgids, sorted(controls - msgids)
