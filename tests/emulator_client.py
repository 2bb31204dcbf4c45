"""One HTTP client for the Plaid emulator in tests: its control API (/emulator/...) and its Link
back end (/link/api/...). `emulator` is the test's emulator fixture (anything with `.url`)."""

import json
import urllib.request


def emulator_call(emulator, method, path, body=None, *, timeout=30):
    """`method path` with a JSON body; the decoded JSON answer ({} when empty)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        emulator.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read() or b"{}")


def add_fault(emulator, path, error_code=None, *, times=None, after=0, latency_ms=None):
    """Let `after` requests to `path` through, then fail the next `times` (every later one when
    None) with `error_code`; or slow every request down by `latency_ms`."""
    body = {"path": path}
    if latency_ms is not None:
        body["latency_ms"] = latency_ms
    else:
        body.update(error_code=error_code, after=after)
        if times is not None:
            body["times"] = times
    return emulator_call(emulator, "POST", "/emulator/faults", body)


def emulator_items(emulator):
    return emulator_call(emulator, "GET", "/emulator/items")


def fire_webhook(emulator, item_id, webhook_code, webhook_type=None):
    body = {"webhook_code": webhook_code}
    if webhook_type:
        body["webhook_type"] = webhook_type
    return emulator_call(emulator, "POST", f"/emulator/items/{item_id}/fire_webhook", body)
