"""The coding page's reads in plain SQL give what the ORM gives."""

import datetime

from django.db.models import Count, Max
from django.utils import timezone

from coding import queries, services
from coding.models import Coding, CodingEvent

from ..conftest import make_membership, make_project, make_source, make_user

TEXT = "Rapat koordinasi hanya kalau ada masalah. Data penerima berbeda-beda."


def code_phrase(source, code, phrase, coder):
    start = source.text.index(phrase)
    return services.apply_code(
        source=source, code=code, coder=coder, start=start, end=start + len(phrase), passage=phrase
    )


def test_counts_recent_codes_and_last_event_match_the_orm(project, researcher, supervisor):
    source = make_source(project, text=TEXT)
    forum, data, geo = (services.create_code(project=project, name=n) for n in "FDG")
    code_phrase(source, forum, "Rapat", researcher)
    code_phrase(source, data, "Data penerima", researcher)
    code_phrase(source, geo, "masalah", supervisor)
    code_phrase(source, forum, "koordinasi", supervisor)
    # Out of order in time: the forum coding is the researcher's latest.
    Coding.objects.filter(code=forum, coder=researcher).update(
        created_at=timezone.now() + datetime.timedelta(minutes=5)
    )
    elsewhere = make_project()
    make_membership(elsewhere, researcher)
    other_code = services.create_code(project=elsewhere, name="Lain")
    code_phrase(make_source(elsewhere, text=TEXT), other_code, "Rapat", researcher)

    orm = dict(Coding.objects.filter(source=source).values_list("code_id").annotate(n=Count("id")))
    assert {r["code_id"]: r["n"] for r in queries.code_counts(source)} == orm
    mine = dict(
        Coding.objects.filter(source=source, coder=researcher)
        .values_list("code_id")
        .annotate(n=Count("id"))
    )
    counted = queries.code_counts(source, coder_ids=[researcher.pk])
    assert {r["code_id"]: r["n"] for r in counted} == mine == {forum.pk: 1, data.pk: 1}
    assert queries.code_counts(source, coder_ids=[]) == []

    codebook = queries.Codebook(project)
    by_join = queries.recent_code_ids(project, researcher)
    assert by_join == [forum.pk, data.pk]
    assert queries.recent_code_ids(project, researcher, code_ids=codebook.names) == by_join
    assert queries.recent_code_ids(project, researcher, 1, code_ids=codebook.names) == [forum.pk]
    assert queries.recent_code_ids(project, make_user(), code_ids=codebook.names) == []
    assert queries.recent_code_ids(project, researcher, code_ids=[]) == []

    last = CodingEvent.objects.filter(source=source).aggregate(m=Max("id"))["m"]
    assert last and queries.last_event_id(source.pk) == last
    assert queries.last_event_id(make_source(project).pk) == 0


def test_codes_and_source_in_plain_sql_are_the_orms(project, researcher):
    from interviews.models import Source

    theme = services.create_code(project=project, name="Tema", definition="Satu")
    services.create_code(project=project, name="Anak", parent=theme, colour="#112233")
    services.create_code(project=make_project(), name="Lain")
    source = make_source(project, text=TEXT, created_by=researcher)

    def fields(instance):
        return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}

    orm = sorted((fields(code) for code in project.codes.all()), key=lambda f: f["id"])
    read = sorted(
        (fields(code) for code in queries.project_codes(project.pk)), key=lambda f: f["id"]
    )
    assert read == orm and len(read) == 2
    assert fields(queries.source_of(project.pk, source.pk)) == fields(
        Source.objects.get(pk=source.pk)
    )
    assert queries.source_of(make_project().pk, source.pk) is None
    assert [code.name for code, _depth in queries.codebook_rows(project)] == ["Tema", "Anak"]


def test_the_pages_people_in_one_query_are_the_orms(project, researcher, supervisor, admin):
    from coding.views.coding_page import _coder_names
    from interviews.models import Membership

    source = make_source(project, text=TEXT)
    forum = services.create_code(project=project, name="F")
    code_phrase(source, forum, "Rapat", researcher)
    code_phrase(source, forum, "masalah", supervisor)
    gone = make_user("zz_gone")
    make_membership(project, gone)
    code_phrase(source, forum, "Data penerima", gone)
    Membership.objects.filter(user=gone).delete()  # left the project; their codings stay
    make_source(project, text=TEXT)  # another source's coders are not this one's

    for user in (admin, researcher):
        membership = Membership.objects.select_related("project").get(project=project, user=user)
        names, coders = queries.page_coders(project.pk, source.pk, membership.visible_coder_ids())
        assert names == _coder_names(membership)
        expected = [(u.pk, u.username) for u in queries.coders_of(source, membership)]
        assert coders == expected
    project.blind_coding = True
    project.save()
    membership = Membership.objects.select_related("project").get(project=project, user=researcher)
    names, coders = queries.page_coders(project.pk, source.pk, membership.visible_coder_ids())
    assert names == {researcher.pk: "rina_researcher"} and coders == [
        (researcher.pk, "rina_researcher")
    ]
    everyone = queries.page_coders(project.pk, source.pk)[1]
    assert [name for _pk, name in everyone] == ["rina_researcher", "sam_supervisor", "zz_gone"]
