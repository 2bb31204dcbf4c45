"""Plaid's Sandbox credentials through the Link look-alike in Chromium: an error password,
each MFA kind, user_custom; every form of exit() ends in onExit; event names in order."""

from __future__ import annotations

import json

import pytest

from .helpers import link_token
from .test_link_browser import browser, host, page  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def open_bank(plaid_client, host, page, bank="First Platypus Bank"):  # noqa: F811
    page.goto(f"{host}/?token={link_token(plaid_client)}")
    page.get_by_role("button", name="Link account").click()
    link = page.frame_locator("#plaid-link-iframe")
    link.get_by_role("button", name=bank).click()
    return link


def log_in(link, password, username="user_good"):
    link.get_by_label("Username").fill(username)
    link.get_by_label("Password").fill(password)
    link.get_by_role("button", name="Submit").click()


def finish(page, link) -> dict:  # noqa: F811
    link.get_by_label("Plaid Checking").wait_for()
    link.get_by_role("button", name="Continue").click()
    link.get_by_role("heading", name="Success").wait_for()
    link.get_by_role("button", name="Continue").click()
    page.wait_for_function("window.result !== undefined")
    return page.evaluate("window.result")


def test_it_shows_the_error_an_error_password_asks_for(plaid_client, host, page):  # noqa: F811
    link = open_bank(plaid_client, host, page)
    log_in(link, "error_ITEM_LOCKED")
    assert "locked" in link.get_by_role("alert").inner_text()
    link.get_by_role("button", name="Close").click()
    page.wait_for_function("window.exited !== undefined")
    assert page.evaluate("window.exited")["error"]["error_code"] == "ITEM_LOCKED"
    assert page.evaluate("window.events") == [
        "OPEN",
        "SELECT_INSTITUTION",
        "SUBMIT_CREDENTIALS",
        "ERROR",
        "EXIT",
    ]


def test_it_asks_for_the_device_code_of_mfa_device(plaid_client, host, page):  # noqa: F811
    link = open_bank(plaid_client, host, page)
    log_in(link, "mfa_device")
    link.get_by_label("Verification code").fill("0000")
    link.get_by_role("button", name="Submit").click()
    link.get_by_role("alert").filter(has_text="MFA").wait_for()
    link.get_by_label("Verification code").fill("1234")
    link.get_by_role("button", name="Submit").click()
    assert finish(page, link)["public_token"].startswith("public-sandbox-")
    assert page.evaluate("window.events") == [
        "OPEN",
        "SELECT_INSTITUTION",
        "SUBMIT_CREDENTIALS",
        "SUBMIT_MFA",
        "ERROR",
        "SUBMIT_MFA",
        "HANDOFF",
    ]


def test_it_asks_rounds_of_security_questions_for_mfa_questions(plaid_client, host, page):  # noqa: F811
    link = open_bank(plaid_client, host, page)
    log_in(link, "mfa_questions_2_2")
    for i in range(2):
        for j in range(2):
            link.get_by_label(f"Question {i}.{j}").fill(f"answer_{i}_{j}")
        link.get_by_role("button", name="Submit").click()
    assert finish(page, link)["metadata"]["institution"]["institution_id"] == "ins_109508"


def test_it_offers_a_choice_for_mfa_selections(plaid_client, host, page):  # noqa: F811
    link = open_bank(plaid_client, host, page)
    log_in(link, "mfa_selections")
    link.get_by_label("Yes").check()
    link.get_by_role("button", name="Submit").click()
    assert finish(page, link)["public_token"]


def test_it_links_a_user_custom_configuration(plaid_client, host, page):  # noqa: F811
    config = {
        "override_accounts": [
            {
                "type": "depository",
                "subtype": "checking",
                "starting_balance": 5,
                "meta": {"name": "Plaid Checking"},
            },
            {
                "type": "depository",
                "subtype": "savings",
                "starting_balance": 9,
                "meta": {"name": "Rainy Day"},
            },
        ]
    }
    link = open_bank(plaid_client, host, page)
    log_in(link, json.dumps(config), username="user_custom")
    result = finish(page, link)
    assert [a["name"] for a in result["metadata"]["accounts"]] == ["Plaid Checking", "Rainy Day"]


@pytest.mark.parametrize("call", ["exit()", "exit({force: true})", "exit({force: false})"])
def test_it_ends_every_form_of_exit_in_on_exit(plaid_client, host, page, call):  # noqa: F811
    open_bank(plaid_client, host, page).get_by_label("Username").wait_for()
    page.evaluate(f"window.handler.{call}")
    page.wait_for_function("window.exited !== undefined")
    assert page.evaluate("window.exited")["metadata"]["link_session_id"]
    assert page.evaluate("window.events")[-1] == "EXIT"
