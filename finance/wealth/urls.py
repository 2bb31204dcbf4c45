from django.urls import path

from . import views

urlpatterns = [
    path("investments/", views.portfolio, name="portfolio"),
    path("investments/holdings.csv", views.holdings_export, name="holdings_export"),
    path("liabilities/", views.liabilities, name="liabilities"),
]
