import io
import json
import logging

from config.logging import RedactSecretsFilter


def _logger_writing_json(stream):
    from pythonjsonlogger.json import JsonFormatter

    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(RedactSecretsFilter())
    logger = logging.getLogger("tests.redaction")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def test_it_redacts_plaid_tokens_and_secrets_whoever_logs_them():
    stream = io.StringIO()
    logger = _logger_writing_json(stream)

    logger.info(
        "calling plaid with %s and secret=%s",
        "access-production-0a1b2c3d-4e5f-6789-abcd-ef0123456789",
        "s3cr3t-value",
    )

    line = stream.getvalue()
    assert "0a1b2c3d" not in line and "s3cr3t-value" not in line
    assert "access-production-[REDACTED]" in line and "secret=[REDACTED]" in line


def test_production_logs_are_one_json_object_a_line():
    stream = io.StringIO()
    logger = _logger_writing_json(stream)

    logger.info("first")
    logger.warning("second with public-sandbox-12345678-aaaa")

    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [r["message"] for r in records] == ["first", "second with public-sandbox-[REDACTED]"]
    assert records[1]["levelname"] == "WARNING"


def test_production_settings_log_json_through_the_redacting_filter(settings):
    handler = settings.LOGGING["handlers"]["console"]
    assert handler["formatter"] == "json"  # DJANGO_DEBUG is off in the test settings
    assert "redact" in handler["filters"]
