"""The budget page's public URLs."""

from django.urls import path

from . import views

urlpatterns = [
    path("budgets/", views.budget_page, name="budget_page"),
    path("budgets/add/", views.budget_add, name="budget_add"),
    path("budgets/copy/", views.budget_copy, name="budget_copy"),
    path("budgets/average/", views.budget_average, name="budget_average"),
    path("budgets/<uuid:public_id>/", views.budget_edit, name="budget_edit"),
    path("budgets/<uuid:public_id>/delete/", views.budget_remove, name="budget_remove"),
]
