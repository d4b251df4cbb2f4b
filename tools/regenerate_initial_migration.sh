#!/usr/bin/env bash
# Until Ravand's first release, the schema lives in one initial migration: regenerate it from the models.
set -euo pipefail
cd "$(dirname "$0")/.."
db=$(mktemp -d)/schema.db
rm -f migrations/versions/*_0001_initial_schema.py
DATABASE_URL="sqlite:///$db" .venv/bin/python -c "
from alembic import command
from engine.schema import alembic_config
command.revision(alembic_config(), message='initial schema', autogenerate=True, rev_id='0001')
"
.venv/bin/ruff format -q migrations/versions
