"""Plaid's errors as our own exception: what a caller may log and whether to retry. What a
person reads, and what the error does to the item, is in banking.health.errors."""

from __future__ import annotations

from ..health.errors import TABLE

_RETRYABLE_TYPES = {"RATE_LIMIT_EXCEEDED", "API_ERROR"}


class PlaidError(Exception):
    def __init__(
        self,
        error_code: str,
        error_message: str = "",
        *,
        error_type: str = "",
        display_message: str | None = None,
        request_id: str = "",
        status: int | None = None,
        retryable: bool | None = None,
    ):
        self.error_code = error_code
        self.error_type = error_type
        self.error_message = error_message
        self.display_message = display_message
        self.request_id = request_id
        self.status = status
        rule = TABLE.get(error_code)
        if retryable is None and rule is not None:
            retryable = rule.transient
        if retryable is None:
            # A code the table does not know: Plaid's or the bank's side, or a rate limit.
            retryable = error_type in _RETRYABLE_TYPES or (status is not None and status >= 500)
        self.retryable = retryable
        super().__init__(f"{error_type or 'ERROR'}/{error_code}: {error_message}")
