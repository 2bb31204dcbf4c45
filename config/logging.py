"""Log redaction: Plaid tokens and secrets never reach a log line, whoever logs them."""

import logging
import re

# access-/public-/link- tokens in any environment, and anything that looks like key=value secrets.
_TOKEN = re.compile(r"\b(access|public|link)-(sandbox|production|development)-[0-9a-fA-F-]{8,}")
_SECRET = re.compile(
    r"(?i)(secret|password|access_token|api_key)(['\"]?\s*[:=]\s*['\"]?)([^\s'\",}]+)"
)


def redact(text: str) -> str:
    text = _TOKEN.sub(lambda m: f"{m.group(1)}-{m.group(2)}-[REDACTED]", text)
    return _SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}[REDACTED]", text)


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
