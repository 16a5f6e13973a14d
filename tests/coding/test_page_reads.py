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
