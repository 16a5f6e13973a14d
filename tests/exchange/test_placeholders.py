"""Nobody is impersonated by an import: the users of a file become placeholder coders.

A placeholder is a coder of the new project, named after the user's REFI-QDA id,
marked imported, unable to sign in, and never an account that exists here. A
project admin may hand its work over to a member, and only then is it theirs.
"""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from coding.exchange.create import create_project_from_plan
from coding.exchange.handover import hand_over_work
from coding.exchange.qdpx_export import export_qdpx
from coding.exchange.qdpx_import import read_qdpx
from coding.models import Coding, CodingEvent, Memo
from coding.services import apply_code
from interviews.models import Membership, Project

from .conftest import NS, make_membership, make_qdpx, make_user, upload

RESEARCHER2 = "b0000000-0000-4000-8000-000000000002"
GHOST = "b0000000-0000-4000-8000-000000000003"
CODE = "c0000000-0000-4000-8000-000000000001"
QDE = f"""<Project xmlns="{NS}" name="Impersonation" origin="hand">
 <Users>
  <User guid="{RESEARCHER2}" name="Sri Wahyuni" id="researcher2"/>
  <User guid="{GHOST}" name="Nobody Coded" id="ghost"/>
 </Users>
 <CodeBook><Codes><Code guid="{CODE}" name="Komunikasi" isCodable="true"/></Codes></CodeBook>
 <Sources><TextSource guid="d0000000-0000-4000-8000-000000000001" name="Wawancara"
   plainTextPath="internal://w.txt" creatingUser="{RESEARCHER2}">
  <PlainTextSelection guid="e0000000-0000-4000-8000-000000000001" startPosition="0"
    endPosition="6" creatingUser="{RESEARCHER2}">
   <Coding guid="f0000000-0000-4000-8000-000000000001" creatingUser="{RESEARCHER2}">
    <CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>
  <PlainTextSelection guid="e0000000-0000-4000-8000-000000000002" startPosition="7"
    endPosition="12" creatingUser="{RESEARCHER2}">
   <Coding guid="f0000000-0000-4000-8000-000000000002" creatingUser="{RESEARCHER2}">
    <CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>
 </TextSource></Sources>
 <Notes><Note guid="a1000000-0000-4000-8000-000000000001" name="Catatan"
   creatingUser="{RESEARCHER2}"><PlainTextContent>Dari Sri.</PlainTextContent></Note></Notes>
</Project>"""
FILE = make_qdpx(QDE, {"sources/w.txt": "Sinyal susah di Sinak."})


@pytest.fixture
def researcher2(db):
    return make_user("researcher2", first_name="Sri", last_name="Wahyuni")


@pytest.fixture
def imported(researcher2, outsider):
    return create_project_from_plan(plan=read_qdpx(FILE), owner=outsider).project


def placeholder_of(project) -> Membership:
    return Membership.objects.select_related("user").get(
        project=project, placeholder_guid__isnull=False
    )


def test_a_file_user_named_like_an_account_here_does_not_become_it(imported, researcher2):
    codings = Coding.objects.filter(source__project=imported)
    assert codings.count() == 2
    assert not codings.filter(coder=researcher2).exists()
    assert not CodingEvent.objects.filter(project=imported, actor=researcher2).exists()
    assert not Memo.objects.filter(project=imported, author=researcher2).exists()
    assert not researcher2.memberships.exists()  # not made a member of anything
    placeholder = placeholder_of(imported)
    assert set(codings.values_list("coder", flat=True)) == {placeholder.user_id}
    assert placeholder.user.username == f"researcher2@{imported.slug}"
    assert (placeholder.placeholder_id, str(placeholder.placeholder_guid)) == (
        "researcher2",
        RESEARCHER2,
    )


def test_a_placeholder_cannot_sign_in(client, imported):
    user = placeholder_of(imported).user
    assert not user.is_active
    assert not user.has_usable_password()
    response = client.post(reverse("login"), {"username": user.username, "password": ""})
    assert response.status_code == 200  # the form again, with its error
    assert "_auth_user_id" not in client.session


def test_placeholders_are_members_and_selectable_in_every_coder_filter(client, imported, outsider):
    user = placeholder_of(imported).user
    source = imported.sources.get()
    code = imported.codes.get()
    apply_code(source=source, start=0, end=6, passage="Sinyal", code=code, coder=outsider)
    client.force_login(outsider)
    members = client.get(reverse("interviews:member_list", args=[imported.slug])).text
    assert re.search(rf"\({re.escape(user.username)}\)</span> <span[^>]*>imported</span>", members)
    option = re.compile(rf'<option value="{user.pk}"[^>]*>[^<]*{re.escape(user.username)}')
    for name, params in [
        ("coding:retrieval", {}),
        ("coding:display", {"view": "coder"}),
        ("coding:agreement", {}),
    ]:
        page = client.get(reverse(name, args=[imported.slug]), params).text
        assert option.search(page), name
    page = client.get(reverse("coding:source_code", args=[imported.slug, source.pk])).text
    assert option.search(page)


