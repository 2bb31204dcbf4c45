"""Re-encrypt every stored access token with the first key in FERNET_KEYS.

Procedure (README): put the new key FIRST in FERNET_KEYS and keep the old one after it, deploy,
run this command, then drop the old key. Reading works with any listed key; writing always uses
the first, so saving each token again is the whole rotation.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from banking.models import PlaidItem


class Command(BaseCommand):
    help = "Re-encrypt all Plaid access tokens with the first key in FERNET_KEYS."

    def handle(self, *args, **options):
        count = 0
        for pk in PlaidItem.objects.values_list("pk", flat=True).order_by("pk"):
            with transaction.atomic():
                # Decrypting happens on load: an unreadable token stops the command loudly
                # (InvalidToken) instead of being skipped and stranded later.
                item = PlaidItem.objects.select_for_update().get(pk=pk)
                PlaidItem.objects.filter(pk=pk).update(access_token=item.access_token)
            count += 1
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {count} access token(s)."))
