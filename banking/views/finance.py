# Placeholder until issue 4's views land (owned by the linking work).
from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404("Not built yet")


dashboard = transaction_list = transaction_export = transaction_edit = insights = _todo
