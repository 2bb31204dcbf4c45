"""The request shape of every Plaid endpoint the emulator serves, written from Plaid's OpenAPI
spec (2020-09-14 version line) and checked by `validation.validate` before a handler runs.

The notation is small on purpose: a field is a type name ("string", "url", "bool", "date",
"datetime", "object"), an `Int`, an `Enum`, an `Arr` or an `Obj`. Sections of
`/link/token/create` that configure products the emulator does not implement are kept as
"object": their keys are Plaid's business, not ours, but they must still be objects.

Plaid checks in this order (and so do we): required fields (MISSING_FIELDS), fields the
endpoint does not know (UNKNOWN_FIELDS), then types, enums and ranges (INVALID_FIELD). Every
message names the dotted path of the field.
"""

from __future__ import annotations

from .validation import Arr, Enum, Int, Obj

COUNTRY_CODES = (
    "US",
    "GB",
    "ES",
    "NL",
    "FR",
    "IE",
    "CA",
    "DE",
    "IT",
    "PL",
    "DK",
    "NO",
    "SE",
    "EE",
    "LT",
    "LV",
    "PT",
    "BE",
    "AT",
    "FI",
)
# The 38 values of the spec's `Products` enum.
PRODUCTS = (
    "assets",
    "auth",
    "balance",
    "balance_plus",
    "beacon",
    "identity",
    "identity_match",
    "investments",
    "investments_auth",
    "liabilities",
    "payment_initiation",
    "identity_verification",
    "transactions",
    "credit_details",
    "income",
    "income_verification",
    "standing_orders",
    "transfer",
    "employment",
    "recurring_transactions",
    "transactions_refresh",
    "signal",
    "statements",
    "processor_payments",
    "processor_identity",
    "profile",
    "cra_base_report",
    "cra_income_insights",
    "cra_partner_insights",
    "cra_network_insights",
    "cra_cashflow_insights",
    "cra_monitoring",
    "cra_lend_score",
    "cra_plaid_credit_score",
    "layer",
    "pay_by_bank",
    "protect_linked_bank",
    "protect_transactions",
)
# The spec's enum for /sandbox/item/fire_webhook `webhook_code`.
SANDBOX_WEBHOOK_CODES = (
    "DEFAULT_UPDATE",
    "NEW_ACCOUNTS_AVAILABLE",
    "SMS_MICRODEPOSITS_VERIFICATION",
    "AUTHORIZATION_GRANTED",
    "USER_PERMISSION_REVOKED",
    "USER_ACCOUNT_REVOKED",
    "PENDING_DISCONNECT",
    "RECURRING_TRANSACTIONS_UPDATE",
    "LOGIN_REPAIRED",
    "SYNC_UPDATES_AVAILABLE",
    "PRODUCT_READY",
    "ERROR",
)
SANDBOX_WEBHOOK_TYPES = (
    "AUTH",
    "HOLDINGS",
    "INVESTMENTS_TRANSACTIONS",
    "ITEM",
    "LIABILITIES",
    "TRANSACTIONS",
    "ASSETS",
)


def _creds(props: dict, required=(), **kw) -> Obj:
    return Obj({"client_id": "string", "secret": "string", **props}, tuple(required), **kw)


PRODUCT_LIST = Arr(Enum(PRODUCTS))
COUNTRIES = Arr(Enum(COUNTRY_CODES), min_items=1)
ACCOUNT_IDS = Obj({"account_ids": Arr("string")})
ACCESS = _creds({"access_token": "string"}, ["access_token"])

LINK_USER = Obj(
    {
        "client_user_id": "string",
        "legal_name": "string",
        "name": "object",
        "phone_number": "string",
        "phone_number_verified_time": "datetime",
        "email_address": "string",
        "email_address_verified_time": "datetime",
        "ssn": "string",
        "date_of_birth": "date",
        "address": "object",
        "id_number": "object",
    },
    ("client_user_id",),
    min_length={"client_user_id": 1},
)

