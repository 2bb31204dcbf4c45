"""The production-shaped smoke test run by .ci/run after `make test` (scripts/smoke.sh)."""
