from django.urls import path

from . import views

urlpatterns = [
    path("settings/currency/", views.home_currency_edit, name="home_currency"),
]
