"""POST /webhook: verify, record, enqueue, answer. Processing happens in Celery."""

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.client_ip import client_ip

from .. import webhooks


def _reject(status: int, reason: str, request) -> HttpResponse:
    webhooks.webhook_rejection_note(reason=reason, remote_addr=client_ip(request))
    # The same short body for every failure: nothing that tells a forger which check failed.
    return HttpResponse("rejected", status=status, content_type="text/plain")


@csrf_exempt  # Plaid cannot send our CSRF token; the signed JWT is the authentication.
@require_POST
def webhook(request):
    limit = settings.WEBHOOK_MAX_BODY_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return _reject(413, "too_large", request)
    body = request.body
    if len(body) > limit:
        return _reject(413, "too_large", request)
    try:
        verified = webhooks.webhook_verify(
            body=body, token=request.headers.get("Plaid-Verification"), client=client_ip(request)
        )
    except webhooks.WebhookRejected as exc:
        return _reject(exc.status, exc.reason, request)
    webhooks.webhook_record(verified=verified)
    # A replay of a delivery we already hold also gets 200: it is stored, just not twice.
    return HttpResponse("ok", content_type="text/plain")
