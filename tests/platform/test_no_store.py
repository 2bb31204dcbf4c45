"""Every page and JSON answer of ours tells browsers and proxies not to store it."""

from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from banking.models import LinkSession
from tests.factories import PlaidItemFactory, TransactionFactory

pytestmark = pytest.mark.django_db

# allauth's pages are walked too; the admin has its own tests and needs a staff session.
STATE = "9d5feadd-a873-43eb-97ba-422f35ce849b"
SKIP_PREFIXES = ("admin/",)


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _concrete(route: str, ids: dict) -> str | None:
    if route.startswith(SKIP_PREFIXES) or route.startswith("^") or "(?P" in route:
        return None
    for converter, value in ids.items():
        route = route.replace(converter, value)
    if "<" in route:
        return None
    return "/" + route


def test_every_url_of_ours_answers_with_no_store(alice_client, alice):
    item = PlaidItemFactory(user=alice)
    txn = TransactionFactory(account__item=item)
    ids = {"<uuid:public_id>": str(item.public_id)}
    seen = []
    for route in _patterns(get_resolver()):
        path = _concrete(route, ids)
        if path is None:
            continue
        if path.startswith("/transactions/") and str(item.public_id) in path:
            path = path.replace(str(item.public_id), str(txn.public_id))
        for response in (
            alice_client.get(path),
            alice_client.post(path, data="{}", content_type="application/json"),
        ):
            assert "no-store" in response.get("Cache-Control", ""), (path, response.status_code)
        seen.append(path)
    # The walk really covered the money pages, the bank pages, Link and the JSON endpoints.
    for expected in (
        "/",
        "/transactions/",
        "/transactions/export.csv",
        f"/transactions/{txn.public_id}/",
        "/insights/",
        "/banks/",
        f"/banks/{item.public_id}/",
        f"/banks/{item.public_id}/status/",
        "/link/token/",
        "/link/exchange/",
        "/oauth-callback",
        "/health/",
    ):
        assert expected in seen


def test_the_oauth_page_holding_the_link_token_is_not_stored(alice_client, alice):
    LinkSession.objects.create(
        user=alice, link_token="link-sandbox-oauth", expires_at=timezone.now() + timedelta(hours=1)
    )
    response = alice_client.get(f"/oauth-callback?oauth_state_id={STATE}")
    assert response.status_code == 200
    assert b"link-sandbox-oauth" in response.content
    assert "no-store" in response["Cache-Control"]


def test_the_transaction_edit_json_is_not_stored(alice_client, alice):
    txn = TransactionFactory(account__item=PlaidItemFactory(user=alice))
    response = alice_client.post(
        f"/transactions/{txn.public_id}/", {"notes": "gift"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert "no-store" in response["Cache-Control"]
