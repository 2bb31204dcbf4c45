"""Every URL that takes an id, walked from the URL conf (not a hand-written list), attacked by
a member whose share is view-only, a user in no household and a former member: each gets 404
(or 403/405) for every id alice has, and nothing in the database changes.

A second test proves the walk is not empty: for every such URL, some id of alice's reaches
her object (anything but 404), so the attack above asked about real objects.
"""

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from finance.portability.export import download_path

from .conftest import client_for

# Signed tokens, not ids: the invitation tests and the unsubscribe tests attack those.
TOKEN_URLS = {"household/join/<str:token>/", "notifications/unsubscribe/<str:token>/"}
SKIPPED_PREFIXES = ("admin/", "accounts/")


def _patterns(resolvers, prefix=""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def urls_with_an_id() -> list[str]:
    found = {
        route
        for route in _patterns(get_resolver().url_patterns)
        if "<uuid:" in route or "<int:" in route or "<str:" in route
    }
    return sorted(
        route
        for route in found
        if route not in TOKEN_URLS and not route.startswith(SKIPPED_PREFIXES)
    )


def _fill(route: str, value: str) -> str:
    head, _, rest = route.partition("<")
    _, _, tail = rest.partition(">")
    return "/" + head + value + tail


def _snapshot() -> dict:
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for label in ("banking", "finance")
        for model in apps.get_app_config(label).get_models()
    }


def test_the_walk_finds_the_household_and_bank_urls():
    routes = urls_with_an_id()
    assert "household/members/<uuid:public_id>/remove/" in routes
    assert "banks/<uuid:public_id>/refresh/" in routes
    assert "transactions/<uuid:public_id>/" in routes
    assert len(routes) >= 25


@pytest.mark.parametrize("route", urls_with_an_id())
def test_no_member_outsider_or_former_member_reaches_alices_objects(
    route, alice, bob, carol, dave, banks
):
    ids = banks["ids"]
    before = _snapshot()
    for attacker in (bob, carol, dave):
        client = client_for(attacker)
        for public_id in ids:
            url = _fill(route, public_id)
            for method in (client.get, client.post):
                response = method(url, {"category_override": "", "notes": "pwned", "name": "x"})
                assert response.status_code in (403, 404, 405), (attacker.email, method, url)
    assert _snapshot() == before


@pytest.mark.parametrize("route", urls_with_an_id())
def test_alice_reaches_her_own_object_through_every_url(route, alice, bob, banks):
    client = client_for(alice)
    reached = False
    for public_id in banks["ids"]:
        url = _fill(route, public_id)
        if url == download_path(banks["export"]).partition("?")[0]:
            url = download_path(banks["export"])  # hers with its signature; attacked without
        try:
            response = client.get(url)
            if response.status_code == 405:
                response = client.post(url, {})
        except Exception:
            # The view got past the lookup (an unreachable Plaid emulator, say): it was hers.
            reached = True
            break
        if response.status_code != 404:
            reached = True
            break
    assert reached, route
