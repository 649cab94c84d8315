#!/usr/bin/env bash
# Set up, then run the whole test suite on SQLite and a real PostgreSQL server,
# plus ruff and the import-linter architecture contracts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

eval "$(bash scripts/pg_test_server.sh start)"
trap 'bash scripts/pg_test_server.sh stop "$MAC_TEST_PG_DIR" || true' EXIT

echo "== import-linter contracts"
.venv/bin/lint-imports
echo "== ruff"
.venv/bin/ruff check .
echo "== pytest"
export QT_QPA_PLATFORM=offscreen
[ "$(id -u)" -eq 0 ] && export QTWEBENGINE_DISABLE_SANDBOX=1
.venv/bin/python -m pytest -p no:cacheprovider -q "$@"
