"""Login throttles behind the documented reverse proxy: one client IP rule for everything."""

import pytest
from django.test import RequestFactory

from config.client_ip import client_ip

PROXY = "10.0.0.2"  # every request reaches the site from the proxy's address


def request(remote=PROXY, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_it_ignores_x_forwarded_for_when_no_proxy_is_trusted(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request(remote="198.51.100.7", forwarded="203.0.113.9")) == "198.51.100.7"


def test_it_takes_the_address_our_proxy_saw_and_not_what_the_client_wrote(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forged the first entry; our proxy appended the real one.
    assert client_ip(request(forwarded="6.6.6.6, 203.0.113.9")) == "203.0.113.9"


def test_it_counts_each_trusted_proxy_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request(forwarded="6.6.6.6, 203.0.113.9, 10.0.0.3")) == "203.0.113.9"


def test_it_falls_back_to_the_peer_when_the_header_is_shorter_than_the_proxy_chain(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request(forwarded="203.0.113.9")) == PROXY


def test_it_normalises_ports_and_ignores_garbage(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request(forwarded="[2001:db8::1]:443")) == "2001:db8::1"
    assert client_ip(request(forwarded="203.0.113.9:51234")) == "203.0.113.9"
    assert client_ip(request(forwarded="not-an-ip")) == PROXY


def test_allauth_uses_the_same_client_ip(settings):
    from allauth.account.adapter import get_adapter

    settings.TRUSTED_PROXY_COUNT = 1
    assert get_adapter().get_client_ip(request(forwarded="203.0.113.9")) == "203.0.113.9"


def login(client, email, password, ip):
    return client.post(
        "/accounts/login/",
        {"login": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=ip,
    )


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    return settings


def test_one_attacker_behind_the_proxy_does_not_lock_out_everyone(client, alice, behind_proxy):
    for n in range(25):
        login(client, f"random-{n}@example.com", "guess-guess", "203.0.113.66")
    response = login(client, "alice@example.com", "alice-pass-123", "198.51.100.20")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_the_attackers_own_address_is_throttled(client, alice, behind_proxy):
    for n in range(20):
        login(client, f"random-{n}@example.com", "guess-guess", "203.0.113.66")
    response = login(client, "alice@example.com", "alice-pass-123", "203.0.113.66")
    assert "_auth_user_id" not in client.session
    assert "Too many failed sign-in attempts. Try again in 5 minutes." in response.content.decode()


def test_a_known_email_is_locked_for_a_stated_time_only(client, alice, behind_proxy):
    for n in range(5):
        login(client, "alice@example.com", "guess-guess", f"203.0.113.{n + 1}")
    response = login(client, "alice@example.com", "alice-pass-123", "198.51.100.20")
    assert "_auth_user_id" not in client.session
    assert "Try again in 5 minutes." in response.content.decode()


def test_the_lockout_time_follows_the_setting(client, alice, behind_proxy):
    behind_proxy.LOGIN_LOCKOUT_MINUTES = 1
    behind_proxy.ACCOUNT_RATE_LIMITS = {**behind_proxy.ACCOUNT_RATE_LIMITS}
    behind_proxy.ACCOUNT_RATE_LIMITS["login_failed"] = "20/1m/ip,5/1m/key"
    for _ in range(5):
        login(client, "alice@example.com", "guess-guess", "203.0.113.1")
    response = login(client, "alice@example.com", "alice-pass-123", "198.51.100.20")
    assert "Try again in 1 minute." in response.content.decode()
