"""The net-worth pages' public URLs. Change these only through an issue."""

from django.urls import path

from . import views

urlpatterns = [
    path("net-worth/", views.networth, name="networth"),
    path("net-worth/manual/", views.manual_list, name="manual_list"),
    path("net-worth/manual/<uuid:public_id>/", views.manual_edit, name="manual_edit"),
    path("net-worth/manual/<uuid:public_id>/delete/", views.manual_delete, name="manual_delete"),
]
