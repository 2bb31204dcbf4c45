"""Argon2id with the parameters OWASP lists first for password storage (46 MiB, 1 pass, 1 lane).

Django's own Argon2 defaults (100 MiB, 2 passes, 8 lanes) took 0.25-0.55 s a hash on these
2-core machines under load, most of a sign-in; this costs about 0.1 s with memory hardness of
the same order. Hashes made with other parameters are rewritten at the next sign-in
(must_update compares them).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 47104  # KiB
    parallelism = 1
