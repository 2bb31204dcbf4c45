"""Alerts: what is told, once, in the list and by email (locmem), and how to stop it."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client

from banking.health.status import item_set_status
from banking.models import PlaidItem
from finance.alerts.digest import digests_send_due
from finance.alerts.email import unsubscribe_token
from finance.alerts.preferences import alert_preference_save, alert_preferences
from finance.models import AlertKind, Occurrence
from tests.factories import AccountFactory

from .conftest import buy, deliver_twice

pytestmark = pytest.mark.django_db


def test_a_budget_crossing_80_percent_tells_once_in_the_list_and_by_email(
    alice, checking, food_budget, django_capture_on_commit_callbacks
):
    buy(checking, "50.00")
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[])
    assert not Occurrence.objects.exists()

    t = buy(checking, "35.00")
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[t.pk])
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[t.pk])

    [alert] = Occurrence.objects.all()
    assert alert.kind == "budget" and "85%" in alert.title
    assert alert.emailed_at is not None
    [email] = mail.outbox
    assert email.to == ["alice@example.com"]
    assert "Food & drink: 85% of the budget used" in email.subject
    html = email.alternatives[0][0]
    assert "Turn these emails off" in html and "/notifications/settings/" in html
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(
        r"<http://[^>]+/notifications/unsubscribe/[^/]+/>", email.extra_headers["List-Unsubscribe"]
    )

    t2 = buy(checking, "20.00")
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[t2.pk])
    assert Occurrence.objects.count() == 2
    assert "over budget" in mail.outbox[1].subject


def test_a_large_transaction_is_told_once_even_when_it_posts_under_a_new_id(
    alice, checking, django_capture_on_commit_callbacks
):
    alert_preference_save(
        user=alice, kind=AlertKind.LARGE_TRANSACTION, enabled=True, threshold=Decimal("300")
    )
    pending = buy(
        checking,
        "450.00",
        pending=True,
        merchant_name="Big TV Store",
        pfc_primary="GENERAL_MERCHANDISE",
    )
    small = buy(checking, "20.00")
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[pending.pk, small.pk])
    posted = buy(
        checking,
        "450.00",
        pending_transaction_id=pending.transaction_id,
        merchant_name="Big TV Store",
    )
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[posted.pk])
    [alert] = Occurrence.objects.all()
    assert alert.title == "$450.00 out of your account: Big TV Store"
    assert len(mail.outbox) == 1


def test_only_announced_rows_are_told_even_when_read_by_their_id_range(
    alice, bob, checking, django_capture_on_commit_callbacks
):
    alert_preference_save(
        user=alice, kind=AlertKind.LARGE_TRANSACTION, enabled=True, threshold=Decimal("300")
    )
    first = buy(checking, "20.00")
    buy(checking, "900.00", merchant_name="Not Announced")
    buy(AccountFactory(item__user=bob), "900.00", merchant_name="Bob's Store")
    last = buy(checking, "450.00", merchant_name="Big TV Store")
    # Four consecutive ids, two announced: read as one range, told only about its own.
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[first.pk, last.pk])
    [alert] = Occurrence.objects.all()
    assert alert.title == "$450.00 out of your account: Big TV Store"


def test_a_bank_linked_today_tells_no_large_transaction_from_its_history(
    alice, checking, django_capture_on_commit_callbacks
):
    alert_preference_save(
        user=alice, kind=AlertKind.LARGE_TRANSACTION, enabled=True, threshold=Decimal("300")
    )
    old = buy(checking, "900.00", merchant_name="Last Month's Sofa")
    old.date = dt.date.today() - dt.timedelta(days=40)
    old.save(update_fields=["date"])
    new = buy(checking, "450.00", merchant_name="Big TV Store")
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[old.pk, new.pk])
    [alert] = Occurrence.objects.all()
    assert alert.title == "$450.00 out of your account: Big TV Store"


def test_a_low_balance_is_told_once_a_week(alice, checking, django_capture_on_commit_callbacks):
    alert_preference_save(
        user=alice, kind=AlertKind.LOW_BALANCE, enabled=True, threshold=Decimal("2000")
    )
    deliver_twice(checking.item, django_capture_on_commit_callbacks)
    [alert] = Occurrence.objects.all()
    assert alert.kind == "low_balance" and "$1,200.00" in alert.title
    assert len(mail.outbox) == 1


def test_a_bank_to_sign_in_again_goes_through_the_settings(
    alice, checking, django_capture_on_commit_callbacks
):
    item = checking.item
    with django_capture_on_commit_callbacks(execute=True):
        item_set_status(item=item, status=PlaidItem.Status.LOGIN_REQUIRED, source="test")
    [email] = mail.outbox
    assert "needs you to sign in again" in email.subject
    assert Occurrence.objects.get().kind == "bank"

    alert_preference_save(user=alice, kind=AlertKind.BANK, enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        item_set_status(item=item, status=PlaidItem.Status.HEALTHY, source="test")
        item_set_status(item=item, status=PlaidItem.Status.LOGIN_REQUIRED, source="test")
    assert len(mail.outbox) == 1


def test_the_weekly_digest_goes_once_a_week(
    alice, checking, food_budget, django_capture_on_commit_callbacks
):
    alice.date_joined = alice.date_joined - dt.timedelta(days=30)
    alice.save()
    buy(checking, "42.00", merchant_name="Corner Shop")
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send_due() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send_due() == 0
    [email] = mail.outbox
    assert email.subject.startswith("[Ledgerline] Your week in money")
    assert "$42.00 Corner Shop" in email.body
    assert "Food & drink: $42.00 of $100.00 (42%)" in email.body


def test_a_new_user_gets_no_digest_in_their_first_week(alice, checking):
    assert digests_send_due() == 0


def test_a_turned_off_alert_is_not_told(
    alice, checking, food_budget, django_capture_on_commit_callbacks
):
    alert_preference_save(user=alice, kind=AlertKind.BUDGET, enabled=False)
    t = buy(checking, "99.00")
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[t.pk])
    assert not Occurrence.objects.exists() and not mail.outbox


def test_the_one_click_unsubscribe_works_without_a_login_and_only_when_signed(alice):
    token = unsubscribe_token(user=alice, kind=AlertKind.BUDGET)
    anon = Client(enforce_csrf_checks=True)
    page = anon.get(f"/notifications/unsubscribe/{token}/")
    assert page.status_code == 200 and b"Turn it off" in page.content
    assert alert_preferences(user=alice)[AlertKind.BUDGET].enabled

    r = anon.post(f"/notifications/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200 and b"is off" in r.content
    assert not alert_preferences(user=alice)[AlertKind.BUDGET].enabled
    assert alert_preferences(user=alice)[AlertKind.DIGEST].enabled

    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert anon.post(f"/notifications/unsubscribe/{forged}/").status_code == 400


def test_the_settings_page_saves_and_refuses_bad_amounts(alice_client, alice):
    r = alice_client.post(
        "/notifications/settings/",
        {
            "budget_on": "on",
            "large_transaction_on": "on",
            "large_transaction_amount": "250",
            "low_balance_amount": "abc",
            "digest_on": "on",
        },
    )
    assert r.status_code == 400
    assert b"Enter an amount" in r.content
    assert not alert_preferences(user=alice)[AlertKind.LARGE_TRANSACTION].enabled

    r = alice_client.post(
        "/notifications/settings/",
        {
            "budget_on": "on",
            "large_transaction_on": "on",
            "large_transaction_amount": "250",
            "low_balance_amount": "50",
        },
    )
    assert r.status_code == 302
    prefs = alert_preferences(user=alice)
    assert prefs[AlertKind.LARGE_TRANSACTION].enabled
    assert prefs[AlertKind.LARGE_TRANSACTION].threshold == Decimal("250")
    assert not prefs[AlertKind.DIGEST].enabled and not prefs[AlertKind.BANK].enabled


def test_the_list_shows_only_your_alerts_and_counts_unread(alice_client, alice, bob):
    Occurrence.objects.create(user=alice, kind="budget", key="k1", title="Alice budget")
    Occurrence.objects.create(user=bob, kind="budget", key="k1", title="Bob budget")
    page = alice_client.get("/notifications/").content.decode()
    assert "Alice budget" in page and "Bob budget" not in page
    assert '1<span class="visually-hidden"> unread</span>' in page
    alice_client.post("/notifications/read/")
    page = alice_client.get("/notifications/").content.decode()
    assert 'visually-hidden"> unread' not in page
    assert Occurrence.objects.get(user=bob).read_at is None


def test_a_claimed_key_is_never_claimed_again(alice):
    from finance.alerts.occurrences import occurrence_claim

    assert occurrence_claim(user=alice, kind="budget", key="budget:1:2026-12:80", title="x")
    assert occurrence_claim(user=alice, kind="budget", key="budget:1:2026-12:80", title="x") is None


def test_several_alerts_of_one_sync_are_each_emailed_once(
    alice, checking, food_budget, django_capture_on_commit_callbacks
):
    """One sync brings a large transaction that also blows the budget and a low balance:
    three alerts claimed together (one message to the queue), three emails, and a second
    delivery adds nothing."""
    alert_preference_save(
        user=alice, kind=AlertKind.LARGE_TRANSACTION, enabled=True, threshold=Decimal("300")
    )
    alert_preference_save(
        user=alice, kind=AlertKind.LOW_BALANCE, enabled=True, threshold=Decimal("2000")
    )
    t = buy(checking, "320.00", merchant_name="Caterer")
    deliver_twice(checking.item, django_capture_on_commit_callbacks, added=[t.pk])
    assert sorted(Occurrence.objects.values_list("kind", flat=True)) == [
        "budget",
        "large_transaction",
        "low_balance",
    ]
    assert len(mail.outbox) == 3
    assert not Occurrence.objects.filter(emailed_at__isnull=True).exists()