LINK_TOKEN_CREATE = _creds(
    {
        "client_name": "string",
        "language": "string",
        "country_codes": COUNTRIES,
        "user": LINK_USER,
        "user_id": "string",
        "products": PRODUCT_LIST,
        "required_if_supported_products": PRODUCT_LIST,
        "optional_products": PRODUCT_LIST,
        "additional_consented_products": PRODUCT_LIST,
        "webhook": "url",
        "access_token": "string",
        "access_tokens": Arr("string"),
        "link_customization_name": "string",
        "appearance_mode": Enum(("LIGHT", "DARK", "SYSTEM")),
        "redirect_uri": "string",
        "android_package_name": "string",
        "institution_data": Obj({"routing_number": "string"}),
        "card_switch": "object",
        "account_filters": "object",
        "eu_config": "object",
        "institution_id": "string",
        "payment_configuration": "object",
        "payment_initiation": "object",
        "employment": "object",
        "income_verification": "object",
        "base_report": "object",
        "credit_partner_insights": "object",
        "cra_options": "object",
        "consumer_report_permissible_purpose": "string",
        "auth": "object",
        "transfer": "object",
        "update": Obj(
            {
                "account_selection_enabled": "bool",
                "reauthorization_enabled": "bool",
                "user": "bool",
                "item_ids": Arr("string"),
            }
        ),
        "identity_verification": "object",
        "statements": "object",
        "third_party_user_token": "string",
        "investments": "object",
        "investments_auth": "object",
        "hosted_link": "object",
        "transactions": Obj({"days_requested": Int(1, 730)}),
        "cashflow_report": "object",
        "cra_enabled": "bool",
        "identity": "object",
        "financekit_supported": "bool",
        "enable_multi_item_link": "bool",
        "user_token": "string",
    },
    ["client_name", "language", "country_codes"],
    min_length={"client_name": 1, "language": 1, "access_token": 1},
)

TRANSACTIONS_OPTIONS = {
    "include_original_description": "bool",
    "include_personal_finance_category": "bool",
    "include_logo_and_counterparty_beta": "bool",
    "personal_finance_category_version": Enum(("v1", "v2")),
    "days_requested": Int(1, 730),
}

