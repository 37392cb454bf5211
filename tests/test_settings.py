"""Production fails fast without a secret; a laptop's manage.py works with nothing set."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run(args, **env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "DATABASE_URL",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    return subprocess.run(
        [sys.executable, *args], env={**base, **env}, cwd=REPO, capture_output=True, text=True
    )


def test_the_wsgi_app_refuses_to_start_without_a_secret_key_when_debug_is_off():
    started = run(["-c", "import newsroom.wsgi"])

    assert started.returncode != 0
    assert "SECRET_KEY is not set" in started.stderr


def test_manage_py_on_a_laptop_works_with_no_environment_at_all():
    checked = run(["manage.py", "check"])

    assert checked.returncode == 0, checked.stderr


def test_manage_py_with_a_secret_key_runs_in_production_mode():
    deploy = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        SECRET_KEY="k" * 20 + "-production-like-secret-0123456789abcdef",
        ALLOWED_HOSTS="news.example.com",
    )

    assert deploy.returncode == 0, deploy.stderr
