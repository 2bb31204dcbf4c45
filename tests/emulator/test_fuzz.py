"""Property-based conformance: for every endpoint the emulator serves, bodies built from
Plaid's own request schema (valid values, wrong types, unknown keys, missing fields, nulls)
never get a 5xx, and every answer, whatever its status, is valid against Plaid's spec.

The spec is read from outside the repository (see conftest.py). Examples per endpoint:
FUZZ_EXAMPLES (default 40), which keeps the whole file to about a minute.
"""

from __future__ import annotations

import http.client
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plaid_emulator.api import ROUTES

from .helpers import post

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
CREDS = {"client_id": "emulator-client-id", "secret": "emulator-secret"}

# Values that reach past the token checks into the handlers; the test swaps in live ones.
PLACEHOLDERS = {
    "access_token": "$ACCESS",
    "public_token": "$PUBLIC",
    "link_token": "$LINK",
    "key_id": "$KID",
}
REAL = {
    "institution_id": ["ins_109508", "ins_127287", "ins_109509", "ins_117650", "ins_43"],
    "webhook": ["http://127.0.0.1:9/hook", ""],
    "redirect_uri": ["http://127.0.0.1:9/oauth"],
    "override_password": ["pass_good", "error_ITEM_LOCKED", "mfa_device", "{}", "x"],
    "override_username": ["user_good", "user_custom", "user_transactions_dynamic"],
    # Mostly products the emulator serves, so bodies get past the product check.
    "products": ["transactions", "auth", "identity", "balance", "investments"],
    "initial_products": ["transactions", "auth", "identity", "balance", "assets"],
    "country_codes": ["US", "US", "GB", "CA", "FR"],
}
# Optional in the spec, needed in practice (Plaid: "one of user or user_id is required").
ALWAYS = ("user", "products")
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.lists(st.text(max_size=4), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


class Strategies:
    def __init__(self, spec: dict):
        self.schemas = spec["components"]["schemas"]

    def resolve(self, s: dict) -> dict:
        while "$ref" in s:
            s = self.schemas[s["$ref"].rsplit("/", 1)[-1]]
        if "allOf" in s:
            merged: dict = {"type": "object", "properties": {}, "required": []}
            for part in s["allOf"]:
                part = self.resolve(part)
                merged["properties"].update(part.get("properties", {}))
                merged["required"] += part.get("required", [])
            return merged
        return s

    def valid(self, s: dict, name: str, depth: int, junk: bool = False):
        s = self.resolve(s)
        if name in PLACEHOLDERS:
            return st.sampled_from([PLACEHOLDERS[name], PLACEHOLDERS[name], "access-sandbox-x"])
        if name in REAL and s.get("type") != "array":
            return st.sampled_from(REAL[name])
        if "enum" in s:
            return st.sampled_from([v for v in s["enum"] if v is not None])
        t = s.get("type")
        if t == "object" or "properties" in s:
            return self.obj(s, depth, junk)
        if t == "array":
            item = self.field(s.get("items", {}), name, depth + 1, junk)
            return st.lists(item, min_size=s.get("minItems", 0), max_size=3)
        if t == "integer":
            return st.integers(s.get("minimum", -5), s.get("maximum", 1000))
        if t == "number":
            return st.floats(0, 10_000, allow_nan=False)
        if t == "boolean":
            return st.booleans()
        if s.get("format") == "date":
            return st.dates().map(lambda d: d.isoformat())
        if s.get("format") == "date-time":
            return st.datetimes().map(lambda d: d.isoformat() + "Z")
        return st.text(min_size=max(1, s.get("minLength", 0)), max_size=10)

    def field(self, s: dict, name: str, depth: int, junk: bool):
        # In junk mode: mostly what the schema asks for, sometimes anything at all.
        good = self.valid(s, name, depth, junk)
        return st.one_of(good, good, JUNK) if junk else good

    def body(self, s: dict):
        """Half the bodies follow the schema exactly; the other half break it somewhere."""
        return st.one_of(self.obj(s, 0, False), self.obj(s, 0, True))

    def obj(self, s: dict, depth: int, junk: bool):
        s = self.resolve(s)
        props = s.get("properties", {})
        if depth > 3 or not props:
            return st.dictionaries(st.text(max_size=5), JUNK, max_size=2)
        required = [n for n in s.get("required", []) if n in props]
        optional = [n for n in props if n not in required and n not in ("client_id", "secret")]

        @st.composite
        def build(draw):
            out = {}
            for n in required:
                # Now and then (junk mode) a required field is missing.
                if not junk or draw(st.integers(0, 19)) > 0:
                    out[n] = draw(self.field(props[n], n, depth + 1, junk))
            if optional:
                picks = draw(st.lists(st.sampled_from(optional), unique=True, max_size=4))
            else:
                picks = []
            if not junk:
                picks += [n for n in ALWAYS if n in optional and n not in picks]
            for n in picks:
                out[n] = draw(self.field(props[n], n, depth + 1, junk))
            if junk and draw(st.integers(0, 9)) == 0:
                out[draw(st.text(min_size=1, max_size=8))] = draw(JUNK)
            return out

        return build()


def request_schema(spec: dict, path: str) -> dict:
    return spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]


