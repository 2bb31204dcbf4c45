# Placeholder until issue 4's views land (owned by the linking work).
from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404("Not built yet")


bank_refresh = bank_status = refresh_all = _todo
