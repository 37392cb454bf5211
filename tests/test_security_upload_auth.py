"""The image upload endpoints refuse everyone but staff without naming the admin's address.

Before: `staff_member_required` redirected an anonymous POST to the admin login page, so
`curl -X POST /editor/upload/` printed the hidden ADMIN_URL in its Location header.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import image_bytes

ROOT = Path(__file__).resolve().parents[1]
URLS = ["/editor/upload/", "/ckeditor5/image_upload/"]

pytestmark = pytest.mark.django_db


def _post(client, url):
    return client.post(url, {"upload": SimpleUploadedFile("p.png", image_bytes())})


@pytest.mark.parametrize("url", URLS)
def test_anonymous_gets_a_json_403_and_no_redirect(client, url):
    response = _post(client, url)
    assert response.status_code == 403
    assert "Location" not in response
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["message"]
    assert "admin" not in response.content.decode()


@pytest.mark.parametrize("url", URLS)
def test_a_signed_in_reader_who_is_not_staff_gets_403(client, django_user_model, url):
    client.force_login(django_user_model.objects.create_user("reader", password="x"))
    response = _post(client, url)
    assert response.status_code == 403
    assert "Location" not in response


@pytest.mark.parametrize("url", URLS)
def test_a_deactivated_staff_account_gets_403(client, django_user_model, url):
    user = django_user_model.objects.create_user("gone", password="x", is_staff=True)
    client.force_login(user)
    django_user_model.objects.filter(pk=user.pk).update(is_active=False)
    response = _post(client, url)
    assert response.status_code == 403
    assert "Location" not in response


@pytest.mark.parametrize("url", URLS)
def test_staff_still_upload(staff_client, url):
    response = _post(staff_client, url)
    assert response.status_code == 200
    assert "/uploads/" in response.json()["url"]


def test_a_moved_admin_is_not_revealed_by_the_upload_endpoint():
    """With ADMIN_URL=desk-7f3a/, nothing an anonymous POST gets back names it."""
    code = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "from django.core.files.uploadedfile import SimpleUploadedFile\n"
        "c = Client(raise_request_exception=False)\n"
        "out = []\n"
        "for url in ('/editor/upload/', '/ckeditor5/image_upload/'):\n"
        "    r = c.post(url, {'upload': SimpleUploadedFile('p.png', b'x')})\n"
        "    out.append([r.status_code, dict(r.headers), r.content.decode()])\n"
        "print(json.dumps(out))"
    )
    env = {
        **os.environ,
        "ADMIN_URL": "desk-7f3a/",
        "ALLOWED_HOSTS": "testserver",
        "DJANGO_SETTINGS_MODULE": "newsroom.test_settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    for status, headers, body in json.loads(result.stdout):
        assert status == 403
        assert "desk-7f3a" not in json.dumps(headers) + body
