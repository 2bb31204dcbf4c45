"""Parsers for the environment values that need more than django-environ's casts.

They run while settings load, so a mistake stops start-up with ImproperlyConfigured naming
the variable (gunicorn does not run system checks).
"""

import base64
import binascii
from email.utils import parseaddr

from django.core.exceptions import ImproperlyConfigured

FERNET_KEY_BYTES = 32


def fernet_keys_parse(raw: str) -> list[str]:
    """Comma-separated Fernet keys; every one must be 32 bytes of urlsafe base64.

    Empty means "not set" (the caller decides whether that is allowed). Anything else that is
    not a real key is refused: the field library would accept any string, and an empty entry
    (`FERNET_KEYS=","`) made it fall back to SECRET_KEY.
    """
    if not raw:
        return []
    keys = [part.strip() for part in raw.split(",")]
    for position, key in enumerate(keys, start=1):
        try:
            decoded = base64.b64decode(key.encode("ascii"), altchars=b"-_", validate=True)
            valid = len(decoded) == FERNET_KEY_BYTES and len(key) == 44
        except (binascii.Error, ValueError, UnicodeEncodeError):
            valid = False
        if not valid:
            raise ImproperlyConfigured(
                f"FERNET_KEYS entry {position} of {len(keys)} is not a Fernet key (32 bytes of "
                "urlsafe base64, 44 characters). Generate one with: python -c 'from "
                "cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
            )
    return keys


def admins_parse(raw: str) -> list[tuple[str, str]]:
    """`ADMINS="Ops <ops@example.com>, oncall@example.com"` -> Django's (name, address) pairs."""
    admins = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        name, address = parseaddr(part)
        if "@" not in address:
            raise ImproperlyConfigured(f"ADMINS: {part!r} is not an email address.")
        admins.append((name or address, address))
    return admins
