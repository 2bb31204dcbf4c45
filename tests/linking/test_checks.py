from banking.checks import check_encryption, check_plaid


def ids(errors):
    return {e.id for e in errors}


def test_it_reports_unset_fernet_keys(settings):
    settings.FERNET_KEYS = None
    assert ids(check_encryption()) == {"banking.E001"}


def test_it_accepts_fernet_keys(settings):
    settings.FERNET_KEYS = ["a-long-random-key"]
    assert check_encryption() == []


def test_it_warns_when_fernet_keys_reuse_the_secret_key(settings):
    settings.FERNET_KEYS = [settings.SECRET_KEY]
    assert ids(check_encryption()) == {"banking.W001"}


def test_it_rejects_an_unknown_environment(settings):
    settings.PLAID_ENV = "development"
    errors = check_plaid()
    assert ids(errors) == {"banking.E002"}
    assert "2024-06-20" in errors[0].hint


def test_it_rejects_the_emulator_with_debug_off(settings):
    settings.PLAID_ENV, settings.DEBUG, settings.TESTING = "emulator", False, False
    assert "banking.E003" in ids(check_plaid())


def test_it_allows_the_emulator_with_debug_on(settings):
    settings.PLAID_ENV, settings.DEBUG, settings.TESTING = "emulator", True, False
    assert "banking.E003" not in ids(check_plaid())


def test_it_requires_keys_outside_the_emulator(settings):
    settings.PLAID_ENV, settings.PLAID_CLIENT_ID, settings.PLAID_SECRET = "sandbox", "", ""
    assert "banking.E004" in ids(check_plaid())


def test_it_requires_https_webhook_and_redirect_in_production(settings):
    settings.PLAID_ENV = "production"
    settings.PLAID_CLIENT_ID, settings.PLAID_SECRET = "id", "secret"
    settings.ENABLE_OAUTH = True
    settings.PLAID_WEBHOOK_URL = "http://example.com/webhook"
    settings.PLAID_REDIRECT_URI = ""
    assert {"banking.E005", "banking.E006"} <= ids(check_plaid())


def test_it_accepts_a_proper_production_setup(settings):
    settings.PLAID_ENV = "production"
    settings.PLAID_CLIENT_ID, settings.PLAID_SECRET = "id", "secret"
    settings.PLAID_WEBHOOK_URL = "https://example.com/webhook"
    settings.PLAID_REDIRECT_URI = "https://example.com/oauth-callback"
    assert check_plaid() == []


def test_it_does_not_need_a_redirect_uri_without_oauth(settings):
    settings.PLAID_ENV = "production"
    settings.PLAID_CLIENT_ID, settings.PLAID_SECRET = "id", "secret"
    settings.PLAID_WEBHOOK_URL = "https://example.com/webhook"
    settings.ENABLE_OAUTH, settings.PLAID_REDIRECT_URI = False, ""
    assert check_plaid() == []


def test_it_rejects_a_redirect_uri_with_a_query(settings):
    settings.PLAID_REDIRECT_URI = "https://example.com/oauth-callback?x=1"
    assert "banking.E007" in ids(check_plaid())
