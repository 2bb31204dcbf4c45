"""Redaction: Plaid tokens, passwords and codes never reach a log line or an error report.

Three doors, one rule (`redact` and `SENSITIVE_NAME`):
- RedactSecretsFilter cleans the message and every `extra` field of a log record;
- the formatters clean the formatted traceback (`exc_info`) and stack;
- RedactingExceptionReporterFilter cleans the POST data and frame variables shown on DEBUG pages
  and in the error emails sent to ADMINS, whether or not a view remembered
  @sensitive_variables / @sensitive_post_parameters.
"""

import logging
import re

from django.views.debug import SafeExceptionReporterFilter
from pythonjsonlogger.json import JsonFormatter

# access-/public-/link- tokens in any environment, and anything that looks like key=value secrets.
_TOKEN = re.compile(
    r"\b(access|public|link)-(sandbox|production|development|emulator)-[0-9A-Za-z-]{6,}"
)
_SECRET = re.compile(
    r"(?i)(secret|password|access_token|api_key)(['\"]?\s*[:=]\s*['\"]?)([^\s'\",}]+)"
)
# Names whose value is a secret whatever it looks like (variables, POST fields, `extra` keys).
SENSITIVE_NAME = re.compile(
    r"(?i)(password|passwd|secret|token|api_?key|fernet|otp|totp|recovery|signature|^code$)"
)
REDACTED = "[REDACTED]"
_RECORD_FIELDS = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
}


def redact(text: str) -> str:
    text = _TOKEN.sub(lambda m: f"{m.group(1)}-{m.group(2)}-{REDACTED}", text)
    return _SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)


def redact_value(value, depth: int = 0):
    """A copy of `value` with secrets redacted: strings, and dicts/lists/tuples of them."""
    if depth > 5:
        return value
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {
            key: REDACTED
            if isinstance(key, str) and SENSITIVE_NAME.search(key)
            else redact_value(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(redact_value(item, depth + 1) for item in value)
    return value


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        for key in set(record.__dict__) - _RECORD_FIELDS:
            value = record.__dict__[key]
            record.__dict__[key] = REDACTED if SENSITIVE_NAME.search(key) else redact_value(value)
        return True


class RedactingFormatter(logging.Formatter):
    def formatException(self, ei) -> str:  # noqa: N802 (logging's name)
        return redact(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802
        return redact(super().formatStack(stack_info))


class RedactingJsonFormatter(JsonFormatter):
    def formatException(self, ei) -> str:  # noqa: N802
        return redact(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802
        return redact(super().formatStack(stack_info))


class RedactingExceptionReporterFilter(SafeExceptionReporterFilter):
    """settings.DEFAULT_EXCEPTION_REPORTER_FILTER: DEBUG pages and error emails."""

    def is_active(self, request) -> bool:
        # Django skips filtering with DEBUG on; a developer's page may end up in a bug report.
        return True

    def _cleanse_params(self, params):
        cleansed = params.copy()
        for key in cleansed:
            if SENSITIVE_NAME.search(key):
                cleansed[key] = self.cleansed_substitute
        return cleansed

    def get_post_parameters(self, request):
        params = super().get_post_parameters(request)
        return self._cleanse_params(params) if request is not None else params

    def get_cleansed_multivaluedict(self, request, multivaluedict):
        return self._cleanse_params(super().get_cleansed_multivaluedict(request, multivaluedict))

    def get_traceback_frame_variables(self, request, tb_frame):
        cleansed = []
        for name, value in super().get_traceback_frame_variables(request, tb_frame):
            if value is not self.cleansed_substitute:
                value = self._cleanse_variable(name, value)
            cleansed.append((name, value))
        return cleansed

    def _cleanse_variable(self, name: str, value):
        if SENSITIVE_NAME.search(name):
            return self.cleansed_substitute
        if isinstance(value, str | dict | list | tuple):
            return redact_value(value)
        try:
            text = repr(value)
        except Exception:  # a broken __repr__ must not break the error report
            return value
        # An SDK request object prints its access token in its repr.
        cleaned = redact(text)
        return value if cleaned == text else cleaned
