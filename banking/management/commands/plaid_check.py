"""Check the Plaid configuration end to end and say in plain words what is wrong.

Sandbox and emulator: a whole flow (/sandbox/public_token/create → exchange → accounts → sync →
remove). Production: only harmless calls (an institution lookup and a link token).
Running it also closes the circuit breaker (banking.plaid): it is the recovery step staff are
told to take once the configuration is fixed.
"""

from types import SimpleNamespace

from django.conf import settings
from django.core.management.base import BaseCommand

from banking import plaid as plaid_api
from banking.checks import check_encryption, check_plaid
from banking.models import PlaidItem
from banking.plaid import config as plaid_config

# Institutions that exist in each environment, for a lookup that costs nothing.
_PROBE_INSTITUTION = {"production": "ins_3", "sandbox": "ins_109508", "emulator": "ins_109508"}


class Check(Exception):
    pass


def _explain(exc: plaid_api.PlaidError, host: str) -> str:
    env = settings.PLAID_ENV
    if exc.error_code == "INVALID_API_KEYS":
        return (
            f"Plaid rejected PLAID_CLIENT_ID / PLAID_SECRET. Check that the secret is the "
            f"{env} secret from Plaid's dashboard (Developers > Keys); sandbox and production "
            "secrets differ."
        )
    if exc.error_code == "NETWORK_ERROR":
        extra = " Start it with `python -m plaid_emulator`." if env == "emulator" else ""
        return f"Cannot reach {host}.{extra}"
    if exc.error_code == "INVALID_FIELD" and "redirect" in exc.error_message.lower():
        return (
            f"Plaid refused the OAuth redirect URI {plaid_config.redirect_uri()!r}: register it "
            "in Plaid's dashboard (API > Allowed redirect URIs) or set ENABLE_OAUTH=false."
        )
    return f"{exc.error_code}: {exc.error_message} (request_id {exc.request_id or '-'})"


class Command(BaseCommand):
    help = "Check Plaid credentials and environment end to end."

    def handle(self, *args, **options):
        self.failed = False
        env, host = settings.PLAID_ENV, plaid_config.api_host()
        client_id = settings.PLAID_CLIENT_ID
        self.stdout.write(f"PLAID_ENV={env}  host={host}")
        self.stdout.write(
            f"client id: {client_id[:4] + '…' if client_id else '(not set)'}  "
            f"secret: {'set' if settings.PLAID_SECRET else '(not set)'}"
        )
        for problem in [*check_plaid(), *check_encryption()]:
            self._fail(f"{problem.id}: {problem.msg} {problem.hint or ''}".strip())
        if plaid_api.circuit_is_open():
            self.stdout.write("The circuit breaker was open; closing it to test again.")
        plaid_api.circuit_reset()

        steps = [
            ("look up an institution", self._institution),
            ("create a link token", self._token),
        ]
        if env in ("sandbox", "emulator"):
            steps.append(("link, read and remove a test item", self._flow))
        for name, step in steps:
            try:
                detail = step()
            except plaid_api.PlaidError as exc:
                self._fail(f"Could not {name}: {_explain(exc, host)}")
                break
            except Check as exc:
                self._fail(f"Could not {name}: {exc}")
                break
            self.stdout.write(self.style.SUCCESS(f"OK  {name}{': ' + detail if detail else ''}"))
        if self.failed:
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS("Plaid is configured correctly."))

    def _fail(self, message):
        self.failed = True
        self.stderr.write(self.style.ERROR("FAIL " + message))

    def _institution(self):
        return plaid_api.institution_get(_PROBE_INSTITUTION[settings.PLAID_ENV])["name"]

    def _token(self):
        user = SimpleNamespace(public_id="plaid-check")
        token = plaid_api.link_token_create(user=user)
        return f"expires {token['expiration']}"

    def _flow(self):
        public_token = plaid_api.sandbox_public_token_create("ins_109508", webhook="")
        exchanged = plaid_api.public_token_exchange(public_token)
        item = PlaidItem(item_id=exchanged["item_id"], access_token=exchanged["access_token"])
        try:
            accounts = plaid_api.accounts_get(item)
            if not accounts:
                raise Check("the test item has no accounts")
            page = plaid_api.transactions_sync(item, None, count=10)
        finally:
            plaid_api.item_remove(item)
        return (
            f"{len(accounts)} accounts, {len(page['added'])} transactions on the first page "
            f"({page.get('transactions_update_status', '?')}), item removed"
        )
