"""The README's walkthrough, executed: its sh block runs in bash, as printed, against real
`ipmarket` processes (the catalog and licensing services, the catalog's relay and the licensing
consumer) on free ports, on SQLite as `make run` and on PostgreSQL, so that it cannot go stale.
Only the ports are replaced, and `curl` fails on an HTTP error answer, so that every step must
succeed."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import pytest

from shared.db.migrations import upgrade
from tests.support import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"
# Any answer of 400 or more stops the walkthrough (`set -e`), with the answer's body shown.
STRICT_CURL = 'curl() { command curl --fail-with-body "$@"; }\n'


def walkthrough(readme: str) -> str:
    section = readme.split("\n## Walkthrough\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"^```sh\n(.*?)^```$", section, re.S | re.M)
    assert block, "the walkthrough has no sh block"
    return block.group(1)


def json_documents(text: str) -> list:
    """Every JSON object printed on its own line(s) in `text`, in order."""
    decoder, documents, position = json.JSONDecoder(), [], 0
    for match in re.finditer(r"^\{", text, re.M):
        if match.start() < position:
            continue
        try:
            document, position = decoder.raw_decode(text, match.start())
        except json.JSONDecodeError:
            continue
        documents.append(document)
    return documents


@pytest.mark.timeout(600)  # the services' start, then the walkthrough's own 240 s at most
@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_the_readme_walkthrough_runs_as_printed(processes, tmp_path, database):
    if database == "sqlite":  # as `make run` keeps them
        for service in ("catalog", "licensing"):
            url = f"sqlite:///{tmp_path / f'{service}.db'}"
            upgrade(service, url)
            processes.env[f"IPMARKET_{service.upper()}_DATABASE_URL"] = url
    urls = {service: processes.serve(service) for service in ("catalog", "licensing")}
    processes.env["IPMARKET_LICENSING_URL"] = urls["licensing"]
    processes.start("catalog-relay", "relay", "catalog")
    processes.start("licensing-consumer", "consume", "licensing")

    script = walkthrough(README.read_text())
    for default, service in ((8001, "catalog"), (8002, "licensing")):
        address = urls[service].removeprefix("http://")
        assert f"localhost:{default}" in script
        script = script.replace(f"localhost:{default}", address)
        script = script.replace(f"127.0.0.1:{default}", address)
    assert not re.search(r"(localhost|127\.0\.0\.1):800\d", script)
    (tmp_path / ".venv").symlink_to(PROJECT_ROOT / ".venv")  # `.venv/bin/ipmarket` as printed
    started = time.monotonic()
    run = subprocess.run(
        ["bash", "-e", "-u", "-o", "pipefail", "-c", STRICT_CURL + script],
        cwd=tmp_path,
        env=processes.env,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=240,
    )
    assert run.returncode == 0, f"stdout:\n{run.stdout[-3000:]}\nstderr:\n{run.stderr[-3000:]}"
    print(f"the walkthrough ran in {time.monotonic() - started:.1f} s")

    printed = json_documents(run.stdout)
    searches = [d for d in printed if "facets" in d]
    assert len(searches) == 2 and all(search["total"] > 0 for search in searches)
    chinese = searches[1]["items"]
    assert all(
        core["vendor_region"] == "mainland_china"
        and core["category"] == "memory_controllers_phys"
        and "控制器" in core["title_zh"]
        for core in chinese
    ), chinese

    core = json.loads((tmp_path / "core.json").read_text())
    assert core["vlnv"] == {
        "vendor": "xinyuan-micro.cn",
        "library": "ip",
        "name": "rv64_app",
        "version": "1.1.0",
    }  # the one the notices below the walkthrough name
    assert core["eccn"] == "3E001"
    assert core["offers"][0]["kind"] == "evaluation"  # "the first offer: a 3-month evaluation"
    request = json.loads((tmp_path / "request.json").read_text())
    assert request["state"] == "screening"
    assert request["screening"]["outcome"] == "review"
    assert request["screening"]["reason_code"] == "ADVANCED_IC_TECHNOLOGY_REVIEW"
    assert request["screening"]["rule_id"] == "3e001-review"
    approved = json.loads((tmp_path / "approved.json").read_text())
    assert approved["state"] == "issued" and approved["license_id"]
    verified = printed[-1]
    assert verified["result"] == "VALID"
    assert verified["license_id"] == approved["license_id"]
    assert Path(tmp_path / "license.txt").read_text().startswith("-----BEGIN")
