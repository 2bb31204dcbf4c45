"""The outbound limiter: shared through Redis, never above Plaid's per-item limits."""

import pytest

from banking import plaid as plaid_api
from banking.models import PlaidApiCall
from banking.plaid import ratelimit


class FakeItem:
    def __init__(self, item_id):
        self.item_id = item_id


def test_it_allows_the_documented_per_item_limit_then_refuses(settings):
    item = FakeItem("rl-1")
    with ratelimit.patience(0):
        for _ in range(15):
            ratelimit.acquire("/item/get", item)
        with pytest.raises(ratelimit.RateLimited) as refused:
            ratelimit.acquire("/item/get", item)

    assert refused.value.retryable is True
    assert isinstance(refused.value, plaid_api.PlaidError)
    assert 0 < refused.value.wait_seconds <= 60
    # Another item has its own budget.
    ratelimit.acquire("item_get", FakeItem("rl-2"))


def test_endpoint_spellings_share_one_budget():
    item = FakeItem("rl-3")
    with ratelimit.patience(0):
        ratelimit.acquire("/transactions/refresh", item)
        ratelimit.acquire("transactions_refresh", item)
        with pytest.raises(ratelimit.RateLimited):
            ratelimit.acquire("transactions/refresh", item)


def test_the_per_client_budget_covers_all_items(settings):
    settings.PLAID_CLIENT_RATE_LIMIT_PER_MINUTE = 5
    with ratelimit.patience(0):
        for n in range(5):
            ratelimit.acquire("/accounts/get", FakeItem(f"c{n}"))
        with pytest.raises(ratelimit.RateLimited):
            ratelimit.acquire("/institutions/get_by_id", None)


def test_it_waits_briefly_for_a_slot_instead_of_failing(monkeypatch):
    item = FakeItem("rl-4")
    waits = iter([0.2, 0.0])
    monkeypatch.setattr(ratelimit, "try_acquire", lambda endpoint, item: next(waits))

    with ratelimit.patience(1):
        ratelimit.acquire("/transactions/sync", item)  # no exception: it slept 0.2 s


def _sync_calls(linked_item, n):
    limited = 0
    for _ in range(n):
        try:
            plaid_api.transactions_sync(linked_item, None, count=1)
        except ratelimit.RateLimited:
            limited += 1
    return limited


def test_the_emulator_never_sees_more_than_plaids_per_item_limit(linked_item, emu):
    emu("POST", "/emulator/rate_limits", {"enforce": True, "limits": {"/transactions/sync": 50}})

    with ratelimit.patience(0):
        limited = _sync_calls(linked_item, 60)

    assert limited == 10
    codes = list(
        PlaidApiCall.objects.filter(endpoint="/transactions/sync").values_list(
            "error_code", flat=True
        )
    )
    assert len(codes) == 50 and set(codes) == {""}  # no TRANSACTIONS_SYNC_LIMIT from "Plaid"


def test_without_our_limiter_the_emulator_does_answer_429(linked_item, emu, settings):
    # The control experiment: the test above could fail.
    settings.PLAID_RATE_LIMIT_ENABLED = False
    emu("POST", "/emulator/rate_limits", {"enforce": True, "limits": {"/transactions/sync": 50}})

    with pytest.raises(plaid_api.PlaidError) as refused:
        _sync_calls(linked_item, 60)

    assert refused.value.error_code == "TRANSACTIONS_SYNC_LIMIT"
    assert refused.value.retryable is True
