"""Plaid's webhook deliveries skip the middleware made for people.

A delivery carries no cookie and is answered with two bytes of text: sessions, CSRF (the view is
exempt: the signed JWT is its authentication), authentication, messages, clickjacking, CSP,
htmx, allauth and the staff-MFA check only cost it CPU, on every delivery Plaid sends
(bench/webhooks_bench.py measures the web tier's CPU per webhook). Placed after the security,
static-files and no-store middleware, so the https redirect and the headers every response gets
still apply; the view itself, and so the verification, is the same.
"""

from django.http import HttpRequest, HttpResponse

from .views.webhooks import webhook

# The URL contract's two spellings (banking/urls.py); matched before the URLconf is consulted.
WEBHOOK_PATHS = frozenset({"/webhook", "/webhook/"})


class WebhookFastPathMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info in WEBHOOK_PATHS:
            return webhook(request)
        return self.get_response(request)
