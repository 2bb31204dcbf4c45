"""Re-authentication for tests of dangerous actions (export, bank removal, account deletion)."""


def recently_authenticated(client, password):
    """The password entered again just now through allauth's own page, so the session counts
    as recently authenticated for ACCOUNT_REAUTHENTICATION_TIMEOUT seconds."""
    response = client.post("/accounts/reauthenticate/", {"password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client
