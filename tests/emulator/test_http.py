"""The HTTP layer: every body is read whatever the method, chunked bodies work, unknown paths
and methods get Plaid's JSON error, and a kept-alive connection stays in step."""

from __future__ import annotations

import http.client
import json
import random

import pytest

CREDS = {"client_id": "emulator-client-id", "secret": "emulator-secret"}


def conn(emulator) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(emulator.host, emulator.port, timeout=10)


def answer(c: http.client.HTTPConnection) -> tuple[int, dict | None]:
    r = c.getresponse()
    raw = r.read()
    is_json = raw and "json" in r.getheader("Content-Type", "")
    return r.status, (json.loads(raw) if is_json else None)


def test_it_answers_an_unknown_path_with_plaids_json_404(emulator):
    c = conn(emulator)
    c.request("POST", "/no/such/endpoint", body=json.dumps(CREDS))
    status, body = answer(c)
    assert status == 404
    assert body["error_type"] == "INVALID_REQUEST" and body["error_code"] == "NOT_FOUND"


@pytest.mark.parametrize("method", ["PUT", "PATCH", "TRACE", "FOO"])
def test_it_answers_an_unknown_method_with_plaids_json_405(emulator, method):
    c = conn(emulator)
    c.request(method, "/accounts/get", body=b'{"x": 1}')
    status, body = answer(c)
    assert status == 405 and body["error_code"] == "METHOD_NOT_ALLOWED"
    # The body was read: the same connection serves the next request.
    c.request("POST", "/item/get", body=json.dumps(CREDS))
    status, body = answer(c)
    assert status == 400 and body["error_code"] == "MISSING_FIELDS"


def test_it_answers_get_on_a_plaid_endpoint_with_405(emulator):
    c = conn(emulator)
    c.request("GET", "/accounts/get")
    assert answer(c)[0] == 405


def test_it_reads_a_chunked_body(emulator):
    c = conn(emulator)
    body = json.dumps({**CREDS, "query": "platypus", "country_codes": ["US"]}).encode()
    c.putrequest("POST", "/institutions/search")
    c.putheader("Content-Type", "application/json")
    c.putheader("Transfer-Encoding", "chunked")
    c.endheaders()
    for i in range(0, len(body), 7):
        part = body[i : i + 7]
        c.send(b"%x\r\n%s\r\n" % (len(part), part))
    c.send(b"0\r\n\r\n")
    status, payload = answer(c)
    assert status == 200 and payload["institutions"]


@pytest.mark.parametrize("method", ["GET", "DELETE", "OPTIONS"])
def test_it_discards_the_body_of_a_bodyless_method(emulator, method):
    c = conn(emulator)
    c.request(method, "/", body=b'{"ignored": true}', headers={"Content-Type": "application/json"})
    assert answer(c)[0] in (200, 204, 404, 405)
    c.request("POST", "/link/token/get", body=json.dumps(CREDS))
    status, body = answer(c)
    assert status == 400 and body["error_code"] == "MISSING_FIELDS"


def test_it_stays_in_step_over_a_thousand_mixed_requests_on_one_connection(emulator):
    rng = random.Random(7)
    c = conn(emulator)
    search = json.dumps({**CREDS, "query": "bank", "country_codes": ["US"]})
    requests = [
        ("POST", "/institutions/search", search, 200),
        ("POST", "/item/get", json.dumps(CREDS), 400),
        ("POST", "/accounts/get", "{not json", 400),
        ("GET", "/", '{"a body": "on a GET"}', 200),
        ("DELETE", "/nowhere", "x" * 300, 404),
        ("OPTIONS", "/accounts/get", "", 204),
        ("PUT", "/accounts/get", "[1, 2, 3]", 405),
        ("HEAD", "/", "", 200),
        ("POST", "/no/such", json.dumps(CREDS), 404),
        ("GET", "/emulator/faults", "{}", 200),
    ]
    for n in range(1000):
        method, path, body, expected = rng.choice(requests)
        c.request(method, path, body=body.encode() if body else None)
        r = c.getresponse()
        r.read()
        assert r.status == expected, (n, method, path, r.status)
        assert r.getheader("Connection", "").lower() != "close"
