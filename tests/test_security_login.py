"""Admin login throttling (django-axes) and the admin URL prefix."""

import importlib

import pytest
from django.core.management import call_command
from django.urls import clear_url_caches, reverse

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
    assert "登录已暂时锁定" in text
    assert "Login temporarily locked" in text
    assert "15 minutes" in text


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


@pytest.mark.django_db
def test_admin_url_prefix_comes_from_the_environment(settings, client, staff_user):
    import newsroom.urls

    settings.ADMIN_URL = "desk-7f3a/"
    try:
        importlib.reload(newsroom.urls)
        clear_url_caches()
        settings.ROOT_URLCONF = "newsroom.urls"
        assert reverse("admin:index") == "/desk-7f3a/"
        assert client.get("/admin/").status_code == 404
        client.force_login(staff_user)
        assert client.get("/desk-7f3a/").status_code == 200
    finally:
        settings.ADMIN_URL = "admin/"
        importlib.reload(newsroom.urls)
        clear_url_caches()