REQUESTS: dict[str, Obj] = {
    "/link/token/create": LINK_TOKEN_CREATE,
    "/link/token/get": _creds({"link_token": "string"}, ["link_token"]),
    "/item/public_token/exchange": _creds({"public_token": "string"}, ["public_token"]),
    "/item/get": ACCESS,
    "/item/remove": _creds(
        {
            "access_token": "string",
            "reason_code": Enum(
                (
                    "FRAUD_FIRST_PARTY",
                    "FRAUD_FALSE_IDENTITY",
                    "FRAUD_ABUSE",
                    "FRAUD_OTHER",
                    "CONNECTION_IS_NON_FUNCTIONAL",
                    "OTHER",
                )
            ),
            "reason_note": "string",
        },
        ["access_token"],
    ),
    "/item/webhook/update": _creds({"access_token": "string", "webhook": "url"}, ["access_token"]),
    "/item/access_token/invalidate": ACCESS,
    "/accounts/get": _creds({"access_token": "string", "options": ACCOUNT_IDS}, ["access_token"]),
    "/accounts/balance/get": _creds(
        {
            "access_token": "string",
            "options": Obj({"account_ids": Arr("string"), "min_last_updated_datetime": "datetime"}),
        },
        ["access_token"],
    ),
    "/transactions/sync": _creds(
        {
            "access_token": "string",
            "cursor": "string",
            "count": Int(1, 500),
            "options": Obj({**TRANSACTIONS_OPTIONS, "account_id": "string"}),
        },
        ["access_token"],
    ),
    "/transactions/get": _creds(
        {
            "access_token": "string",
            "start_date": "date",
            "end_date": "date",
            "options": Obj(
                {
                    **TRANSACTIONS_OPTIONS,
                    "account_ids": Arr("string"),
                    "count": Int(1, 500),
                    "offset": Int(0),
                    "include_personal_finance_category_beta": "bool",
                }
            ),
        },
        ["access_token", "start_date", "end_date"],
    ),
    "/transactions/refresh": ACCESS,
    "/transactions/recurring/get": _creds(
        {
            "access_token": "string",
            "account_ids": Arr("string"),
            "options": Obj(
                {
                    "include_personal_finance_category": "bool",
                    "personal_finance_category_version": Enum(("v1", "v2")),
                }
            ),
        },
        ["access_token"],
    ),
    "/auth/get": _creds({"access_token": "string", "options": ACCOUNT_IDS}, ["access_token"]),
    "/identity/get": _creds({"access_token": "string", "options": ACCOUNT_IDS}, ["access_token"]),
    "/liabilities/get": _creds(
        {"access_token": "string", "options": ACCOUNT_IDS}, ["access_token"]
    ),
    "/investments/holdings/get": _creds(
        {"access_token": "string", "options": ACCOUNT_IDS}, ["access_token"]
    ),
    "/investments/transactions/get": _creds(
        {
            "access_token": "string",
            "start_date": "date",
            "end_date": "date",
            "options": Obj(
                {
                    "account_ids": Arr("string"),
                    "count": Int(1, 500),
                    "offset": Int(0),
                    "async_update": "bool",
                }
            ),
        },
        ["access_token", "start_date", "end_date"],
    ),
    "/institutions/get_by_id": _creds(
        {
            "institution_id": "string",
            "country_codes": Arr(Enum(COUNTRY_CODES)),
            "options": Obj(
                {
                    "include_optional_metadata": "bool",
                    "include_status": "bool",
                    "include_auth_metadata": "bool",
                    "include_payment_initiation_metadata": "bool",
                }
            ),
        },
        ["institution_id", "country_codes"],
        min_length={"institution_id": 1},
    ),
    "/institutions/search": _creds(
        {
            "query": "string",
            "products": Arr(Enum(PRODUCTS), min_items=1),
            "country_codes": Arr(Enum(COUNTRY_CODES)),
            "options": Obj(
                {
                    "oauth": "bool",
                    "include_optional_metadata": "bool",
                    "include_auth_metadata": "bool",
                    "include_payment_initiation_metadata": "bool",
                    "payment_initiation": Obj({"payment_id": "string", "consent_id": "string"}),
                }
            ),
        },
        ["query", "country_codes"],
        min_length={"query": 1},
    ),
    "/webhook_verification_key/get": _creds({"key_id": "string"}, ["key_id"]),
    "/sandbox/public_token/create": _creds(
        {
            "institution_id": "string",
            "initial_products": Arr(Enum(PRODUCTS), min_items=1),
            "options": Obj(
                {
                    "webhook": "url",
                    "override_username": "string",
                    "override_password": "string",
                    "transactions": Obj(
                        {"start_date": "date", "end_date": "date", "days_requested": Int(1, 730)}
                    ),
                    "statements": Obj({"start_date": "date", "end_date": "date"}),
                    "income_verification": "object",
                }
            ),
            "user_token": "string",
            "user_id": "string",
        },
        ["institution_id", "initial_products"],
    ),
    "/sandbox/item/fire_webhook": _creds(
        {
            "access_token": "string",
            "webhook_type": Enum(SANDBOX_WEBHOOK_TYPES),
            "webhook_code": Enum(SANDBOX_WEBHOOK_CODES),
            # Newer than this spec (plaid-python 46 has it): how many transactions to add.
            "options": Obj({"new_transactions": Int(0, 10_000)}),
        },
        ["access_token", "webhook_code"],
    ),
    "/sandbox/item/reset_login": ACCESS,
}
