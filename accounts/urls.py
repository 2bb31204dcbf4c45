from django.urls import path

from . import views

urlpatterns = [
    path("profile/", views.profile, name="account_profile"),
    path("profile/time-zone/", views.time_zone_set, name="account_time_zone"),
    path("delete/", views.delete_account, name="account_delete"),
    path("security/", views.security_log, name="account_security"),
    path("sessions/sign-out-everywhere/", views.sign_out_everywhere, name="account_sign_out_all"),
]
