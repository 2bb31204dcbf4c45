from django.contrib import admin
from django.urls import include, path

from . import health

urlpatterns = [
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("health/", health.health, name="health"),
    path("", include("finance.urls")),
    path("", include("banking.urls")),
]
