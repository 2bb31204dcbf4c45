# Placeholder until the health endpoint lands.
from django.http import JsonResponse


def health(request):
    return JsonResponse({"status": "unknown"}, status=503)
