"""The recurring pages' public URLs. Change these only through an issue."""

from django.urls import path

from . import views

urlpatterns = [
    path("recurring/", views.recurring_list, name="recurring_list"),
    path("recurring/export.csv", views.recurring_export, name="recurring_export"),
    path("recurring/<uuid:public_id>/", views.recurring_action, name="recurring_action"),
]
