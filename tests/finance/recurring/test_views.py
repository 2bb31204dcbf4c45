"""/recurring/, its actions and export, and the dashboard's upcoming bills."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from finance.models import RecurringStream
from tests.factories import AccountFactory, PlaidItemFactory
from tests.reauth import recently_authenticated

pytestmark = pytest.mark.django_db


def _stream(user, **kw):
    account = kw.pop("account", None) or AccountFactory(item=PlaidItemFactory(user=user))
    today = timezone.localdate()
    fields = {
        "key": f"d:{account.pk}:out:hulu",
        "source": "detector",
        "description": "HULU 877-8244858",
        "merchant_name": "Hulu",
        "frequency": "MONTHLY",
        "status": "MATURE",
        "first_date": today - timedelta(days=300),
        "last_date": today - timedelta(days=20),
        "predicted_next_date": today + timedelta(days=10),
        "average_amount": Decimal("17.99"),
        "last_amount": Decimal("19.99"),
        "previous_amount": Decimal("17.99"),
        "iso_currency_code": "USD",
        **kw,
    }
    return RecurringStream.objects.create(user=user, account=account, **fields)


@pytest.fixture
def hulu(alice):
    return _stream(alice)


def test_it_lists_subscriptions_with_their_monthly_total_and_price_increase(
    alice_client, alice, hulu
):
    account = hulu.account
    _stream(
        alice,
        account=account,
        key="k2",
        description="HELLOFRESH",
        merchant_name="HelloFresh",
        frequency="WEEKLY",
        average_amount=Decimal("69.99"),
        last_amount=Decimal("69.99"),
        previous_amount=Decimal("69.99"),
    )
    _stream(
        alice,
        account=account,
        key="k3",
        description="ACME PAYROLL",
        merchant_name="",
        frequency="BIWEEKLY",
        average_amount=Decimal("-2000"),
        last_amount=Decimal("-2000"),
        previous_amount=None,
    )
    page = alice_client.get("/recurring/").content.decode()
    assert "Hulu" in page and "HelloFresh" in page and "ACME PAYROLL" in page
    assert "Price up $2.00: now $19.99, was $17.99" in page
    # 19.99 + 69.99 × 52 / 12, payroll not counted.
    assert "$323.28" in page


def test_it_renames_marks_not_recurring_stops_and_resumes_tracking(alice_client, hulu):
    url = f"/recurring/{hulu.public_id}/"
    assert alice_client.post(url, {"action": "rename", "name": "TV"}).status_code == 302
    hulu.refresh_from_db()
    assert hulu.label == "TV"
    for action, state in (
        ("not_recurring", "not_recurring"),
        ("track", "tracked"),
        ("untrack", "untracked"),
    ):
        alice_client.post(url, {"action": action})
        hulu.refresh_from_db()
        assert hulu.state == state
    page = alice_client.get("/recurring/").content.decode()
    assert "Not tracked" in page and "Track again" in page


@pytest.mark.parametrize("body", [{"action": "rename", "name": "  "}, {"action": "delete"}, {}])
def test_it_refuses_bad_input_and_changes_nothing(alice_client, hulu, body):
    response = alice_client.post(f"/recurring/{hulu.public_id}/", body, follow=True)
    assert "Nothing changed" in response.content.decode()
    hulu.refresh_from_db()
    assert (hulu.custom_name, hulu.state) == ("", "tracked")


def test_bob_gets_404_for_alices_stream(bob_client, hulu):
    response = bob_client.post(f"/recurring/{hulu.public_id}/", {"action": "untrack"})
    assert response.status_code == 404
    hulu.refresh_from_db()
    assert hulu.state == "tracked"


def _export(client) -> str:
    response = client.get("/recurring/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return b"".join(response.streaming_content).decode()


def test_bob_sees_none_of_alices_streams(bob_client, hulu):
    assert "Hulu" not in bob_client.get("/recurring/").content.decode()
    assert _export(recently_authenticated(bob_client, "bob-pass-1234")).count("\n") == 1


def test_the_export_asks_for_the_password_again(alice_client, hulu):
    response = alice_client.get("/recurring/export.csv")
    assert response.status_code == 302 and "reauthenticate" in response["Location"]


def test_an_action_needs_its_csrf_token(alice, hulu):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(f"/recurring/{hulu.public_id}/", {"action": "untrack"}).status_code == 403
    assert client.get(f"/recurring/{hulu.public_id}/").status_code == 405


def test_the_pages_need_a_login(client, hulu):
    for url in ("/recurring/", "/recurring/export.csv", f"/recurring/{hulu.public_id}/"):
        assert client.get(url).status_code == 302


def test_it_exports_streams_as_csv_with_formulas_neutralised(alice_client, hulu):
    alice_client.post(
        f"/recurring/{hulu.public_id}/", {"action": "rename", "name": "=HYPERLINK(1)"}
    )
    text = _export(recently_authenticated(alice_client, "alice-pass-123"))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    row = rows[0]
    assert row["name"] == "'=HYPERLINK(1)" and row["frequency"] == "MONTHLY"
    assert (row["last_amount"], row["previous_amount"], row["monthly_cost"]) == (
        "19.99",
        "17.99",
        "19.99",
    )
    assert row["next_date"] == (timezone.localdate() + timedelta(days=10)).isoformat()


def test_the_dashboard_shows_bills_of_the_next_30_days(alice_client, alice, hulu):
    account = hulu.account
    today = timezone.localdate()
    _stream(
        alice,
        account=account,
        key="late",
        merchant_name="Costco",
        predicted_next_date=today + timedelta(days=45),
    )
    _stream(alice, account=account, key="hidden", merchant_name="Gym", state="untracked")
    _stream(alice, account=account, key="pay", merchant_name="Payroll", last_amount=Decimal("-900"))
    page = alice_client.get("/").content.decode()
    assert "Upcoming bills, next 30 days" in page and "Hulu" in page
    assert "Costco" not in page and "Gym" not in page and "Payroll" not in page


def test_the_nav_links_to_recurring(alice_client, hulu):
    assert (
        '<a href="/recurring/" aria-current="page">Recurring</a>'
        in alice_client.get("/recurring/").content.decode()
    )


def test_alices_bills_never_reach_bobs_dashboard(bob_client, bob, hulu):
    AccountFactory(item=PlaidItemFactory(user=bob))
    page = bob_client.get("/").content.decode()
    assert "No bills expected in the next 30 days." in page and "Hulu" not in page


def test_it_shows_each_streams_logo_frequency_next_date_and_status(alice_client, hulu):
    RecurringStream.objects.filter(pk=hulu.pk).update(
        logo_url="https://plaid-merchant-logos.plaid.com/hulu.png"
    )
    page = alice_client.get("/recurring/").content.decode()
    assert '<img src="https://plaid-merchant-logos.plaid.com/hulu.png"' in page
    next_date = hulu.predicted_next_date
    assert f'<td data-label="Next" class="nowrap">{next_date:%-d %b %Y}</td>' in page
    assert '<td data-label="How often">Monthly</td>' in page
    assert '<td data-label="Status">Established</td>' in page
