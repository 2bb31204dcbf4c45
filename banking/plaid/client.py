"""The one door to Plaid. No other module imports `plaid`.

Every call goes through `call`, which:
- builds (and caches) the plaid-python client from settings read at call time;
- refuses to send an access token whose environment prefix does not match PLAID_ENV;
- stops calling Plaid while the circuit breaker is open (banking.plaid.circuit);
- asks the rate limiter (banking.plaid.ratelimit) for permission before each call;
- reads the response as raw JSON (`_preload_content=False`): plaid-python's typed models are
  slow on big /transactions/sync pages, and callers want plain dicts anyway;
- converts SDK and network errors into `PlaidError`;
- records a PlaidApiCall row (endpoint, item, request_id, status, error code, duration; never a
  token).
`call`, `require_keys` and `to_decimal` are this module's public API for the other endpoint
modules of this package (products.py), which read Plaid's answers as JSON without plaid-python.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from decimal import Decimal
from typing import Any

import plaid
import urllib3
from django.conf import settings
from django.views.decorators.debug import sensitive_variables
from plaid.api import plaid_api

from accounts.models import User

from ..models import PlaidApiCall, PlaidItem
from . import config as plaid_config
from . import ratelimit
from .circuit import circuit_is_open, note_error
from .errors import PlaidError

logger = logging.getLogger(__name__)

# --- Client -------------------------------------------------------------------------------------
_clients: dict[tuple[str, str, str, str], plaid_api.PlaidApi] = {}
_clients_lock = threading.Lock()


def _client() -> plaid_api.PlaidApi:
    """The PlaidApi client for the current settings. Cached per configuration, so tests that
    point settings at another emulator get a fresh client without a reset hook."""
    host = plaid_config.api_host()
    client_id, secret = plaid_config.client_credentials()
    key = (settings.PLAID_ENV, host, client_id, secret)
    client = _clients.get(key)
    if client is None:
        with _clients_lock:
            configuration = plaid.Configuration(
                host=host,
                api_key={"clientId": client_id, "secret": secret, "plaidVersion": "2020-09-14"},
            )
            client = _clients[key] = plaid_api.PlaidApi(plaid.ApiClient(configuration))
    return client


def _timeout() -> tuple[float, float]:
    # (connect, read): a dead host fails fast; a slow /transactions/sync page may take a while.
    read = float(settings.PLAID_TIMEOUT_SECONDS)
    return (min(5.0, read), read)


# --- The call -----------------------------------------------------------------------------------
@sensitive_variables("token")
def _check_token_environment(item: PlaidItem) -> None:
    token = item.access_token or ""
    if not token.startswith(plaid_config.access_token_prefix()):
        # Never send: a token from another environment is at best an error and at worst a
        # leak of a production token to a sandbox host.
        raise PlaidError(
            "TOKEN_ENVIRONMENT_MISMATCH",
            f"access token does not belong to PLAID_ENV={settings.PLAID_ENV}",
            error_type="INVALID_INPUT",
            retryable=False,
        )


def _record(
    endpoint: str,
    item: PlaidItem | None,
    *,
    request_id: str = "",
    status: int | None = None,
    error_code: str = "",
    started: float = 0.0,
) -> None:
    PlaidApiCall.objects.create(
        endpoint=endpoint,
        item=item if item is not None and item.pk else None,
        plaid_item_id=(item.item_id or "") if item is not None else "",
        request_id=(request_id or "")[:64],
        status_code=status,
        error_code=(error_code or "")[:64],
        duration_ms=int((time.monotonic() - started) * 1000),
    )


def _error_from_api_exception(exc: plaid.ApiException) -> PlaidError:
    body = exc.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    try:
        data = json.loads(body or "")
    except ValueError:
        data = None
    if not isinstance(data, dict) or "error_code" not in data:
        return PlaidError(
            "INVALID_RESPONSE" if (exc.status or 0) < 500 else "INTERNAL_SERVER_ERROR",
            f"HTTP {exc.status} without a Plaid error body",
            error_type="API_ERROR",
            status=exc.status or None,
        )
    return PlaidError(
        data.get("error_code") or "UNKNOWN",
        data.get("error_message") or "",
        error_type=data.get("error_type") or "",
        display_message=data.get("display_message"),
        request_id=data.get("request_id") or "",
        status=exc.status,
    )


# The request body carries the access token, the raw answer may carry one (an exchange, an
# invalidation): an error report of a failing call shows neither, whatever reporter renders it.
@sensitive_variables("body", "raw", "data")
def call(endpoint: str, body: dict[str, Any], *, item: PlaidItem | None = None) -> dict[str, Any]:
    """POST `body` to `endpoint` (with the item's access token when `item` is given) and return
    the answer as a dict; every failure is a PlaidError."""
    if circuit_is_open():
        raise PlaidError(
            "CIRCUIT_OPEN",
            "calls to Plaid are paused after a configuration error; staff have been alerted",
            error_type="API_ERROR",
            retryable=False,
        )
    if item is not None:
        _check_token_environment(item)
        body = {"access_token": item.access_token, **body}
    ratelimit.acquire(endpoint, item)
    started = time.monotonic()
    try:
        # The generated endpoint methods insist on typed request models; the ApiClient below
        # them is the same HTTP path (auth headers, Plaid-Version, error classes) without that.
        response = _client().api_client.call_api(
            endpoint,
            "POST",
            header_params={"Content-Type": "application/json", "Accept": "application/json"},
            body=body,
            auth_settings=["clientId", "plaidVersion", "secret"],
            _preload_content=False,
            _request_timeout=_timeout(),
        )
        raw = response.data
    except plaid.ApiException as exc:
        error = _error_from_api_exception(exc)
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        error = PlaidError(
            "NETWORK_ERROR", f"could not reach Plaid: {exc.__class__.__name__}", retryable=True
        )
    else:
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("not an object")
        except ValueError:
            error = PlaidError("INVALID_RESPONSE", f"{endpoint} returned invalid JSON")
        else:
            _record(
                endpoint,
                item,
                request_id=data.get("request_id", ""),
                status=response.status,
                started=started,
            )
            return data

    _record(
        endpoint,
        item,
        request_id=error.request_id,
        status=error.status,
        error_code=error.error_code,
        started=started,
    )
    logger.warning(
        "plaid %s failed: %s %s request_id=%s item=%s",
        endpoint,
        error.error_type,
        error.error_code,
        error.request_id,
        getattr(item, "item_id", ""),
    )
    note_error(error, item)
    raise error


# --- Conversions --------------------------------------------------------------------------------
def to_decimal(value: object) -> Decimal | None:
    """A JSON number (or None) from Plaid as a Decimal (or None)."""
    # Decimal(str(x)), not Decimal(x): 72.1 must become Decimal("72.1"), not 72.099999….
    return None if value is None else Decimal(str(value))


def require_keys(obj: dict[str, Any], keys: tuple[str, ...], what: str) -> None:
    """PlaidError INVALID_RESPONSE naming the missing keys when `obj` lacks any of `keys`."""
    missing = [key for key in keys if key not in obj]
    if missing:
        raise PlaidError("INVALID_RESPONSE", f"{what} lacks {', '.join(missing)}")


def _account(raw: dict[str, Any]) -> dict[str, Any]:
    require_keys(raw, ("account_id", "balances", "name", "type"), "account")
    balances = dict(raw["balances"] or {})
    for key in ("available", "current", "limit"):
        balances[key] = to_decimal(balances.get(key))
    return {**raw, "balances": balances}


def _transaction(raw: dict[str, Any]) -> dict[str, Any]:
    require_keys(raw, ("transaction_id", "account_id", "amount", "date", "name", "pending"), "txn")
    return {**raw, "amount": to_decimal(raw["amount"])}


# --- Endpoints ----------------------------------------------------------------------------------
def link_token_create(
    *, user: User, item: PlaidItem | None = None, account_selection: bool = False
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "client_name": settings.PLAID_CLIENT_NAME[:30],
        "language": "en",
        "country_codes": list(settings.PLAID_COUNTRY_CODES),
        # Not PII (Plaid asks for an opaque, stable id).
        "user": {"client_user_id": str(user.public_id)},
    }
    redirect_uri = plaid_config.redirect_uri()
    if redirect_uri:
        body["redirect_uri"] = redirect_uri
    if item is None:
        body["products"] = list(settings.PLAID_PRODUCTS)
        # Banks without these stay selectable: Plaid adds them only where the bank has them.
        if settings.PLAID_PRODUCTS_IF_SUPPORTED:
            body["required_if_supported_products"] = list(settings.PLAID_PRODUCTS_IF_SUPPORTED)
        body["transactions"] = {"days_requested": settings.PLAID_DAYS_REQUESTED}
        webhook = plaid_config.webhook_url()
        if webhook:
            body["webhook"] = webhook
        data = call("/link/token/create", body)
    else:
        # Update mode: the item's access token and no products (Plaid's rule).
        if account_selection:
            body["update"] = {"account_selection_enabled": True}
        data = call("/link/token/create", body, item=item)
    require_keys(data, ("link_token", "expiration"), "/link/token/create response")
    return {"link_token": data["link_token"], "expiration": data["expiration"]}


@sensitive_variables("public_token", "data")
def public_token_exchange(public_token: str) -> dict[str, str]:
    if not isinstance(public_token, str) or not 0 < len(public_token) <= 200:
        raise PlaidError("INVALID_PUBLIC_TOKEN", "malformed public token", retryable=False)
    data = call("/item/public_token/exchange", {"public_token": public_token})
    require_keys(data, ("access_token", "item_id"), "/item/public_token/exchange response")
    return {"access_token": data["access_token"], "item_id": data["item_id"]}


def item_get(item: PlaidItem) -> dict[str, Any]:
    data = call("/item/get", {}, item=item)
    require_keys(data, ("item",), "/item/get response")
    return data


def item_remove(item: PlaidItem) -> None:
    call("/item/remove", {}, item=item)


def accounts_get(item: PlaidItem) -> list[dict[str, Any]]:
    data = call("/accounts/get", {}, item=item)
    require_keys(data, ("accounts",), "/accounts/get response")
    return [_account(a) for a in data["accounts"]]


def institution_get(institution_id: str) -> dict[str, Any]:
    data = call(
        "/institutions/get_by_id",
        {
            "institution_id": institution_id,
            "country_codes": list(settings.PLAID_COUNTRY_CODES),
            "options": {"include_optional_metadata": True},
        },
    )
    require_keys(data, ("institution",), "/institutions/get_by_id response")
    return data["institution"]


def transactions_sync(item: PlaidItem, cursor: str | None, count: int = 500) -> dict[str, Any]:
    # The taxonomy version is asked for by name: Plaid's default depends on when the account
    # was enabled, and the two versions name some categories differently.
    body: dict[str, Any] = {
        "count": count,
        "options": {"personal_finance_category_version": settings.PLAID_PFC_VERSION},
    }
    if cursor:
        body["cursor"] = cursor
    data = call("/transactions/sync", body, item=item)
    require_keys(
        data,
        ("added", "modified", "removed", "next_cursor", "has_more", "accounts"),
        "/transactions/sync response",
    )
    for removed in data["removed"]:
        require_keys(removed, ("transaction_id",), "removed transaction")
    data["added"] = [_transaction(t) for t in data["added"]]
    data["modified"] = [_transaction(t) for t in data["modified"]]
    data["accounts"] = [_account(a) for a in data["accounts"]]
    return data


def transactions_refresh(item: PlaidItem) -> None:
    call("/transactions/refresh", {}, item=item)


def webhook_verification_key_get(kid: str) -> dict[str, Any]:
    data = call("/webhook_verification_key/get", {"key_id": kid})
    require_keys(data, ("key",), "/webhook_verification_key/get response")
    return data["key"]


def item_webhook_update(item: PlaidItem, url: str | None) -> dict[str, Any]:
    return call("/item/webhook/update", {"webhook": url}, item=item)


@sensitive_variables("data")
def access_token_invalidate(item: PlaidItem) -> str:
    data = call("/item/access_token/invalidate", {}, item=item)
    require_keys(data, ("new_access_token",), "/item/access_token/invalidate response")
    return data["new_access_token"]


# --- Sandbox and emulator only ------------------------------------------------------------------
def _sandbox_only(endpoint: str) -> None:
    if settings.PLAID_ENV == "production":
        raise PlaidError("SANDBOX_ONLY", f"{endpoint} exists only in Sandbox", retryable=False)


@sensitive_variables("password", "data")
def sandbox_public_token_create(
    institution_id: str,
    *,
    webhook: str | None = None,
    username: str | None = None,
    password: str | None = None,
) -> str:
    _sandbox_only("/sandbox/public_token/create")
    # Plaid's default is 90 days; demo data and tests want the same history Link asks for.
    options: dict[str, Any] = {"transactions": {"days_requested": settings.PLAID_DAYS_REQUESTED}}
    webhook = webhook if webhook is not None else plaid_config.webhook_url()
    if webhook:
        options["webhook"] = webhook
    if username:
        options["override_username"] = username
    if password:
        options["override_password"] = password
    body: dict[str, Any] = {
        "institution_id": institution_id,
        "initial_products": list(settings.PLAID_PRODUCTS),
    }
    if options:
        body["options"] = options
    data = call("/sandbox/public_token/create", body)
    return data["public_token"]


def sandbox_item_reset_login(item: PlaidItem) -> None:
    _sandbox_only("/sandbox/item/reset_login")
    call("/sandbox/item/reset_login", {}, item=item)
