"""Link is throttled per person and per client address, and Link's Plaid calls have their own
window inside the client budget, so one account cannot starve everyone's syncs."""

import pytest
from django.core.cache import cache

from banking import plaid as plaid_api
from banking.models import LinkSession
from banking.plaid import ratelimit

from .conftest import post_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight(plaid_settings):
    plaid_settings.LINK_ATTEMPTS_PER_USER = 2
    plaid_settings.LINK_ATTEMPTS_PER_IP = 3
    plaid_settings.TRUSTED_PROXY_COUNT = 1
    return plaid_settings


def test_it_throttles_link_tokens_per_user_with_a_clear_json_error(alice_client, tight):
    for _ in range(2):
        assert post_json(alice_client, "/link/token/", {}).status_code == 200
    response = post_json(alice_client, "/link/token/", {})
    assert response.status_code == 429
    assert response.json()["error"] == (
        "Too many attempts to connect a bank. Please try again in 10 minutes."
    )
    assert 0 < int(response["Retry-After"]) <= 600
    # The throttled attempt cost neither a Plaid call nor a stored session.
    assert LinkSession.objects.count() == 2


def test_the_exchange_counts_against_the_same_budget(alice_client, tight):
    post_json(alice_client, "/link/token/", {})
    post_json(alice_client, "/link/exchange/", {"public_token": "public-sandbox-x", "metadata": {}})
    response = post_json(
        alice_client, "/link/exchange/", {"public_token": "public-sandbox-x", "metadata": {}}
    )
    assert response.status_code == 429
    assert "Too many attempts" in response.json()["error"]


def test_it_throttles_per_client_address_behind_the_proxy(client, alice, bob, tight):
    tight.LINK_ATTEMPTS_PER_USER = 100
    for user in (alice, bob, alice):
        client.force_login(user)
        response = post_json(client, "/link/token/", {}, HTTP_X_FORWARDED_FOR="203.0.113.9")
        assert response.status_code == 200
    client.force_login(bob)
    assert (
        post_json(client, "/link/token/", {}, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    )
    # Another visitor behind the same proxy is not locked out by the first one.
    assert (
        post_json(client, "/link/token/", {}, HTTP_X_FORWARDED_FOR="198.51.100.4").status_code
        == 200
    )


def test_one_user_cannot_use_another_users_budget(alice_client, bob, tight):
    tight.LINK_ATTEMPTS_PER_IP = 100
    for _ in range(2):
        post_json(alice_client, "/link/token/", {})
    assert post_json(alice_client, "/link/token/", {}).status_code == 429
    alice_client.force_login(bob)
    assert post_json(alice_client, "/link/token/", {}).status_code == 200


def test_links_calls_have_their_own_window_inside_the_client_budget(settings):
    settings.PLAID_USER_CALLS_PER_MINUTE = 2
    settings.PLAID_RATE_LIMIT_MAX_WAIT_SECONDS = 0
    for _ in range(2):
        ratelimit.acquire("/link/token/create", None)
    with pytest.raises(plaid_api.RateLimited):
        ratelimit.acquire("/item/public_token/exchange", None)
    # A sync's calls are not in that window: Link's clicks leave them their budget.
    ratelimit.acquire("/institutions/get_by_id", None)
    assert cache.make_key("plaid-rl:client:user") in dict(
        ratelimit.limits_for("/link/token/create", None)
    )
