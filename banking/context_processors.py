from .plaid import config as plaid_config


def plaid(request):
    # Read at request time (not from a settings constant) so per-test overrides apply.
    return {
        "PLAID_ENV": plaid_config.plaid_env(),
        "PLAID_LINK_SCRIPT_URL": plaid_config.link_script_url(),
    }
