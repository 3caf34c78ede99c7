"""Every command in docs/production.md runs, in order, on the database the suite runs on:
scripts/check-production-guide.py does it against a throwaway database of its own (its `paqa`
commands forked from one process that has set Django up, so each skips Python's start-up)."""

import subprocess
import sys
from pathlib import Path

from django.db import connection

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "check-production-guide.py"


def _postgres_url() -> str:
    params = connection.settings_dict
    user = params.get("USER") or "postgres"
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    return (
        f"postgres://{user}{password}@{params.get('HOST') or '127.0.0.1'}:"
        f"{params.get('PORT') or 5432}/postgres"
    )


def test_every_command_of_the_production_guide_runs():
    arguments = [sys.executable, str(SCRIPT), "--database", "sqlite"]
    if connection.vendor == "postgresql":
        arguments = [*arguments[:2], "--database", "postgres", "--postgres-url", _postgres_url()]
    result = subprocess.run(  # noqa: S603 (our own script)
        arguments, capture_output=True, text=True, timeout=900, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "Every command of docs/production.md ran" in result.stdout
    for command in (
        "paqa migrate",
        "gunicorn paqa.wsgi",
        "paqa worker",
        "paqa backup",
        "paqa prune_db_task_results",
    ):
        assert command in result.stdout, command
