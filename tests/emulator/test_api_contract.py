"""Every Plaid endpoint, through plaid-python 46 with type checking on, and every JSON answer
validated against Plaid's OpenAPI spec."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from plaid.exceptions import ApiException
from plaid.model.accounts_balance_get_request import AccountsBalanceGetRequest
from plaid.model.accounts_balance_get_request_options import AccountsBalanceGetRequestOptions
from plaid.model.accounts_get_request import AccountsGetRequest
from plaid.model.auth_get_request import AuthGetRequest
from plaid.model.country_code import CountryCode
from plaid.model.identity_get_request import IdentityGetRequest
from plaid.model.institutions_get_by_id_request import InstitutionsGetByIdRequest
from plaid.model.institutions_get_by_id_request_options import InstitutionsGetByIdRequestOptions
from plaid.model.institutions_search_request import InstitutionsSearchRequest
from plaid.model.item_access_token_invalidate_request import ItemAccessTokenInvalidateRequest
from plaid.model.item_get_request import ItemGetRequest
from plaid.model.item_remove_request import ItemRemoveRequest
from plaid.model.item_webhook_update_request import ItemWebhookUpdateRequest
from plaid.model.link_token_get_request import LinkTokenGetRequest
from plaid.model.sandbox_item_fire_webhook_request import SandboxItemFireWebhookRequest
from plaid.model.sandbox_item_reset_login_request import SandboxItemResetLoginRequest
from plaid.model.transactions_get_request import TransactionsGetRequest
from plaid.model.transactions_get_request_options import TransactionsGetRequestOptions
from plaid.model.transactions_refresh_request import TransactionsRefreshRequest
from plaid.model.transactions_sync_request import TransactionsSyncRequest
from plaid.model.webhook_verification_key_get_request import WebhookVerificationKeyGetRequest

from .helpers import link_item, link_token, sync_all

ALL_ENDPOINTS = {
    "/link/token/create",
    "/link/token/get",
    "/item/public_token/exchange",
    "/item/get",
    "/item/remove",
    "/item/webhook/update",
    "/item/access_token/invalidate",
    "/accounts/get",
    "/accounts/balance/get",
    "/transactions/sync",
    "/transactions/refresh",
    "/transactions/get",
    "/auth/get",
    "/identity/get",
    "/institutions/get_by_id",
    "/institutions/search",
    "/webhook_verification_key/get",
    "/sandbox/public_token/create",
    "/sandbox/item/fire_webhook",
    "/sandbox/item/reset_login",
}


def test_it_answers_a_whole_session_with_spec_valid_responses(
    plaid_client, contract, webhook_receiver
):
    c = plaid_client
    token = link_token(c, webhook=webhook_receiver.url)
    got = c.link_token_get(LinkTokenGetRequest(link_token=token))
    assert got.link_token == token and got.metadata.webhook == webhook_receiver.url

    access_token, item_id = link_item(
        c, webhook=webhook_receiver.url, username="user_transactions_dynamic", password="x"
    )
    assert access_token.startswith("access-sandbox-") and len(item_id) == 37

    accounts = c.accounts_get(AccountsGetRequest(access_token=access_token)).accounts
    assert {a.subtype.value for a in accounts} == {"checking", "savings", "credit card"}
    card = next(a for a in accounts if a.type.value == "credit")
    assert card.balances.limit == 5000.0
    balances = c.accounts_balance_get(
        AccountsBalanceGetRequest(
            access_token=access_token,
            options=AccountsBalanceGetRequestOptions(
                account_ids=[card.account_id],
                min_last_updated_datetime=datetime.now(UTC) - timedelta(minutes=5),
            ),
        )
    ).accounts
    assert [a.account_id for a in balances] == [card.account_id]

    today = date.today()
    got = c.transactions_get(
        TransactionsGetRequest(
            access_token=access_token,
            start_date=today - timedelta(days=90),
            end_date=today,
            options=TransactionsGetRequestOptions(count=20, offset=10),
        )
    )
    assert got.total_transactions == 50 and len(got.transactions) == 20
    numbers = c.auth_get(AuthGetRequest(access_token=access_token)).numbers
    assert {n.account_id for n in numbers.ach} == {
        a.account_id for a in accounts if a.type.value == "depository"
    }
    owners = c.identity_get(IdentityGetRequest(access_token=access_token)).accounts[0].owners
    assert owners[0].names

    added, _, _, cursor, _ = sync_all(c, access_token)
    assert len(added) == 50
    c.transactions_refresh(TransactionsRefreshRequest(access_token=access_token))
    added2, modified, removed, cursor, _ = sync_all(c, access_token, cursor)
    assert added2 and modified

    item = c.item_get(ItemGetRequest(access_token=access_token)).item
    assert item.item_id == item_id and item.institution_id == "ins_109508"

    inst = c.institutions_get_by_id(
        InstitutionsGetByIdRequest(
            institution_id="ins_127287",
            country_codes=[CountryCode("US")],
            options=InstitutionsGetByIdRequestOptions(
                include_optional_metadata=True, include_status=True
            ),
        )
    ).institution
    assert inst.oauth is True and inst.logo and inst.connection_availability.value == "SUPPORTED"
    found = c.institutions_search(
        InstitutionsSearchRequest(query="platypus", country_codes=[CountryCode("US")])
    ).institutions
    assert {i.institution_id for i in found} == {"ins_109508", "ins_127287", "ins_130016"}

    hook = webhook_receiver.wait_for()[0]
    import jwt

    kid = jwt.get_unverified_header(hook["headers"]["Plaid-Verification"])["kid"]
    key = c.webhook_verification_key_get(WebhookVerificationKeyGetRequest(key_id=kid)).key
    assert key.kid == kid and key.alg == "ES256" and key.expired_at is None

    c.item_webhook_update(
        ItemWebhookUpdateRequest(access_token=access_token, webhook=webhook_receiver.url + "/v2")
    )
    fired = c.sandbox_item_fire_webhook(
        SandboxItemFireWebhookRequest(access_token=access_token, webhook_code="DEFAULT_UPDATE")
    )
    assert fired.webhook_fired is True
    assert (
        c.sandbox_item_reset_login(
            SandboxItemResetLoginRequest(access_token=access_token)
        ).reset_login
        is True
    )
    with pytest.raises(ApiException) as err:
        c.transactions_sync(TransactionsSyncRequest(access_token=access_token, cursor=cursor))
    assert err.value.status == 400 and "ITEM_LOGIN_REQUIRED" in err.value.body

    new = c.item_access_token_invalidate(
        ItemAccessTokenInvalidateRequest(access_token=access_token)
    ).new_access_token
    assert new.startswith("access-sandbox-") and new != access_token
    c.item_remove(ItemRemoveRequest(access_token=new))
    with pytest.raises(ApiException) as err:
        c.item_get(ItemGetRequest(access_token=new))
    assert "ITEM_NOT_FOUND" in err.value.body

    contract.check()
    assert contract.checked == ALL_ENDPOINTS


def test_it_serves_every_institution_with_a_logo(plaid_client, contract):
    from plaid_emulator.institutions import INSTITUTIONS

    for i in INSTITUTIONS:
        inst = plaid_client.institutions_get_by_id(
            InstitutionsGetByIdRequest(
                institution_id=i["institution_id"],
                country_codes=[CountryCode(i["country"])],
                options=InstitutionsGetByIdRequestOptions(include_optional_metadata=True),
            )
        ).institution
        assert inst.logo and inst.primary_color.startswith("#") and inst.url
    contract.check()


def test_it_renders_full_two_year_transactions_that_pass_the_spec(plaid_client, contract):
    access_token, _ = link_item(plaid_client, days=730)
    r = plaid_client.transactions_sync(
        TransactionsSyncRequest(access_token=access_token, count=500)
    )
    assert len(r.added) == 500 and r.has_more
    contract.check()
