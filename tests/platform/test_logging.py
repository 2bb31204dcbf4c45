import io
import json
import logging

from config.logging import RedactSecretsFilter


def _logger_writing_json(stream):
    from config.logging import RedactingJsonFormatter

    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingJsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
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


TOKEN = "access-sandbox-0a1b2c3d-4e5f-6789-abcd-ef0123456789"
# Built at run time: a literal would show up in the report's source lines.
CODE, POSTED_CODE = str(97531 * 2), str(86420 * 3)


def test_it_redacts_extra_fields_by_name_and_by_content():
    stream = io.StringIO()
    logger = _logger_writing_json(stream)

    logger.info(
        "item linked",
        extra={"access_token": "anything-at-all", "detail": f"got {TOKEN}", "item": 7},
    )

    record = json.loads(stream.getvalue())
    assert record["access_token"] == "[REDACTED]"
    assert record["detail"] == "got access-sandbox-[REDACTED]"
    assert record["item"] == 7
    assert "0a1b2c3d" not in stream.getvalue()


def test_it_redacts_tracebacks_in_json_and_plain_logs():
    from config.logging import RedactingFormatter

    json_stream, plain_stream = io.StringIO(), io.StringIO()
    logger = _logger_writing_json(json_stream)
    plain = logging.StreamHandler(plain_stream)
    plain.setFormatter(RedactingFormatter("%(message)s"))
    logger.addHandler(plain)

    try:
        raise ValueError(f"Plaid refused {TOKEN}")
    except ValueError:
        logger.exception("sync failed")

    for output in (json_stream.getvalue(), plain_stream.getvalue()):
        assert "ValueError" in output
        assert "0a1b2c3d" not in output


def _report(request, debug_html=False):
    import sys

    from django.views.debug import ExceptionReporter

    class PlaidRequest:  # an SDK request object prints its token in its repr
        def __repr__(self):
            return f"ItemGetRequest(access_token='{TOKEN}')"

    def call_plaid(access_token, code):
        plaid_request = PlaidRequest()  # noqa: F841 (a frame variable for the report)
        raise RuntimeError("Plaid is down")

    try:
        call_plaid(TOKEN, CODE)
    except RuntimeError:
        reporter = ExceptionReporter(request, *sys.exc_info())
        return reporter.get_traceback_html() if debug_html else reporter.get_traceback_text()


def test_error_reports_hide_tokens_passwords_and_codes(rf, settings):
    request = rf.post(
        "/accounts/2fa/authenticate/", {"code": POSTED_CODE, "password": "hunter2-hunter2"}
    )
    for debug in (False, True):
        settings.DEBUG = debug
        for report in (_report(request), _report(request, debug_html=True)):
            assert "0a1b2c3d" not in report
            assert CODE not in report and POSTED_CODE not in report
            assert "hunter2-hunter2" not in report
            assert "Plaid is down" in report


def test_production_uses_the_redacting_error_report_filter(settings):
    assert (
        settings.DEFAULT_EXCEPTION_REPORTER_FILTER
        == "config.logging.RedactingExceptionReporterFilter"
    )
    assert settings.LOGGING["formatters"]["json"]["()"] == "config.logging.RedactingJsonFormatter"
