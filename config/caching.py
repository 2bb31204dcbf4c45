"""Nothing we render is stored by a browser or a shared cache.

Every page of ours is either private (balances, transactions, the link token on the OAuth page,
JSON answers) or carries a CSRF token; none is worth caching. So the rule is one default for
every response this project builds, applied here rather than view by view, where a new view
would be one forgotten decorator away from landing in a proxy's cache. Static files never reach
this middleware: WhiteNoise answers them earlier, with their own long-lived headers. A view
that sets Cache-Control itself keeps its own.
"""

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
