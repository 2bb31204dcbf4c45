"""Every page of the URL table at a phone's width and a desktop's, in real Chromium: nothing
sticks out past the viewport, and axe-core finds no serious or critical violation.

"Fits" means the document does not scroll sideways *and* no visible element's right edge lies
beyond the viewport, unless a wrapper of its own (not html or body) scrolls it: hiding overflow
on html or body would pass the first check and fail the second.
"""

import copy
from pathlib import Path

import pytest
from django.utils import timezone

from banking.models import SyncRun
from finance.recurring.services import recurring_refresh
from tests.browser import axe_violations, launch_chromium, watched_page
from tests.factories import WebhookEventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pages"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

OVERFLOW = """() => {
  const width = window.innerWidth;
  const found = [];
  const root = document.documentElement;
  if (root.scrollWidth > width) found.push(`document scrollWidth ${root.scrollWidth} > ${width}`);
  // An element is fine past the edge only inside its own scrolling (or clipping) wrapper
  // that itself fits; html and body do not count.
  const wrapped = (el) => {
    for (let p = el.parentElement; p && p !== document.body && p !== root; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (["auto", "scroll", "hidden", "clip"].includes(style.overflowX)) {
        return p.getBoundingClientRect().right <= width + 0.5;
      }
    }
    return false;
  };
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width < 2 || box.height < 2) continue;  // visually-hidden text and the like
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") continue;
    if (box.right > width + 0.5 && !wrapped(el)) {
      const cls = typeof el.className === "string" ? el.className.trim() : "";
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (cls ? "." + cls.split(/\\s+/).join(".") : "");
      found.push(`${name} right=${Math.round(box.right)}`);
    }
  }
  return found.slice(0, 8);
}"""


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def site(plaid_settings, live_server, emulator):
    plaid_settings.SITE_URL = live_server.url
    policy = copy.deepcopy(plaid_settings.CONTENT_SECURITY_POLICY)
    for directive in ("script-src", "frame-src", "connect-src", "img-src"):
        policy["DIRECTIVES"][directive] = [*policy["DIRECTIVES"][directive], emulator.url]
    plaid_settings.CONTENT_SECURITY_POLICY = policy
    return live_server


@pytest.fixture
def history(rich_money):
    """A bank page with a past: runs of every outcome and Plaid's notifications."""
    item = rich_money["good"]
    for outcome, added in (("success", 1618), ("failed", 0), ("success", 12)):
        SyncRun.objects.create(
            item=item, trigger="webhook", outcome=outcome, added=added, finished_at=timezone.now()
        )
    for code in ("SYNC_UPDATES_AVAILABLE", "HISTORICAL_UPDATE", "DEFAULT_UPDATE"):
        WebhookEventFactory(item=item, webhook_code=code, processed_at=timezone.now())
    recurring_refresh(user=item.user)
    return rich_money


def signed_in_pages(money) -> list[str]:
    item, txn = money["good"], money["coffee"]
    return [
        "/",
        "/banks/",
        f"/banks/{item.public_id}/",
        f"/banks/{item.public_id}/reconnect/",
        f"/banks/{item.public_id}/remove/",
        "/link/",
        "/transactions/",
        "/transactions/?q=zzzz-nothing",
        f"/transactions/{txn.public_id}/",
        "/dashboard/accounts/",
        "/insights/",
        f"/transactions/{txn.public_id}/split/",
        "/categories/",
        "/tags/",
        "/transfers/",
        "/rules/",
        "/rules/new/",
        "/recurring/",
        "/budgets/",
        "/net-worth/",
        "/settings/currency/",
        "/settings/export/",
        "/household/",
        "/notifications/",
        "/notifications/settings/",
        "/investments/",
        "/liabilities/",
        "/accounts/profile/",
        "/accounts/security/",
        "/accounts/sessions/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/accounts/2fa/totp/activate/",
    ]


# Answered with our error pages on purpose (Chromium logs their status as a console error).
ERROR_PAGES = ["/no-such-page/", "/admin/"]
ANONYMOUS_PAGES = ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]


def check(page, url, viewport_name):
    page.goto(url)
    page.wait_for_load_state("load")
    problems = []
    if viewport_name == "phone":
        problems += [f"overflow: {p}" for p in page.evaluate(OVERFLOW)]
    problems += [f"axe: {v}" for v in axe_violations(page)]
    # Every page's look at this width, for review (and for a failure's diagnosis).
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = url.split("//", 1)[-1].split("/", 1)[-1].strip("/").replace("/", "_").replace("?", "_")
    page.screenshot(path=str(ARTIFACTS / f"{viewport_name}-{name or 'home'}.png"), full_page=True)
    return problems


@pytest.mark.parametrize("viewport_name", ["phone", "desktop"])
def test_every_signed_in_page_fits_and_passes_axe(browser, site, alice, history, viewport_name):
    viewport = PHONE if viewport_name == "phone" else DESKTOP
    found = {}
    with watched_page(
        browser,
        user=alice,
        url=site.url,
        viewport=viewport,
        ignore=lambda error: "status of 40" in error and any(p in error for p in ERROR_PAGES),
    ) as page:
        for path in signed_in_pages(history) + ERROR_PAGES:
            problems = check(page, site.url + path, viewport_name)
            if problems:
                found[path] = problems
    assert found == {}


@pytest.mark.parametrize("viewport_name", ["phone", "desktop"])
def test_every_signed_out_page_fits_and_passes_axe(browser, site, viewport_name):
    viewport = PHONE if viewport_name == "phone" else DESKTOP
    found = {}
    with watched_page(browser, viewport=viewport) as page:
        for path in ANONYMOUS_PAGES:
            problems = check(page, site.url + path, viewport_name)
            if problems:
                found[path] = problems
    assert found == {}


def test_the_fit_check_sees_a_wide_element_even_when_body_hides_the_overflow(
    browser, site, alice, money
):
    with watched_page(browser, user=alice, url=site.url, viewport=PHONE) as page:
        page.goto(site.url + "/")
        assert page.evaluate(OVERFLOW) == []
        page.evaluate(
            """() => {
              document.documentElement.style.overflowX = "hidden";
              document.body.style.overflowX = "hidden";
              const wide = document.createElement("div");
              wide.className = "too-wide";
              wide.style.width = "600px";
              wide.style.height = "10px";
              document.querySelector("main").append(wide);
            }"""
        )
        assert any("div.too-wide" in problem for problem in page.evaluate(OVERFLOW))
