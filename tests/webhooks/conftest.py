import pytest

from .signing import KeyPair


class StubKeyServer:
    """Plaid's /webhook_verification_key/get, stubbed at our wrapper boundary (unit tests only;
    the end-to-end tests fetch keys from the emulator over HTTP)."""

    def __init__(self):
        self.keys: dict[str, dict] = {}
        self.calls: list[str] = []

    def add(self, pair: KeyPair) -> KeyPair:
        self.keys[pair.kid] = dict(pair.jwk)
        return pair

    def __call__(self, kid):
        from banking import plaid as plaid_api

        self.calls.append(kid)
        if kid not in self.keys:
            raise plaid_api.PlaidError(
                "INVALID_WEBHOOK_VERIFICATION_KEY_ID", error_type="INVALID_INPUT", status=400
            )
        return dict(self.keys[kid])


@pytest.fixture(autouse=True)
def _forget_process_local_keys():
    # The shared cache is cleared per test (tests/conftest.py); this process's copy must be too.
    from banking.webhooks import verify

    verify._local_keys.clear()
    yield
    verify._local_keys.clear()


@pytest.fixture
def key_server(monkeypatch):
    server = StubKeyServer()
    monkeypatch.setattr("banking.plaid.webhook_verification_key_get", server)
    return server


@pytest.fixture
def plaid_key(key_server):
    return key_server.add(KeyPair())


@pytest.fixture
def hooked_item(linked_item, emulator, live_server):
    """alice's linked item whose Plaid webhook now points at the live server. (Set after
    linking, so the emulator's link-time webhooks do not race the test.)"""
    url = live_server.url + "/webhook"
    emulator.emu.store.items[linked_item.item_id].webhook = url
    linked_item.webhook_url = url
    linked_item.save(update_fields=["webhook_url"])
    return linked_item


def wait_for(predicate, timeout=10.0, what="condition"):
    import time

    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
