"""The budget alert end to end: a budget set in Chromium, the emulator's next day crossing
80% through the real sync and outbox, one email and one notification however often the news
is delivered, and the email's unsubscribe link turning the alert off without a login."""

import datetime as dt
import re
from decimal import ROUND_CEILING, Decimal

import pytest
from django.core import mail

from banking import sync
from banking.models import SyncOutbox
from banking.outbox import outbox_deliver
from finance.alerts.preferences import alert_preferences
from finance.budgets.report import budget_lines
from finance.models import AlertKind, Occurrence
from tests.browser import axe_violations, launch_chromium
from tests.emulator_client import emulator_call
from tests.finance.test_browser import DESKTOP, PHONE, _context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as browser:
        yield browser


def deliver_all():
    for pk in SyncOutbox.objects.filter(delivered_at__isnull=True).values_list("pk", flat=True):
        outbox_deliver(outbox_id=pk)


def spent_this_month(user) -> Decimal:
    today = dt.date.today()
    [line] = budget_lines(user=user, month=today.replace(day=1), today=today)
    return line.spent


def test_a_budget_crossing_80_percent_is_told_once_and_its_link_turns_it_off(
    browser, live_server, alice, linked_item, emulator
):
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    if tomorrow.month != dt.date.today().month:
        pytest.skip("the emulator's next day is next month: nothing new counts this month")
    sync.item_sync(item=linked_item, trigger="initial")
    deliver_all()

    context = _context(browser, live_server, alice, DESKTOP)
    page = context.new_page()
    page.goto(f"{live_server.url}/budgets/")
    # A total budget just above what went out so far: 79.99% used before the next day.
    page.get_by_label("Category").select_option(label="All spending (a total budget)")
    page.get_by_label("Amount per month").fill("1")
    page.get_by_role("button", name="Add budget").click()
    page.wait_for_url(re.compile(r"/budgets/\?month="))
    so_far = spent_this_month(alice)
    amount = (so_far / Decimal("0.7999")).quantize(Decimal("0.01"), ROUND_CEILING)
    page.locator("summary", has_text="Change").first.click()
    page.locator("details[open]").get_by_label(re.compile("Amount from")).fill(str(amount))
    page.locator("details[open]").get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/budgets/\?month="))
    assert not Occurrence.objects.exists()
    assert axe_violations(page) == []

    emulator_call(emulator, "POST", f"/emulator/items/{linked_item.item_id}/advance", {"days": 1})
    sync.item_sync(item=linked_item, trigger="webhook")
    deliver_all()
    assert spent_this_month(alice) >= amount * Decimal("0.8")
    # The same news again: the announcement redelivered, and a sync with nothing new.
    SyncOutbox.objects.update(delivered_at=None)
    deliver_all()
    sync.item_sync(item=linked_item, trigger="webhook")
    deliver_all()

    [alert] = Occurrence.objects.filter(kind="budget")
    assert "All spending" in alert.title
    [email] = [m for m in mail.outbox if "All spending" in m.subject]
    assert len(mail.outbox) == 1

    page.goto(f"{live_server.url}/notifications/")
    assert page.locator(".site-nav .badge").inner_text().startswith("1")
    assert page.get_by_role("link", name=alert.title).is_visible()
    assert axe_violations(page) == []
    context.close()

    link = re.search(r"http://\S+/notifications/unsubscribe/\S+/", email.body).group(0)
    path = link.split("/notifications/", 1)[1]
    stranger = browser.new_context(viewport=PHONE)
    anon = stranger.new_page()
    anon.goto(f"{live_server.url}/notifications/{path}")
    anon.get_by_role("button", name="Turn it off").click()
    assert anon.get_by_role("status").inner_text().startswith("Done")
    assert axe_violations(anon) == []
    stranger.close()
    assert not alert_preferences(user=alice)[AlertKind.BUDGET].enabled


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_new_pages_fit_and_pass_axe(browser, live_server, alice, viewport):
    from finance.budgets.services import budget_set
    from finance.categories import category_book
    from tests.factories import AccountFactory, TransactionFactory

    account = AccountFactory(item__user=alice)
    month = dt.date.today().replace(day=1)
    book = category_book(user=alice)
    for code, amount, spent in (("FOOD_AND_DRINK", "300", "250.00"), ("TRAVEL", "100", "130.00")):
        budget_set(
            user=alice,
            category=book.by_code[code],
            currency="USD",
            month=month,
            amount=Decimal(amount),
        )
        TransactionFactory(
            account=account, amount=Decimal(spent), date=dt.date.today(), pfc_primary=code
        )
    Occurrence.objects.create(
        user=alice, kind="budget", key="k", title="Travel: over budget", url="/budgets/"
    )
    context = _context(browser, live_server, alice, viewport)
    page = context.new_page()
    for path in ("/budgets/", "/notifications/", "/notifications/settings/", "/"):
        page.goto(live_server.url + path)
        assert axe_violations(page) == [], path
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{path} scrolls sideways ({width}px)"
    context.close()
