"""Hardened edges: CSP, browser policy headers, sign-in throttling, password reset."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from .conftest import make_user

ROOT = Path(__file__).resolve().parent.parent


def _directives(policy: str) -> dict[str, list[str]]:
    pairs = (part.strip().split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in pairs}


def test_signed_in_pages_forbid_inline_scripts_and_style_elements(client, researcher, project):
    client.force_login(researcher)
    response = client.get(reverse("interviews:project_detail", args=[project.slug]))
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src-elem"] == ["'self'"]
    assert policy["style-src-attr"] == ["'unsafe-inline'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_templates_hold_no_inline_script_handler_or_style_element():
    """What the policy forbids, the templates must not contain (the browser test checks pages)."""
    offenders = []
    pattern = re.compile(
        r"<script(?![^>]*\bsrc=)|\shx-on[:\-]|\son[a-z]+\s*=|<style\b|javascript:", re.I
    )
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line) and path.name != "report.html":
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_permissions_policy_everywhere_cache_control_private_when_signed_in(
    client, researcher, project
):
    anonymous = client.get(reverse("login"))
    assert "microphone=()" in anonymous["Permissions-Policy"]
    assert "geolocation=()" in anonymous["Permissions-Policy"]
    client.force_login(researcher)
    page = client.get(reverse("interviews:project_detail", args=[project.slug]))
    assert "camera=()" in page["Permissions-Policy"]
    assert set(page["Cache-Control"].replace(" ", "").split(",")) == {"private", "no-cache"}


# --- Sign-in throttling -------------------------------------------------------------


def _sign_in(client, password):
    return client.post(reverse("login"), {"username": "rina", "password": password})


@pytest.fixture
def rina(db):
    user = make_user("rina")
    user.set_password("the-right-one")
    user.save()
    return user


def test_wrong_passwords_lock_the_sign_in_with_a_clear_message(client, rina, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        answer = _sign_in(client, "wrong")
        assert answer.status_code == 200
        assert "_auth_user_id" not in client.session
    locked = _sign_in(client, "wrong")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "5 wrong passwords in a row" in text
    assert "Try again in 30 minutes." in text
    # Even the right password is refused while locked.
    assert _sign_in(client, "the-right-one").status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_message_is_translated(client, rina, settings):
    client.cookies["django_language"] = "id"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        answer = _sign_in(client, "wrong")
    assert answer.status_code == 429
    assert "5 kata sandi salah berturut-turut" in answer.content.decode()


def test_an_admin_lifts_the_lock(client, rina, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "wrong")
    assert _sign_in(client, "the-right-one").status_code == 429
    call_command("axes_reset_username", "rina", verbosity=0)
    assert _sign_in(client, "the-right-one").status_code == 302
    assert client.session["_auth_user_id"] == str(rina.pk)


def test_behind_a_proxy_the_client_is_the_address_the_proxy_appended(rf, settings):
    from kesra_coord.middleware import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="127.0.0.1")
    settings.BEHIND_PROXY = False
    assert client_ip(request) == "127.0.0.1"
    settings.BEHIND_PROXY = True
    assert client_ip(request) == "203.0.113.7"


# --- Password reset -------------------------------------------------------------------


@pytest.fixture
def maria(db):
    user = make_user("maria", email="maria@example.org")
    user.set_password("old-password-123")
    user.save()
    return user


def test_reset_link_uses_site_url_never_the_request_host(client, maria, settings):
    # The worst case: a server that accepts any Host and trusts X-Forwarded-Host.
    settings.ALLOWED_HOSTS = ["*"]
    settings.USE_X_FORWARDED_HOST = True
    settings.SITE_URL = "https://kesra.example.org"
    response = client.post(
        reverse("password_reset"),
        {"email": "maria@example.org"},
        headers={"host": "evil.example", "x-forwarded-host": "evil.example"},
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "evil" not in message.subject + message.body
    links = re.findall(r"https?://\S+", message.body)
    assert len(links) == 1
    assert links[0].startswith("https://kesra.example.org/accounts/reset/")
    # The link works: it sets a new password.
    path = links[0].removeprefix("https://kesra.example.org")
    form = client.get(path, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-new-long-password", "new_password2": "a-new-long-password"},
    )
    assert done.status_code == 302
    maria.refresh_from_db()
    assert maria.check_password("a-new-long-password")


def test_without_site_url_no_reset_mail_is_sent(client, maria, settings):
    settings.SITE_URL = ""
    page = client.post(reverse("password_reset"), {"email": "maria@example.org"})
    assert "not set up on this server" in page.content.decode()
    assert mail.outbox == []


def test_a_used_or_forged_link_says_so(client, db):
    page = client.get(reverse("password_reset_confirm", args=["MQ", "set-password"]))
    assert "not valid any more" in page.content.decode()


# --- Settings from the environment ---------------------------------------------------


def _settings_value(expression: str, **env) -> subprocess.CompletedProcess:
    import os

    dropped = {"DEBUG", "SECRET_KEY", "SECURE_SSL", "HTTPS", "SECURE_HSTS_PRELOAD"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean.update(env, DJANGO_SETTINGS_MODULE="kesra_coord.settings")
    code = f"from django.conf import settings; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=clean, cwd=ROOT
    )


def test_the_old_https_variable_is_refused_naming_the_new_one():
    result = _settings_value("settings.SECURE_SSL_REDIRECT", HTTPS="on")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECURE_SSL=1" in result.stderr
    assert _settings_value("settings.SECURE_SSL_REDIRECT", SECURE_SSL="0").stdout.strip() == (
        "False"
    )


def test_hsts_preload_is_off_unless_asked_for():
    production = {"DEBUG": "0"}
    assert _settings_value("settings.SECURE_HSTS_PRELOAD", **production).stdout.strip() == "False"
    assert _settings_value("settings.SECURE_HSTS_SECONDS", **production).stdout.strip() == (
        "31536000"
    )
    opted_in = _settings_value(
        "settings.SECURE_HSTS_PRELOAD", SECURE_HSTS_PRELOAD="1", **production
    )
    assert opted_in.stdout.strip() == "True"


def test_site_url_must_be_an_origin():
    result = _settings_value("settings.SITE_URL", SITE_URL="kesra.example.org")
    assert "SITE_URL must look like" in result.stderr
    assert _settings_value("settings.SITE_URL", SITE_URL="https://k.example/").stdout.strip() == (
        "https://k.example"
    )
