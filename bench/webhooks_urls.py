"""The site's URLs plus /bench/bare: same server, same middleware, no work. The webhook
benchmark compares POST /webhook against it."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as site_urlpatterns


@csrf_exempt
def bare(request):
    request.body  # read the body, as the real endpoint does  # noqa: B018
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare", bare), *site_urlpatterns]
