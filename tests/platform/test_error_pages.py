"""Our own 403, 404, 500 and CSRF-failure pages: in the site's layout, saying what happened,
with a way back."""

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def assert_in_layout_with_a_way_back(body: str):
    assert 'class="site-header"' in body and 'class="site-footer"' in body
    assert '<a class="btn btn-primary" href="/">Go to your dashboard</a>' in body


def test_a_missing_page_is_our_404(alice_client):
    r = alice_client.get("/no-such-page/")

    assert r.status_code == 404
    body = r.content.decode()
    assert "We couldn't find that page" in body
    assert_in_layout_with_a_way_back(body)


def test_another_users_bank_is_the_same_404(bob_client, alice):
    from tests.factories import PlaidItemFactory

    item = PlaidItemFactory(user=alice)

    r = bob_client.get(f"/banks/{item.public_id}/")

    assert r.status_code == 404
    assert "We couldn't find that page" in r.content.decode()


def test_the_admin_as_a_normal_user_is_our_403(alice_client):
    r = alice_client.get("/admin/", follow=True)

    assert r.status_code == 403
    body = r.content.decode()
    assert "This page isn't open to your account" in body
    assert_in_layout_with_a_way_back(body)


def test_the_500_page_needs_no_database(django_assert_num_queries):
    request = RequestFactory().get("/")

    with django_assert_num_queries(0):
        r = server_error(request)

    assert r.status_code == 500
    body = r.content.decode()
    assert "Something went wrong on our side" in body
    assert_in_layout_with_a_way_back(body)


def test_a_form_without_its_csrf_token_gets_the_styled_failure_page(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    r = client.post("/banks/refresh/")

    assert r.status_code == 403
    body = r.content.decode()
    assert "security check (CSRF) failed" in body
    assert_in_layout_with_a_way_back(body)
