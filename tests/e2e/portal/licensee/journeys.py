"""Steps the licensee's journeys take outside the browser: finding a core through the catalog's
API, reading through the licensing API with a person's token, and verifying the downloaded
license file offline."""

from __future__ import annotations

import json
import subprocess
import sys

import requests

from tests.support import PROJECT_ROOT


def core_of(market, vendor_key: str, name: str, version: str = "1.1.0") -> dict:
    vendor_id = market.organisations[vendor_key]["id"]
    answer = requests.get(
        f"{market.catalog}/v1/cores", params={"vendor": vendor_id, "limit": 100}, timeout=10
    )
    answer.raise_for_status()
    (core,) = [
        c
        for c in answer.json()["items"]
        if c["vlnv"]["name"] == name and c["vlnv"]["version"] == version
    ]
    return requests.get(f"{market.catalog}/v1/cores/{core['id']}", timeout=10).json()


def licensing(market, person, method: str, path: str, body: dict | None = None) -> dict:
    answer = requests.request(
        method,
        f"{market.licensing}{path}",
        json=body,
        headers={"Authorization": f"Bearer {market.token(person)}"},
        timeout=10,
    )
    assert answer.status_code < 300, (path, answer.status_code, answer.text)
    return answer.json()


def verify_offline(market, license_file) -> dict:
    """`ipmarket license verify` on the file, against the published keys and status list."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ipmarket",
            "license",
            "verify",
            str(license_file),
            "--jwks",
            f"{market.licensing}/.well-known/jwks.json",
            "--status-list",
            f"{market.licensing}/v1/licenses/status-list",
        ],
        env=market.env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)
