import copy
import json

import pytest

from tests.emulator_client import add_fault, emulator_items  # noqa: F401 (used by tests)


def post_json(client, url, body, **extra):
    return client.post(url, data=json.dumps(body), content_type="application/json", **extra)


def post_fault(emulator, path, error_code, *, times=1, after=0):
    add_fault(emulator, path, error_code, times=times, after=after)


@pytest.fixture
def fault(emulator):
    """Inject a fault into the emulator: fault(path, error_code, times=1, after=0)."""

    def add(path, error_code, *, times=1, after=0):
        post_fault(emulator, path, error_code, times=times, after=after)

    return add


@pytest.fixture
def site(plaid_settings, live_server, emulator):
    """The live server as the site, with Link, OAuth and the CSP pointing at this emulator."""
    plaid_settings.SITE_URL = live_server.url
    plaid_settings.ENABLE_OAUTH = True
    plaid_settings.PLAID_REDIRECT_URI = ""
    policy = copy.deepcopy(plaid_settings.CONTENT_SECURITY_POLICY)
    for directive in ("script-src", "frame-src", "connect-src", "img-src"):
        policy["DIRECTIVES"][directive] = [*policy["DIRECTIVES"][directive], emulator.url]
    plaid_settings.CONTENT_SECURITY_POLICY = policy
    return live_server
