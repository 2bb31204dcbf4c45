# The README's quick start is `make run` and `make test`; everything they need is set up here.
.PHONY: run test smoke setup setup-dev lint bench bench-sync bench-webhooks bench-pages bench-emulator bench-scale bench-recurring bench-networth bench-alerts bench-export bench-import clean

run: setup
	@scripts/ensure-redis.sh
	@scripts/run.sh

setup:
	@scripts/setup.sh

setup-dev:
	@scripts/setup.sh --dev

test: setup-dev
	@scripts/ensure-redis.sh
	@scripts/ensure-chromium.sh
	@scripts/test.sh

# The Procfile's processes with debug off behind an https proxy, then `make run` from a fresh
# clone (tests/smoke/; .ci/run runs it after `make test`).
smoke: setup-dev
	scripts/smoke.sh

lint: setup-dev
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

bench: bench-emulator bench-sync bench-webhooks bench-pages bench-scale bench-recurring bench-networth bench-alerts bench-export bench-import

bench-emulator: setup-dev
	.venv/bin/python bench/emulator_bench.py

# The sync benchmark runs twice: PostgreSQL (sync.json, with the COPY floor) and SQLite.
bench-sync: setup-dev
	@scripts/ensure-redis.sh
	scripts/with-postgres.sh .venv/bin/python bench/sync_bench.py
	env -u DATABASE_URL .venv/bin/python bench/sync_bench.py

bench-webhooks: setup-dev
	@scripts/ensure-redis.sh
	.venv/bin/python bench/webhooks_bench.py

bench-pages: setup-dev
	@scripts/ensure-redis.sh
	scripts/with-postgres.sh .venv/bin/python bench/pages_bench.py

# The daily refresh end to end: PostgreSQL, Redis, emulator, two worker nodes (scale.json).
bench-scale: setup-dev
	@scripts/ensure-redis.sh
	scripts/with-postgres.sh .venv/bin/python bench/scale_bench.py

# Our recurring detector against the emulator's ground truth, and at 100,000 transactions.
bench-recurring: setup-dev
	.venv/bin/python bench/recurring_bench.py

# The backfill at link: 730 days for 20 accounts (networth.json).
bench-networth: setup-dev
	scripts/with-postgres.sh .venv/bin/python bench/networth_bench.py

# The alerts hook after a sync against the sync's write phase (alerts.json, PostgreSQL).
bench-alerts: setup-dev
	@scripts/ensure-redis.sh
	scripts/with-postgres.sh .venv/bin/python bench/alerts_bench.py

clean:
	rm -rf var/test-db.sqlite3 test-artifacts .pytest_cache

# The full data export at 10,000 and 1,000,000 transactions: time, ZIP size, RSS growth
# (export.json, PostgreSQL).
bench-export: setup-dev
	scripts/with-postgres.sh .venv/bin/python bench/export_bench.py

bench-import: setup-dev
	scripts/with-postgres.sh .venv/bin/python bench/import_bench.py
