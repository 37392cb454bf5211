"""Settings for running several app servers: media storage, replica, sessions, page cache.
Each case imports the settings module afresh in a subprocess with its own environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def settings_with(**env):
    script = (
        "import json, newsroom.settings as s; print(json.dumps({"
        "'storage': s.STORAGES['default'], 'databases': sorted(s.DATABASES),"
        "'routers': getattr(s, 'DATABASE_ROUTERS', []), 'sessions': getattr(s, 'SESSION_ENGINE', ''),"
        "'page_cache': s.PAGE_CACHE['ENABLED'], 'pool': 'pool' in s.DATABASES['default']['OPTIONS'],"
        "'pg_options': s.DATABASES['default']['OPTIONS'].get('options', '')}))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DATABASE", "REDIS"))}
    out = subprocess.run(
        [sys.executable, "-c", script],
        env={**base, "SECRET_KEY": "settings-test-key", "DEBUG": "0", **env},
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_media_goes_to_s3_compatible_storage_when_a_bucket_is_set():
    found = settings_with(
        AWS_STORAGE_BUCKET_NAME="newsroom-media", AWS_S3_ENDPOINT_URL="https://s3.example.com"
    )

    assert found["storage"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert found["storage"]["OPTIONS"]["bucket_name"] == "newsroom-media"
    assert found["storage"]["OPTIONS"]["endpoint_url"] == "https://s3.example.com"


def test_media_stays_on_local_disk_by_default():
    local = "articles.media.storage.AtomicFileSystemStorage"  # FileSystemStorage, atomic writes
    assert settings_with()["storage"]["BACKEND"] == local


def test_a_replica_url_adds_the_replica_and_its_router():
    found = settings_with(
        DATABASE_URL="postgres://u@db1:5432/news", DATABASE_REPLICA_URL="postgres://u@db2:5432/news"
    )

    assert found["databases"] == ["default", "replica"]
    assert found["routers"] == ["newsroom.routers.PrimaryReplicaRouter"]
    assert found["pool"] is True


def test_redis_brings_shared_sessions_and_the_page_cache():
    with_redis = settings_with(REDIS_URL="redis://127.0.0.1:6379/0")
    without = settings_with()

    assert with_redis["sessions"] == "django.contrib.sessions.backends.cached_db"
    assert with_redis["page_cache"] is True
    assert without["page_cache"] is False
    assert without["sessions"] in ("", "django.contrib.sessions.backends.db")


def test_postgresql_connections_switch_the_jit_off_unless_asked():
    url = "postgres://postgres@127.0.0.1:5432/newsroom"

    assert "-c jit=off" in settings_with(DATABASE_URL=url)["pg_options"]
    assert "jit" not in settings_with(DATABASE_URL=url, DATABASE_JIT="1")["pg_options"]
