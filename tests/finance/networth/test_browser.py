"""/net-worth/ and the dashboard's sparkline in real Chromium, on a bank linked through our
exchange and synced from the emulator, on a desktop and a 390 px phone."""

from decimal import Decimal

import pytest

from banking import sync
from banking.models import SyncOutbox
from banking.outbox import outbox_deliver
from tests.browser import axe_violations, launch_chromium
from tests.finance.test_browser import DESKTOP, PHONE, _context, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as browser:
        yield browser


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_charts_last_point_is_the_dashboards_net_worth_headline(
    browser, live_server, alice, linked_item, viewport
):
    sync.item_sync(item=linked_item, trigger="initial")
    for pk in SyncOutbox.objects.filter(delivered_at__isnull=True).values_list("pk", flat=True):
        outbox_deliver(outbox_id=pk)
    context = _context(browser, live_server, alice, viewport)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    name = "desktop" if viewport == DESKTOP else "phone"

    page.goto(live_server.url + "/")
    dashboard_net = Decimal(page.locator('[data-total="net-worth"]').get_attribute("data-net"))
    sparkline = page.locator("svg.sparkline[data-currency=USD]")
    assert Decimal(sparkline.get_attribute("data-last")) == dashboard_net
    assert sparkline.is_visible()
    assert "Net worth over the last 30 days" in sparkline.get_attribute("aria-label")

    page.goto(live_server.url + "/net-worth/")
    chart = page.locator("canvas.networth-chart[data-last-net]")
    chart.wait_for(state="attached")
    assert Decimal(chart.get_attribute("data-last-net")) == dashboard_net
    today = page.locator("[data-net-today]").get_attribute("data-net-today")
    assert Decimal(today) == dashboard_net
    assert chart.bounding_box()["width"] > 200
    assert page.get_by_text("Estimated").first.is_visible()
    page.get_by_text("Show the numbers as a table").click()
    assert page.get_by_role("table").first.is_visible()
    assert axe_violations(page) == []
    shoot(page, f"networth-{name}")
    context.close()
    assert errors == []