def test_users_without_codings_are_named_in_the_preview(client, researcher2, outsider):
    client.force_login(outsider)
    response = client.post(reverse("coding:project_import"), {"file": upload("x.qdpx", FILE)})
    assert response.context["plan"].unused_users == ["ghost"]
    assert "not carried over: ghost." in response.text
    rows = response.context["coders"]
    assert rows == [{"refi_id": "researcher2", "name": "Sri Wahyuni", "codings": 2, "memos": 1}]


def test_a_reimport_keeps_the_names_and_guids_of_the_files_users(imported, admin):
    again = create_project_from_plan(plan=read_qdpx(export_qdpx(imported)[0]), owner=admin)
    first, second = placeholder_of(imported), placeholder_of(again.project)
    assert second.user != first.user
    assert (second.placeholder_id, second.placeholder_guid) == (
        first.placeholder_id,
        first.placeholder_guid,
    )
    assert second.user.first_name == "Sri Wahyuni"


def test_an_admin_hands_a_placeholders_work_to_a_member(client, imported, outsider, researcher2):
    placeholder = placeholder_of(imported)
    member = make_membership(imported, researcher2)
    mine = Coding.objects.filter(source__project=imported).order_by("start").first()
    client.force_login(outsider)  # the importer, admin of the new project
    url = reverse("coding:placeholder_handover", args=[imported.slug])
    exchange = client.get(reverse("coding:exchange", args=[imported.slug])).text
    assert f'{placeholder.user.username} · 2 codings · <a href="{url}?placeholder=' in exchange
    page = client.get(url, {"placeholder": placeholder.pk})
    assert f'<option value="{placeholder.pk}" selected>' in page.text
    response = client.post(url, {"placeholder": placeholder.pk, "member": member.pk}, follow=True)
    assert "now holds the work of" in response.text
    assert set(Coding.objects.filter(source__project=imported).values_list("coder", flat=True)) == {
        researcher2.pk
    }
    assert Memo.objects.get(project=imported).author == researcher2
    event = CodingEvent.objects.filter(coding_id=mine.pk).first()
    assert (event.action, event.actor) == ("changed", outsider)
    assert event.note == f"handed over from {placeholder.user.username} to researcher2"
    with translation.override("id"):  # stored as a kind: read in the reader's language
        assert event.note == f"diserahkan dari {placeholder.user.username} kepada researcher2"
    assert not Membership.objects.filter(pk=placeholder.pk).exists()


def test_a_coding_the_member_already_has_is_not_doubled(imported, outsider, researcher2):
    placeholder = placeholder_of(imported)
    member = make_membership(imported, researcher2)
    theirs = Coding.objects.filter(source__project=imported).order_by("start").first()
    own = apply_code(
        source=theirs.source,
        start=theirs.start,
        end=theirs.end,
        passage=theirs.passage,
        code=theirs.code,
        coder=researcher2,
    )
    Memo.objects.create(project=imported, author=outsider, coding=theirs, text="Penting.")
    moved, collapsed = hand_over_work(placeholder=placeholder, to=member, actor=outsider)
    assert (moved, collapsed) == (1, 1)
    assert Coding.objects.filter(source__project=imported, coder=researcher2).count() == 2
    assert Memo.objects.get(text="Penting.").coding == own
    assert CodingEvent.objects.filter(coding_id=theirs.pk).first().action == "removed"


def test_only_a_project_admin_hands_work_over(client, imported, researcher2):
    member = make_membership(imported, researcher2)
    client.force_login(researcher2)
    url = reverse("coding:placeholder_handover", args=[imported.slug])
    placeholder = placeholder_of(imported)
    response = client.post(url, {"placeholder": placeholder.pk, "member": member.pk})
    assert response.status_code == 403
    assert not Coding.objects.filter(coder=researcher2).exists()


def test_work_goes_only_to_a_member_never_to_another_placeholder(client, imported, outsider):
    placeholder = placeholder_of(imported)
    stranger = make_user("stranger")
    client.force_login(outsider)
    url = reverse("coding:placeholder_handover", args=[imported.slug])
    for member in (placeholder.pk, stranger.pk):
        response = client.post(url, {"placeholder": placeholder.pk, "member": member})
        assert response.status_code == 200
        assert "Select a valid choice" in response.text
    assert Membership.objects.filter(pk=placeholder.pk).exists()
    assert Project.objects.get(pk=imported.pk).memberships.count() == 2
