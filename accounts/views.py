# Placeholder until issue 2's account pages land.
from django.http import Http404


def profile(request):
    raise Http404


delete_account = profile
