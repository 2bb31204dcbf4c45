# Placeholder until issue 4's views land (owned by the linking work).
from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404("Not built yet")


bank_list = bank_detail = bank_reconnect = bank_reconnected = bank_remove = _todo
