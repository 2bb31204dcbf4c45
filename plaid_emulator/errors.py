"""Plaid's error objects, with the HTTP status Plaid pairs with each error code."""

from __future__ import annotations

import secrets
import string

_ALNUM = string.ascii_letters + string.digits

# error_code -> (error_type, http_status, error_message, display_message).
# Messages are Plaid's own wording where the docs quote it.
CATALOGUE: dict[str, tuple[str, int, str, str | None]] = {
    "INVALID_API_KEYS": ("INVALID_INPUT", 400, "invalid client_id or secret provided", None),
    "INVALID_ACCESS_TOKEN": ("INVALID_INPUT", 400, "could not find matching access token", None),
    "INVALID_PUBLIC_TOKEN": ("INVALID_INPUT", 400, "could not find matching public token", None),
    "INVALID_LINK_TOKEN": ("INVALID_INPUT", 400, "link token is invalid or expired", None),
    "INVALID_INSTITUTION": ("INVALID_INPUT", 400, "invalid institution_id provided", None),
    "INVALID_WEBHOOK_VERIFICATION_KEY_ID": ("INVALID_INPUT", 400, "invalid key_id provided", None),
    "INVALID_FIELD": ("INVALID_REQUEST", 400, "invalid field", None),
    "MISSING_FIELDS": ("INVALID_REQUEST", 400, "the following required fields are missing", None),
    "INVALID_BODY": ("INVALID_REQUEST", 400, "body could not be parsed as JSON", None),
    "UNKNOWN_FIELDS": (
        "INVALID_REQUEST",
        400,
        "the following fields are not recognized by this endpoint",
        None,
    ),
    "NOT_FOUND": ("INVALID_REQUEST", 404, "not found", None),
    "METHOD_NOT_ALLOWED": ("INVALID_REQUEST", 405, "method not allowed", None),
    "INVALID_ACCOUNT_ID": (
        "INVALID_INPUT",
        400,
        "one or more of the account IDs is invalid",
        None,
    ),
    "INVALID_PRODUCT": (
        "INVALID_INPUT",
        400,
        "client is not authorized to access the following products",
        None,
    ),
    "PRODUCTS_NOT_SUPPORTED": (
        "ITEM_ERROR",
        400,
        "the following products are not supported by this institution",
        None,
    ),
    "PRODUCT_NOT_READY": (
        "ITEM_ERROR",
        400,
        "the requested product is not yet ready. please provide a webhook or try the request"
        " again later",
        None,
    ),
    "LAST_UPDATED_DATETIME_OUT_OF_RANGE": (
        "INVALID_RESULT",
        400,
        "requested datetime out of range, most recently updated balance is older than the"
        " requested datetime",
        None,
    ),
    "ITEM_LOGIN_REQUIRED": (
        "ITEM_ERROR",
        400,
        "the login details of this item have changed (credentials, MFA, or required user action)"
        " and a user login is required to update this information. use Link's update mode to"
        " restore the item to a good state",
        None,
    ),
    "ITEM_NOT_FOUND": ("ITEM_ERROR", 400, "the requested item was not found", None),
    "INVALID_CREDENTIALS": (
        "ITEM_ERROR",
        400,
        "the provided credentials were not correct",
        "The provided credentials were not correct. Please try again.",
    ),
    "INVALID_MFA": (
        "ITEM_ERROR",
        400,
        "the provided MFA response(s) were not correct",
        "The provided MFA responses were not correct. Please try again.",
    ),
    "ACCESS_NOT_GRANTED": (
        "ITEM_ERROR",
        400,
        "the user did not grant access to the required data",
        "The user did not grant the necessary permissions for their account.",
    ),
    "NO_ACCOUNTS": (
        "ITEM_ERROR",
        400,
        "no valid accounts were found for this item",
        "No valid accounts were found at the financial institution.",
    ),
    "USER_PERMISSION_REVOKED": (
        "ITEM_ERROR",
        400,
        "the holder of this account has revoked their permission for your application to access it",
        None,
    ),
    "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION": (
        "TRANSACTIONS_ERROR",
        400,
        "Underlying transaction data changed since last page was fetched. Please restart"
        " pagination from last update.",
        None,
    ),
    "INSTITUTION_DOWN": (
        "INSTITUTION_ERROR",
        400,
        "this institution is not currently responding to this request. please try again soon",
        "This financial institution is not currently responding to requests. We apologize for"
        " the inconvenience.",
    ),
    "INSTITUTION_NOT_RESPONDING": (
        "INSTITUTION_ERROR",
        400,
        "this institution is not currently responding to this request. please try again soon",
        "This financial institution is not currently responding to requests. We apologize for"
        " the inconvenience.",
    ),
    "INSTITUTION_NOT_AVAILABLE": (
        "INSTITUTION_ERROR",
        400,
        "this institution is not currently responding to this request. please try again soon",
        "This financial institution is not currently responding to requests. We apologize for"
        " the inconvenience.",
    ),
    "INSTITUTION_NO_LONGER_SUPPORTED": (
        "INSTITUTION_ERROR",
        400,
        "this institution is no longer supported",
        "This financial institution is no longer supported.",
    ),
    "UNSUPPORTED_RESPONSE": (
        "INSTITUTION_ERROR",
        400,
        "the data returned from the financial institution is not in a valid format",
        None,
    ),
    "COUNTRY_NOT_SUPPORTED": (
        "ITEM_ERROR",
        400,
        "this country is not currently supported",
        "This country is not currently supported.",
    ),
    "INSUFFICIENT_CREDENTIALS": (
        "ITEM_ERROR",
        400,
        "insufficient authorization was provided to complete the request",
        "The user did not complete the login. Please try again.",
    ),
    "INVALID_SEND_METHOD": (
        "ITEM_ERROR",
        400,
        "the provided MFA send_method was invalid",
        None,
    ),
    "ITEM_LOCKED": (
        "ITEM_ERROR",
        400,
        "the account is locked. prompt the user to visit the institution's site and unlock"
        " their account",
        "The given credentials belong to a locked account. Please reset your credentials at"
        " your bank and try again.",
    ),
    "ITEM_NOT_SUPPORTED": (
        "ITEM_ERROR",
        400,
        "this account type is not currently supported",
        "Account not currently supported.",
    ),
    "MFA_NOT_SUPPORTED": (
        "ITEM_ERROR",
        400,
        "this account requires a MFA type that is not currently supported",
        "Your account settings are incompatible. Please contact your bank.",
    ),
    "USER_SETUP_REQUIRED": (
        "ITEM_ERROR",
        400,
        "the account has not been fully set up. prompt the user to visit the issuing"
        " institution's site and finish the setup process",
        "The given account requires setup. Please visit your bank's website to finish it.",
    ),
    "USER_INPUT_TIMEOUT": (
        "ITEM_ERROR",
        400,
        "user must retry this operation",
        "The application timed out waiting for user input",
    ),
    "PLAID_ERROR": (
        "INSTITUTION_ERROR",
        400,
        "unexpected error",
        "An unexpected error occurred. Please try again later.",
    ),
    "INTERNAL_SERVER_ERROR": (
        "API_ERROR",
        500,
        "an unexpected error occurred",
        "Something went wrong. Please try again later.",
    ),
    "PLANNED_MAINTENANCE": (
        "API_ERROR",
        503,
        "the Plaid API is temporarily unavailable due to planned maintenance. visit"
        " https://status.plaid.com/ for more information",
        "The Plaid API is temporarily unavailable due to maintenance. Please try again later.",
    ),
    "OAUTH_STATE_ID_ALREADY_PROCESSED": (
        "OAUTH_ERROR",
        400,
        "The OAuth state id has already been processed.",
        None,
    ),
    "INCORRECT_OAUTH_NONCE": (
        "OAUTH_ERROR",
        400,
        "the oauth_state_id is invalid for this link token",
        None,
    ),
    "SANDBOX_WEBHOOK_INVALID": (
        "SANDBOX_ERROR",
        400,
        "The webhook for the Item sent in the /sandbox/item/fire_webhook request is not set or"
        " is invalid.",
        None,
    ),
    "SANDBOX_PRODUCT_NOT_ENABLED": (
        "SANDBOX_ERROR",
        400,
        "The requested product is not enabled for the Item in the sandbox.",
        None,
    ),
}

