"""The money pages' public URLs. Change these only through an issue."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboard/live/", views.dashboard_live, name="dashboard_live"),
    path("dashboard/accounts/", views.account_preferences, name="account_preferences"),
    path("transactions/", views.transaction_list, name="transaction_list"),
    path("transactions/export.csv", views.transaction_export, name="transaction_export"),
    path("transactions/<uuid:public_id>/", views.transaction_edit, name="transaction_edit"),
    path("insights/", views.insights, name="insights"),
]