def live_tokens(url: str) -> dict:
    """A fresh item (it may be removed or broken by the example), a public token, a link
    token and a webhook key id. The item's bank has every product the emulator serves."""
    _, pt = post(
        url,
        "/sandbox/public_token/create",
        {
            "institution_id": "ins_109510",
            "initial_products": ["transactions", "auth", "identity"],
            "options": {"transactions": {"days_requested": 20}, "webhook": "http://127.0.0.1:9/"},
        },
    )
    _, ex = post(url, "/item/public_token/exchange", {"public_token": pt["public_token"]})
    _, pt2 = post(
        url,
        "/sandbox/public_token/create",
        {"institution_id": "ins_109508", "initial_products": ["transactions"]},
    )
    _, lt = post(
        url,
        "/link/token/create",
        {
            "client_name": "Fuzz",
            "language": "en",
            "country_codes": ["US"],
            "user": {"client_user_id": "u"},
            "products": ["transactions"],
        },
    )
    return {
        "$ACCESS": ex["access_token"],
        "$PUBLIC": pt2["public_token"],
        "$LINK": lt["link_token"],
        "$KID": post(url, "/emulator/webhook_keys/rotate", creds=False)[1]["key_id"],
    }


def substitute(value, tokens: dict):
    if isinstance(value, str):
        return tokens.get(value, value)
    if isinstance(value, list):
        return [substitute(v, tokens) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, tokens) for k, v in value.items()}
    return value


@pytest.mark.parametrize("path", sorted(ROUTES))
def test_it_never_fails_and_always_answers_within_the_spec(emulator, openapi, path):
    spec = openapi.spec
    assert path in spec["paths"], f"{path} is served but not in Plaid's spec"
    strategy = Strategies(spec).body(request_schema(spec, path))
    conn = http.client.HTTPConnection(emulator.host, emulator.port, timeout=30)
    statuses: dict[str, int] = {}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(body=strategy, creds=st.integers(0, 24).map(lambda n: n != 7))
    def check(body, creds):
        body = substitute(body, live_tokens(emulator.url))
        if creds:  # one example in 25 goes without API keys
            body = {**body, **CREDS}
        conn.request(
            "POST", path, body=json.dumps(body), headers={"Content-Type": "application/json"}
        )
        r = conn.getresponse()
        answer = json.loads(r.read())
        assert r.status < 500, (path, body, answer)
        key = answer.get("error_code") or str(r.status)
        statuses[key] = statuses.get(key, 0) + 1
        openapi.validate(path, r.status, answer)

    check()
    conn.close()
    # The bodies reached the handler's happy path, not only the validator.
    assert "200" in statuses, statuses


def test_it_answers_any_bytes_with_plaids_error_and_keeps_the_connection(emulator, openapi):
    conn = http.client.HTTPConnection(emulator.host, emulator.port, timeout=30)

    @settings(max_examples=EXAMPLES * 5, deadline=None, database=None, derandomize=True)
    @given(
        raw=st.one_of(st.binary(max_size=300), JUNK.map(lambda v: json.dumps(v).encode())),
        path=st.sampled_from(sorted(ROUTES)),
        ctype=st.sampled_from(
            ["application/json", "application/x-www-form-urlencoded", "text/plain", ""]
        ),
    )
    def check(raw, path, ctype):
        conn.request("POST", path, body=raw, headers={"Content-Type": ctype})
        r = conn.getresponse()
        answer = json.loads(r.read())
        assert r.status < 500, (path, raw, answer)
        openapi.validate(path, r.status, answer)

    check()
    conn.close()
