"""Django admin's login goes through allauth: same MFA step, same throttling, one login page."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin


def install() -> None:
    site = admin.site
    if getattr(site.login, "_via_allauth", False):
        return
    login = secure_admin_login(site.login)
    login._via_allauth = True
    site.login = login
