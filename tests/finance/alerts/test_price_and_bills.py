"""A subscription's new price is told once per new amount; the weekly digest lists the next
seven days' bills, each once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client

from banking import sync
from banking.models import Liability, SyncOutbox
from banking.outbox import outbox_deliver
from finance.alerts.digest import digests_send_due
from finance.alerts.email import unsubscribe_token
from finance.alerts.evaluate import price_alerts
from finance.alerts.occurrences import occurrence_claim, occurrences_claim
from finance.alerts.preferences import alert_preference_save, alert_preferences
from finance.budgets.services import budget_set
from finance.hooks import alerts_run
from finance.models import AlertKind, Occurrence, RecurringStream
from tests import factories as f
from tests.emulator_client import emulator_call

from .conftest import announce, buy

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
SUBSCRIPTIONS = ("Hulu", "Disney+", "Apple", "The New York Times", "Audible", "Adobe")


def sync_and_deliver(item, trigger, capture) -> list[SyncOutbox]:
    sync.item_sync(item=item, trigger=trigger)
    rows = list(SyncOutbox.objects.filter(delivered_at__isnull=True).order_by("pk"))
    with capture(execute=True):
        for row in rows:
            assert outbox_deliver(outbox_id=row.pk) == "delivered"
    return rows


def price_alerts_told(user):
    return list(Occurrence.objects.filter(user=user, kind=AlertKind.PRICE_INCREASE))


def test_a_subscription_price_increase_is_told_once_by_email_and_in_the_list(
    alice, linked_item, emulator, django_capture_on_commit_callbacks
):
    item = linked_item
    sync_and_deliver(item, "initial", django_capture_on_commit_callbacks)
    before = len(price_alerts_told(alice))
    mail.outbox.clear()
    truth = emulator_call(emulator, "GET", f"/emulator/items/{item.item_id}/recurring-truth")
    sub = next(s for s in truth["streams"] if s["merchant_name"] in SUBSCRIPTIONS)
    new_price = round(sub["amount"] + 3, 2)
    emulator_call(
        emulator,
        "POST",
        f"/emulator/items/{item.item_id}/streams/{sub['stream_id']}",
        {"amount": new_price},
    )
    days = (
        dt.date.fromisoformat(sub["predicted_next_date"]) - dt.date.fromisoformat(truth["today"])
    ).days
    emulator_call(emulator, "POST", f"/emulator/items/{item.item_id}/advance", {"days": days + 1})

    rows = sync_and_deliver(item, "webhook", django_capture_on_commit_callbacks)
    # The same news delivered again, and Plaid's streams-changed path: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        for row in rows:
            alerts_run(row)
        assert price_alerts(item) == 0

    told = price_alerts_told(alice)
    assert len(told) == before + 1
    alert = told[0]
    assert sub["merchant_name"] in alert.title and f"${new_price:,.2f}" in alert.title
    assert alert.url == "/recurring/"
    [email] = [m for m in mail.outbox if sub["merchant_name"] in m.subject]
    assert "List-Unsubscribe" in email.extra_headers


def test_a_price_increase_is_not_told_when_turned_off(alice, checking):
    alert_preference_save(user=alice, kind=AlertKind.PRICE_INCREASE, enabled=False)
    bill(checking, "Streamly", TODAY - dt.timedelta(days=2), "12.99", previous="9.99")
    assert price_alerts(checking.item) == 0


def test_a_price_is_told_once_per_new_amount_and_not_for_a_lower_one(alice, checking):
    stream = bill(checking, "Streamly", TODAY - dt.timedelta(days=2), "12.99", previous="9.99")
    assert price_alerts(checking.item) == 1
    assert price_alerts(checking.item) == 0
    RecurringStream.objects.filter(pk=stream.pk).update(
        previous_amount=Decimal("12.99"), last_amount=Decimal("11.99")
    )
    assert price_alerts(checking.item) == 0
    RecurringStream.objects.filter(pk=stream.pk).update(last_amount=Decimal("14.99"))
    assert price_alerts(checking.item) == 1
    assert [o.title for o in price_alerts_told(alice)] == [
        "Streamly now costs $14.99 (was $12.99)",
        "Streamly now costs $12.99 (was $9.99)",
    ]


def bill(account, name, last, amount, *, previous=None, next_date=None, pfc=""):
    return RecurringStream.objects.create(
        user=account.item.user,
        account=account,
        key=f"test:{name}",
        source="detector",
        description=name,
        merchant_name=name,
        pfc_primary=pfc,
        frequency="MONTHLY",
        status="MATURE",
        first_date=last - dt.timedelta(days=90),
        last_date=last,
        predicted_next_date=next_date,
        average_amount=Decimal(amount),
        last_amount=Decimal(amount),
        previous_amount=Decimal(previous) if previous else None,
        iso_currency_code="USD",
    )


def card(user, due, minimum):
    account = f.AccountFactory(
        item=f.PlaidItemFactory(user=user), name="Platypus Card", type="credit", mask="3333"
    )
    return Liability.objects.create(
        account=account,
        kind="credit",
        minimum_payment=Decimal(minimum),
        next_payment_amount=Decimal(minimum),
        next_payment_due_date=due,
        is_overdue=False,
    )


def test_the_digest_lists_the_next_seven_days_bills_each_once(
    alice, bob, checking, django_capture_on_commit_callbacks
):
    alice.date_joined -= dt.timedelta(days=30)
    alice.save()
    last_month = TODAY - dt.timedelta(days=27)
    bill(checking, "Streamly", last_month, "15.49", next_date=TODAY + dt.timedelta(days=3))
    bill(checking, "Gym", last_month, "40.00", next_date=TODAY + dt.timedelta(days=10))
    # The card's autopay seen as a recurring payment is the card's payment: listed once.
    card(alice, TODAY + dt.timedelta(days=5), "35.00")
    bill(
        checking,
        "Card autopay",
        last_month,
        "35.00",
        next_date=TODAY + dt.timedelta(days=6),
        pfc="LOAN_PAYMENTS",
    )
    bobs = f.AccountFactory(item__user=bob)
    bill(bobs, "Bob's rent", last_month, "900.00", next_date=TODAY + dt.timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send_due() == 1
    [email] = mail.outbox
    body = email.body
    in_3 = TODAY + dt.timedelta(days=3)
    in_5 = TODAY + dt.timedelta(days=5)
    assert "Bills in the next 7 days:" in body
    assert f"- {in_3:%a %d %b}: Streamly, $15.49" in body
    assert f"- {in_5:%a %d %b}: Platypus Card ··3333 (credit card), $35.00" in body
    assert "Gym" not in body and "Card autopay" not in body and "Bob's rent" not in body
    assert body.index("Streamly") < body.index("Platypus Card")


def test_claims_made_together_skip_a_key_claimed_meanwhile_and_tell_the_rest_once(alice):
    def claim(key):
        return {"kind": AlertKind.LOW_BALANCE, "key": key, "title": key}

    assert occurrence_claim(user=alice, **claim("balance:1:w1"))
    assert occurrences_claim(user=alice, claims=[claim("balance:1:w1"), claim("balance:2:w1")]) == 1
    assert occurrences_claim(user=alice, claims=[claim("balance:3:w1")]) == 1
    keys = sorted(Occurrence.objects.filter(user=alice).values_list("key", flat=True))
    assert keys == ["balance:1:w1", "balance:2:w1", "balance:3:w1"]


def test_an_increase_charged_weeks_ago_is_history_not_news(alice, checking):
    bill(checking, "Streamly", TODAY - dt.timedelta(days=30), "12.99", previous="9.99")
    assert price_alerts(checking.item) == 0


def test_the_price_alert_has_its_own_switch_and_one_click_link(alice, alice_client):
    page = alice_client.get("/notifications/settings/")
    assert b"A subscription&#x27;s price goes up" in page.content
    token = unsubscribe_token(user=alice, kind=AlertKind.PRICE_INCREASE)
    anon = Client(enforce_csrf_checks=True)
    assert anon.post(f"/notifications/unsubscribe/{token}/").status_code == 200
    prefs = alert_preferences(user=alice)
    assert not prefs[AlertKind.PRICE_INCREASE].enabled and prefs[AlertKind.BUDGET].enabled


def test_a_new_row_tells_the_budgets_it_counts_towards_and_only_those(
    alice, checking, food_budget, django_capture_on_commit_callbacks
):
    month = TODAY.replace(day=1)
    budget_set(user=alice, category=None, currency="USD", month=month, amount=Decimal("100"))
    food = buy(checking, "30.00")
    travel = buy(checking, "55.00", pfc_primary="TRAVEL", pfc_detailed="TRAVEL_FLIGHTS")
    with django_capture_on_commit_callbacks(execute=True):
        alerts_run(announce(checking.item, added=[travel.pk]))
    # The total budget (85 of 100) is told; food (30 of 100) is not, and was not due.
    assert [o.title for o in Occurrence.objects.filter(kind=AlertKind.BUDGET)] == [
        "All spending: 85% of the budget used"
    ]
    more = buy(checking, "55.00")
    with django_capture_on_commit_callbacks(execute=True):
        alerts_run(announce(checking.item, added=[food.pk, more.pk]))
    titles = sorted(o.title for o in Occurrence.objects.filter(kind=AlertKind.BUDGET))
    assert titles == [
        "All spending: 85% of the budget used",
        "All spending: over budget ($140.00 of $100.00)",
        "Food & drink: 85% of the budget used",
    ]
