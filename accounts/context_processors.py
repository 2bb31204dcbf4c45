from django.conf import settings


def email_verification(request):
    # The sign-up page of a demo (`make run`) says that verification is off; production
    # always verifies (config.settings refuses anything else with debug off).
    return {"email_verification_optional": settings.ACCOUNT_EMAIL_VERIFICATION != "mandatory"}
