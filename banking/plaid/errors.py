"""Plaid's errors as our own exception: what a caller may show, log and retry."""

from __future__ import annotations

from ..health.errors import TABLE

# Errors worth retrying later (Plaid's or the bank's side, or rate limits): the table's
# transient codes.
_RETRYABLE_CODES = {code for code, rule in TABLE.items() if rule.transient}
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
        if retryable is None:
            retryable = (
                error_code in _RETRYABLE_CODES
                or error_type in _RETRYABLE_TYPES
                or (status is not None and status >= 500)
            )
        self.retryable = retryable
        super().__init__(f"{error_type or 'ERROR'}/{error_code}: {error_message}")

    @property
    def user_message(self) -> str:
        """What a person may read: Plaid's display_message, or a plain fallback."""
        if self.display_message:
            return self.display_message
        if self.retryable:
            return "Your bank or Plaid is having trouble right now. Please try again in a while."
        return "Something went wrong while talking to your bank. Please try again."
