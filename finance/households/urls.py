"""The household pages' public URLs."""

from django.urls import path

from . import views

urlpatterns = [
    path("household/", views.household_page, name="household_page"),
    path("household/create/", views.household_create_view, name="household_create"),
    path("household/invite/", views.household_invite, name="household_invite"),
    path("household/leave/", views.household_leave_view, name="household_leave"),
    path("household/sharing/", views.household_sharing, name="household_sharing"),
    path(
        "household/members/<uuid:public_id>/remove/",
        views.household_member_remove,
        name="household_member_remove",
    ),
    path("household/join/<str:token>/", views.household_join, name="household_join"),
]
