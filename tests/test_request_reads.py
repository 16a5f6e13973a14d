"""Session and user of a signed-in request, read in plain SQL, are what Django reads."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from kesra_coord.request_reads import SessionStore, UserBackend

from .conftest import make_user

BACKEND = "kesra_coord.request_reads.UserBackend"


def test_a_session_loads_as_djangos_does(db):
    store = DjangoStore()
    store["kept"] = {"a": [1, 2]}
    store.create()
    ours = SessionStore(store.session_key)
    assert ours.load() == DjangoStore(store.session_key).load() == {"kept": {"a": [1, 2]}}
    assert ours.session_key == store.session_key


def test_an_expired_or_unknown_session_is_empty(db):
    store = DjangoStore()
    store["kept"] = 1
    store.create()
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert expired.load() == {} and expired.session_key is None
    assert SessionStore("x" * 32).load() == {}


def test_the_user_is_djangos_and_an_inactive_one_is_nobody(db):
    user = make_user(first_name="Rina")
    found = UserBackend().get_user(user.pk)
    expected = get_user_model().objects.get(pk=user.pk)
    names = [f.attname for f in expected._meta.concrete_fields]
    assert [getattr(found, n) for n in names] == [getattr(expected, n) for n in names]
    assert not found._state.adding
    assert UserBackend().get_user(user.pk + 1000) is None
    user.is_active = False
    user.save()
    assert UserBackend().get_user(user.pk) is None


def test_signing_in_through_the_form_uses_both(client, db):
    assert settings.SESSION_ENGINE == "kesra_coord.request_reads"
    user = make_user("rina")
    user.set_password("a-long-pass-phrase")
    user.save()
    response = client.post(reverse("login"), {"username": "rina", "password": "a-long-pass-phrase"})
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == BACKEND
    page = client.get(reverse("interviews:project_list"))
    assert page.status_code == 200 and page.wsgi_request.user == user
    assert b"rina" in page.content
    client.post(reverse("logout"))
    assert client.get(reverse("interviews:project_list")).status_code == 302
