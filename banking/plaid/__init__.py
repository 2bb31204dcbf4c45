"""The one door to Plaid: every call, its errors, configuration, circuit breaker and rate
limiter. Callers use this package's names (`from banking import plaid as plaid_api`); only
`client` imports plaid-python."""

from .circuit import circuit_is_open, circuit_reset
from .client import (
    access_token_invalidate,
    accounts_get,
    institution_get,
    item_get,
    item_remove,
    item_webhook_update,
    link_token_create,
    public_token_exchange,
    sandbox_item_reset_login,
    sandbox_public_token_create,
    transactions_refresh,
    transactions_sync,
    webhook_verification_key_get,
)
from .errors import PlaidError
from .products import (
    investments_holdings_get,
    investments_transactions_get,
    liabilities_get,
    transactions_recurring_get,
)
from .ratelimit import REDIS_DOWN, RateLimited, window_try

__all__ = [
    "REDIS_DOWN",
    "PlaidError",
    "RateLimited",
    "access_token_invalidate",
    "accounts_get",
    "circuit_is_open",
    "circuit_reset",
    "institution_get",
    "investments_holdings_get",
    "investments_transactions_get",
    "item_get",
    "item_remove",
    "item_webhook_update",
    "liabilities_get",
    "link_token_create",
    "public_token_exchange",
    "sandbox_item_reset_login",
    "sandbox_public_token_create",
    "transactions_recurring_get",
    "transactions_refresh",
    "transactions_sync",
    "webhook_verification_key_get",
    "window_try",
]
