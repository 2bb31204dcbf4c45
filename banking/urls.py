"""The public URL contract: the tests write these paths out literally, and people, Plaid (the
webhook) and bookmarks depend on them."""

from django.urls import path

from .views import banks, link, sync, webhooks

urlpatterns = [
    # Bank connections. <uuid:public_id> is the item's opaque id, never a database pk.
    path("banks/", banks.bank_list, name="bank_list"),
    path("banks/refresh/", sync.refresh_all, name="bank_refresh_all"),
    path("banks/<uuid:public_id>/", banks.bank_detail, name="bank_detail"),
    path("banks/<uuid:public_id>/refresh/", sync.bank_refresh, name="bank_refresh"),
    path("banks/<uuid:public_id>/status/", sync.bank_status, name="bank_status"),
    path("banks/<uuid:public_id>/live/", banks.bank_live, name="bank_live"),
    path("banks/<uuid:public_id>/reconnect/", banks.bank_reconnect, name="bank_reconnect"),
    path("banks/<uuid:public_id>/reconnected/", banks.bank_reconnected, name="bank_reconnected"),
    path("banks/<uuid:public_id>/remove/", banks.bank_remove, name="bank_remove"),
    # Plaid Link.
    path("link/", link.link_page, name="link"),
    path("link/token/", link.link_token, name="link_token"),
    path("link/exchange/", link.link_exchange, name="link_exchange"),
    path("oauth-callback", link.oauth_callback, name="oauth_callback"),
    # Webhooks: both spellings, never redirected (a redirected POST is a lost webhook).
    path("webhook", webhooks.webhook, name="webhook"),
    path("webhook/", webhooks.webhook),
]
