"""The filters' case, attribute and coder options, read in one query, are the querysets'."""

from django.test import RequestFactory
from django.urls import reverse

from coding.analysis.forms import filter_form
from interviews.models import Membership

from ..conftest import make_attribute, make_case, make_membership, make_project, make_user


def choices_of_queryset(field) -> list:
    return [("", field.empty_label), *((o.pk, str(o)) for o in field.queryset)]


def options(form, name) -> list:
    return [(value, str(label)) for value, label in form.fields[name].choices]


def form_for(user, project):
    request = RequestFactory().get("/")
    request.user = user
    membership = Membership.objects.select_related("project").get(project=project, user=user)
    return filter_form(request, membership)


def test_the_options_are_those_of_the_querysets_in_their_order(project, admin, researcher):
    for name in ("Zainab", "Budi", "Ani"):
        make_case(project, name=name)
    make_case(make_project(), name="Elsewhere")
    make_attribute(project, name="Umur", order=2)
    make_attribute(project, name="Desa", order=1)
    make_attribute(project, name="Agama", order=2)
    make_membership(project, make_user("zaki"))
    make_user("not_a_member")
    form = form_for(admin, project)
    for name, empty in (("case", "(every case)"), ("attribute", "—"), ("coder", "(every coder)")):
        expected = choices_of_queryset(form.fields[name])
        expected[0] = ("", empty)
        assert options(form, name) == expected, name
    assert [label for _pk, label in options(form, "case")[1:]] == ["Ani", "Budi", "Zainab"]
    assert [label for _pk, label in options(form, "attribute")[1:]] == ["Desa", "Agama", "Umur"]
    assert [label for _pk, label in options(form, "coder")[1:]] == [
        "ana_admin",
        "rina_researcher",
        "zaki",
    ]


def test_blind_coding_offers_a_researcher_only_themself(project, admin, researcher):
    project.blind_coding = True
    project.save()
    form = form_for(researcher, project)
    assert options(form, "coder") == [("", "(every coder)"), (researcher.pk, "rina_researcher")]


def test_the_page_shows_the_options_and_keeps_a_chosen_one(client, project, admin, case):
    client.force_login(admin)
    url = reverse("coding:retrieval", args=[project.slug])
    page = client.get(url, {"case": case.pk}).content.decode()
    assert f'<option value="{case.pk}" selected>Kepala Bagian</option>' in page
    assert '<option value="" selected>(every coder)</option>' in page
    assert client.get(url, {"case": 999999}).status_code == 200  # not a case: no filter, no error
