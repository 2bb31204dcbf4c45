from django.conf import settings


def plaid(request):
    return {"PLAID_ENV": settings.PLAID_ENV, "PLAID_LINK_SCRIPT_URL": settings.PLAID_LINK_SCRIPT_URL}
