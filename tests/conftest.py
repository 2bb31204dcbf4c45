"""The fixed cast and shared fixtures.

alice owns things, bob is another user who must see none of them (every view that takes an id
has a test where bob asks for alice's object and gets 404).
"""

import pytest
from django.core.cache import cache

pytest_plugins = ["plaid_emulator.pytest_plugin"]


@pytest.fixture(autouse=True)
def _isolated_cache():
    # Rate limits, throttles and locks live in Redis; no test may see another's counters.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user(email="alice@example.com", password="alice-pass-123")


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
