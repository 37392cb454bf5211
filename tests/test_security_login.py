"""Admin login throttling (django-axes) and the admin URL prefix."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[1]

LOGIN = "/admin/login/"


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user(
        username="editor", password="correct-horse-42", is_staff=True
    )


def _attempt(client, password, username="editor"):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"})


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_with_a_clear_message(client, editor, axes_on):
    for _ in range(4):
        assert _attempt(client, "wrong").status_code == 200  # the login form again
    locked = _attempt(client, "wrong")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert '<html lang="zh-hans">' in text and "登录已暂时锁定" in text and "15 分钟后" in text
    assert "Login" not in text and "minutes" not in text  # one language on the screen
    english = client.post(
        LOGIN,
        {"username": "editor", "password": "wrong", "next": "/admin/"},
        headers={"accept-language": "en"},
    ).content.decode()
    assert '<html lang="en">' in english and "Login temporarily locked" in english
    assert "15 minutes" in english and not re.search(r"[\u4e00-\u9fff]", english)


@pytest.mark.django_db
def test_a_locked_account_stays_locked_even_with_the_right_password(client, editor, axes_on):
    for _ in range(5):
        _attempt(client, "wrong")
    response = _attempt(client, "correct-horse-42")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_lockout_is_per_username_so_other_editors_can_still_sign_in(
    client, editor, django_user_model, axes_on
):
    django_user_model.objects.create_user(username="other", password="other-pw-42", is_staff=True)
    for _ in range(5):
        _attempt(client, "wrong")
    response = _attempt(client, "other-pw-42", username="other")
    assert response.status_code == 302


@pytest.mark.django_db
def test_axes_reset_username_unlocks_at_once(client, editor, axes_on):
    for _ in range(5):
        _attempt(client, "wrong")
    refused = _attempt(client, "correct-horse-42")  # locked first, or the reset proves nothing
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    call_command("axes_reset_username", "editor")
    response = _attempt(client, "correct-horse-42")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)


@pytest.mark.django_db
def test_a_success_before_the_limit_resets_the_count(client, editor, axes_on):
    for _ in range(4):
        _attempt(client, "wrong")
    assert _attempt(client, "correct-horse-42").status_code == 302
    client.logout()
    for _ in range(4):
        assert _attempt(client, "wrong").status_code == 200


def _via_nginx(client, password, forwarded_for, username="editor"):
    """A login as docs/nginx.conf forwards it: from 127.0.0.1, the client appended last."""
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@pytest.mark.django_db
def test_behind_the_proxy_a_lockout_is_per_username_and_client_address(client, editor, axes_on):
    """Five failures from one reader behind nginx do not lock the editor out elsewhere, and a
    spoofed X-Forwarded-For neither spreads the attempts nor frames a colleague."""
    for n in range(4):
        assert _via_nginx(client, "wrong", f"198.51.100.{n}, 203.0.113.9").status_code == 200
    assert _via_nginx(client, "wrong", "10.0.0.8, 203.0.113.9").status_code == 429
    assert _via_nginx(client, "correct-horse-42", "203.0.113.9").status_code == 429
    assert _via_nginx(client, "correct-horse-42", "203.0.113.9, 10.0.0.8").status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)


def test_admin_url_prefix_comes_from_the_environment():
    code = (
        "import django; django.setup(); from django.urls import reverse; "
        "print(reverse('admin:index'), reverse('admin:login'))"
    )
    env = {
        **os.environ,
        "ADMIN_URL": "/desk-7f3a/",
        "DJANGO_SETTINGS_MODULE": "newsroom.test_settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["/desk-7f3a/", "/desk-7f3a/login/"]


def test_admin_is_not_at_admin_when_moved():
    code = (
        "import django; django.setup(); from django.urls import resolve, Resolver404\n"
        "try:\n    print(resolve('/admin/').view_name)\n"
        "except Resolver404:\n    print('not-found')"
    )
    env = {
        **os.environ,
        "ADMIN_URL": "desk-7f3a",
        "DJANGO_SETTINGS_MODULE": "newsroom.test_settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() != "admin:index"
