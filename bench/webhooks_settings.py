"""Settings for bench/webhooks_bench.py: the real settings plus a bare comparison endpoint.

The environment is still read only by config/settings.py; the bench script sets it.
"""

from pathlib import Path

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.webhooks_urls"

# Until the banking migrations are generated (the lead does that), create its tables directly.
if not any(Path(__file__).resolve().parents[1].joinpath("banking", "migrations").glob("0*.py")):
    MIGRATION_MODULES = {"banking": None}
