"""A failing Plaid call's error report (a DEBUG page, an error email, any reporter that honours
Django's @sensitive_variables) never shows the access token or the public token."""

import sys
from functools import partial

import pytest
from django.utils.module_loading import import_string
from django.views.debug import ExceptionReporter

from banking import link
from banking import plaid as plaid_api

pytestmark = pytest.mark.django_db

STOCK = "django.views.debug.SafeExceptionReporterFilter"
OURS = "config.logging.RedactingExceptionReporterFilter"


def _reports(rf, call, reporter_filter):
    try:
        call()
    except Exception:
        info = sys.exc_info()
    else:
        raise AssertionError("the call was expected to fail")
    # Only the site's frames are under test: the call's own arguments are the test's.
    del call
    request = rf.post("/link/exchange/")
    # Per request (Django caches the settings' filter for the whole process).
    request.exception_reporter_filter = import_string(reporter_filter)()
    reporter = ExceptionReporter(request, *info)
    return reporter.get_traceback_text(), reporter.get_traceback_html()


@pytest.mark.parametrize(("reporter_filter", "debug"), [(STOCK, False), (OURS, True)])
def test_a_failing_plaid_call_keeps_the_access_token_out_of_the_report(
    rf, settings, linked_item, fault, reporter_filter, debug
):
    # Django's own filter with DEBUG off (error emails, third-party reporters) only honours
    # @sensitive_variables; ours also cleans DEBUG pages.
    settings.DEBUG = debug
    fault("/item/get", "INTERNAL_SERVER_ERROR")
    for report in _reports(rf, partial(plaid_api.item_get, linked_item), reporter_filter):
        assert "INTERNAL_SERVER_ERROR" in report
        assert linked_item.access_token not in report


@pytest.mark.parametrize(("reporter_filter", "debug"), [(STOCK, False), (OURS, True)])
def test_a_failing_link_exchange_keeps_both_tokens_out_of_the_report(
    rf, settings, alice, plaid_settings, fault, reporter_filter, debug
):
    settings.DEBUG = debug
    public_token = plaid_api.sandbox_public_token_create("ins_109508")
    fault("/item/get", "INTERNAL_SERVER_ERROR")
    reports = _reports(
        rf,
        partial(link.item_link, user=alice, public_token=public_token, metadata=None),
        reporter_filter,
    )
    for report in reports:
        assert "item_link" in report  # the frame is there, its secrets are not
        assert public_token not in report
        assert "access-sandbox-" not in report
