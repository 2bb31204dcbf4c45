"""Cache version keys: bumping one retires every cached total computed before it."""


def edits_version_key(user_id: int) -> str:
    return f"finance:edits:{user_id}"


def synced_version_key(user_id: int) -> str:
    return f"finance:synced:{user_id}"


# Bumped by every rates load or refresh: converted totals computed before it are stale.
RATES_VERSION_KEY = "finance:rates:version"
