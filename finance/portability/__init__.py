"""All of a user's data out in one ZIP (export) and back into a new user (import)."""
