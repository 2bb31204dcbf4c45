"""The fixed cast and shared fixtures.

alice owns things, bob is another user who must see none of them (every view that takes an id
has a test where bob asks for alice's object and gets 404).
"""

import pytest
from django.core.cache import cache

pytest_plugins = ["plaid_emulator.pytest_plugin"]


def _clear_cache():
    # Only this run's keys: cache.clear() is FLUSHDB, which would also wipe other test runs'
    # counters and a running dev server's broker queue in the same Redis database.
    from django.conf import settings

    try:
        client = cache._cache.get_client(write=True)
    except AttributeError:  # not a Redis cache (a test's override): clear it whole
        cache.clear()
        return
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _isolated_cache():
    # Rate limits, throttles and locks live in Redis; no test may see another's counters.
    _clear_cache()
    yield
    _clear_cache()


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user(
        email="alice@example.com", password="alice-pass-123"
    )


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user(email="bob@example.com", password="bob-pass-1234")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client


@pytest.fixture
def plaid_settings(settings, emulator):
    """Point the site at the in-process emulator for this test."""
    settings.PLAID_ENV = "emulator"
    settings.PLAID_EMULATOR_URL = emulator.url
    settings.PLAID_CLIENT_ID = "emulator-client-id"
    settings.PLAID_SECRET = "emulator-secret"
    return settings


@pytest.fixture
def linked_item(alice, plaid_settings):
    """An item for alice at First Platypus Bank, linked through our real exchange service
    (the first sync is not run: on_commit callbacks do not fire inside a test transaction)."""
    from banking import link
    from banking import plaid as plaid_api

    public_token = plaid_api.sandbox_public_token_create("ins_109508")
    return link.item_link(user=alice, public_token=public_token, metadata=None)


def pytest_collection_modifyitems(config, items):
    """Tests of one database's behaviour are deselected (not skipped) on the other one."""
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    vendor = "postgresql" if "postgresql" in engine else "sqlite"
    other = "sqlite" if vendor == "postgresql" else "postgresql"
    keep = [item for item in items if not item.get_closest_marker(other)]
    dropped = [item for item in items if item.get_closest_marker(other)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """Under CI a skipped test is a missing service or tool, and that fails the run."""
    import os

    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if os.environ.get("CI") == "true" and skipped and session.exitstatus == 0:
        reporter.write_line(f"CI=true: {skipped} test(s) skipped; failing the run.", red=True)
        session.exitstatus = 1