RATE_LIMIT_MESSAGE = "rate limit exceeded for attempts to access this item. please try again later"

# The RATE_LIMIT_EXCEEDED family: every code shares the type, the status 429 and the message.
RATE_LIMIT_CODES = {
    "TRANSACTIONS_SYNC_LIMIT",
    "ACCOUNTS_LIMIT",
    "ITEM_GET_LIMIT",
    "TRANSACTIONS_REFRESH_LIMIT",
    "RATE_LIMIT",
    "INSTITUTION_RATE_LIMIT",
    "CREDITS_EXHAUSTED",
    "TRANSACTIONS_LIMIT",
    "INSTITUTIONS_GET_BY_ID_LIMIT",
    "BALANCE_LIMIT",
    "ACCOUNTS_BALANCE_GET_LIMIT",
    "RATE_LIMIT_EXCEEDED",
}


def new_request_id() -> str:
    # Plaid's request ids are short opaque alphanumerics ("XQVgFigpGHXkb0b").
    return "".join(secrets.choice(_ALNUM) for _ in range(15))


def is_known(code: str) -> bool:
    return code in CATALOGUE or code in RATE_LIMIT_CODES


class PlaidError(Exception):
    """Raised anywhere in a handler; the server renders it as Plaid's error object."""

    def __init__(
        self,
        code: str,
        message: str | None = None,
        *,
        display_message=None,
        status: int | None = None,
        error_type: str | None = None,
    ):
        if code in RATE_LIMIT_CODES:
            etype, estatus, emsg, edisplay = "RATE_LIMIT_EXCEEDED", 429, RATE_LIMIT_MESSAGE, None
        else:
            etype, estatus, emsg, edisplay = CATALOGUE.get(
                code, ("API_ERROR", 500, "an unexpected error occurred", None)
            )
        self.code = code
        self.error_type = error_type or etype
        self.status = status or estatus
        self.message = message or emsg
        self.display_message = display_message if display_message is not None else edisplay
        super().__init__(f"{self.error_type}/{code}: {self.message}")

    def body(self, request_id: str | None) -> dict:
        out = {
            "error_type": self.error_type,
            "error_code": self.code,
            "error_message": self.message,
            "display_message": self.display_message,
            "documentation_url": f"https://plaid.com/docs/errors/#{self.code.lower()}",
            "suggested_action": None,
        }
        if request_id is not None:
            out["request_id"] = request_id
        return out

    def webhook_body(self) -> dict:
        # Inside webhooks Plaid drops request_id and adds the HTTP status.
        out = self.body(None)
        out["status"] = self.status
        return out


def missing_fields(*names: str) -> PlaidError:
    return PlaidError(
        "MISSING_FIELDS", "the following required fields are missing: " + ", ".join(names)
    )


def invalid_field(name: str, why: str) -> PlaidError:
    return PlaidError("INVALID_FIELD", f"{name} {why}")
