"""Issue 13: a fuzz test over every JSON body, query and path parameter of the three services,
with hostile values (NUL, lone surrogates, deep nesting, integers past 64 bits, very long
strings): no answer is a 500. The operations come from each app's own OpenAPI document, so a new
endpoint is fuzzed without being listed here. Bounded and reproducible: hypothesis derandomized
(a fixed seed) with a fixed number of examples per service."""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES_PER_SERVICE = 150

HOSTILE_TEXT = st.sampled_from(
    [
        "\x00",
        "a\x00b",
        "\ud800",
        "x\udfffy",
        "\ud83d",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        "芯片" * 50,
        "x" * 70_000,
        "9" * 30,
        "-" + "9" * 30,
        "1e400",
        "NaN",
        "-1",
        "0",
        "",
        " ",
        "../../etc/passwd",
        "https://example.invalid/\x00",
        "%00",
        "' OR 1=1 --",
        "<script>",
        "all",
    ]
)
TEXT = st.one_of(HOSTILE_TEXT, st.text(max_size=30))
NUMBER = st.one_of(
    st.sampled_from([2**63, -(2**63) - 1, 10**30, 2**31, -1, 0]),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
)
LEAF = st.one_of(TEXT, NUMBER, st.booleans(), st.none())
VALUE = st.recursive(
    LEAF,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=12,
)
DEEP = st.integers(min_value=33, max_value=5000).map(lambda n: "[" * n + "]" * n)


def _schema(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def operations(spec: dict) -> list[dict]:
    """Every operation that takes a JSON body, a query or a path parameter."""
    found = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            parameters = [*item.get("parameters", []), *operation.get("parameters", [])]
            content = operation.get("requestBody", {}).get("content", {})
            body = (
                _schema(spec, content["application/json"].get("schema", {}))
                if "application/json" in content
                else None
            )
            if body is None and not parameters:
                continue
            found.append(
                {
                    "method": method,
                    "path": path,
                    "body": body,
                    "query": [p["name"] for p in parameters if p["in"] == "query"],
                    "path_parameters": [p["name"] for p in parameters if p["in"] == "path"],
                }
            )
    return found


@st.composite
def hostile_request(draw, operation: dict, spec: dict):
    path = operation["path"]
    for name in operation["path_parameters"]:
        value = draw(st.one_of(HOSTILE_TEXT.filter(bool), st.text(min_size=1, max_size=10)))
        path = path.replace(
            "{" + name + "}", quote(value.encode("utf-8", "surrogatepass"), safe="")
        )
    query = {
        name: draw(st.one_of(TEXT, NUMBER.map(str)))
        for name in operation["query"]
        if draw(st.booleans())
    }
    if query:
        path += "?" + urlencode({k: v.encode("utf-8", "surrogatepass") for k, v in query.items()})
    body = None
    if operation["body"] is not None:
        properties = _schema(spec, operation["body"]).get("properties", {})
        if draw(st.integers(0, 9)) == 0:
            body = draw(DEEP)
        else:
            fields = draw(
                st.dictionaries(
                    st.sampled_from(sorted(properties) or ["x"]),
                    VALUE,
                    max_size=len(properties) + 1,
                )
            )
            body = json.dumps(fields)  # ASCII: a lone surrogate travels as its \\u escape
    return operation["method"], path, body


@pytest.mark.parametrize("service_name", ["catalog", "licensing", "notify"])
def test_no_hostile_request_is_a_500(services, service_name):
    service = services[service_name]
    spec = service.client.get("/openapi.json").get_json()
    found = operations(spec)
    assert found, "the OpenAPI document lists operations"

    @settings(
        max_examples=EXAMPLES_PER_SERVICE,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.sampled_from(found).flatmap(lambda op: hostile_request(op, spec)))
    def fuzz(request):
        method, path, body = request
        kwargs = {"headers": service.headers}
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
        response = service.client.open(path, method=method.upper(), **kwargs)
        assert response.status_code < 500, (
            method,
            path,
            (body or "")[:300],
            response.get_data(as_text=True)[:500],
        )

    fuzz()
