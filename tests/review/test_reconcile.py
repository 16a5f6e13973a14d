"""The side-by-side view and the four ways to settle a disagreement."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from coding import services
from coding.models import Coding, CodingEvent

from .conftest import TEXT_ONE, span

HX = {"HX-Request": "true"}


@pytest.fixture
def one(study):
    return study["sources"][0]


def view_url(source, a, b, **params):
    url = reverse("coding:agreement_source", args=[source.project.slug, source.pk])
    query = "&".join(f"{k}={v}" for k, v in {"a": a.pk, "b": b.pk, **params}.items())
    return f"{url}?{query}"


def codings_of(source, code, coder):
    return sorted(
        Coding.objects.filter(source=source, code=code, coder=coder).values_list("start", "end")
    )


def group_ids(source, code):
    return sorted(Coding.objects.filter(source=source, code=code).values_list("pk", flat=True))


def settle(client, source, study, code, action, headers=None, **extra):
    return client.post(
        view_url(source, study["a"], study["b"]),
        {"action": action, "codings": group_ids(source, code), **extra},
        headers=headers or {},
    )


def test_the_view_lists_each_disagreement_with_its_kind(client, researcher, study, one):
    client.force_login(researcher)
    response = client.get(view_url(one, study["a"], study["b"]))
    assert response.status_code == 200
    summary = response.context["summary"]
    # Forum: overlap below 50%. Data: one identical pair (agreed), "Jalan ke distrik" only B.
    assert (summary["open"], summary["reviewed"], summary["agreed"]) == (2, 0, 1)
    assert "the passages overlap by less than the threshold" in response.text
    assert "only rudi_researcher applied this code here" in response.text
    # The runs inside an open disagreement carry the "dis" class (a whole token).
    marked = re.findall(r'<span data-o="(\d+)" class="(?:[^"]* )?dis(?: [^"]*)?"', response.text)
    assert marked, "no run is marked as lying in a disagreement"
    assert any(one.text[int(start) :].startswith("Jalan ke distrik") for start in marked)
    # Researchers may look, not settle.
    assert "Accept rina_researcher" not in response.text


def test_supervisors_see_the_actions(client, supervisor, study, one):
    client.force_login(supervisor)
    response = client.get(view_url(one, study["a"], study["b"]))
    assert "Accept rina_researcher's" in response.text
    assert "Keep both" in response.text
    assert "Merge into one agreed coding" in response.text


def test_a_lower_threshold_turns_an_overlap_into_a_boundary_difference(
    client, supervisor, study, one
):
    client.force_login(supervisor)
    response = client.get(view_url(one, study["a"], study["b"], threshold=30))
    assert "same code, different boundaries" in response.text


def test_accepting_a_gives_b_the_same_passage(client, supervisor, study, one):
    forum = study["codes"]["forum"]
    client.force_login(supervisor)
    response = settle(client, one, study, forum, "accept_a")
    assert response.status_code == 302
    assert codings_of(one, forum, study["b"]) == codings_of(one, forum, study["a"])
    assert codings_of(one, forum, study["a"]) == [span(TEXT_ONE, "Rapat hanya kalau ada masalah.")]
    events = CodingEvent.objects.filter(action=CodingEvent.Action.RECONCILED, code_name="Forum")
    assert {e.actor for e in events} == {supervisor}
    with translation.override("en"):
        details = sorted(e.note for e in events)
    assert details[0].startswith("accepted rina_researcher's coding")
    assert any("moved from" in d for d in details)
    b_coding = Coding.objects.get(source=one, code=forum, coder=study["b"])
    assert b_coding.passage == "Rapat hanya kalau ada masalah."


def test_accepting_b_changes_a(client, admin, study, one):
    forum = study["codes"]["forum"]
    client.force_login(admin)
    settle(client, one, study, forum, "accept_b")
    assert codings_of(one, forum, study["a"]) == [span(TEXT_ONE, "Rapat hanya")]
    assert codings_of(one, forum, study["b"]) == [span(TEXT_ONE, "Rapat hanya")]


def test_accepting_the_coder_who_left_it_out_removes_the_other_coding(
    client, supervisor, study, one
):
    data = study["codes"]["data"]
    extra = Coding.objects.get(source=one, code=data, coder=study["b"], passage="Jalan ke distrik")
    client.force_login(supervisor)
    client.post(
        view_url(one, study["a"], study["b"]), {"action": "accept_a", "codings": [extra.pk]}
    )
    assert not Coding.objects.filter(pk=extra.pk).exists()
    removed = CodingEvent.objects.get(coding_id=extra.pk, action=CodingEvent.Action.RECONCILED)
    with translation.override("en"):
        assert removed.note.endswith("removed")


def test_accepting_the_only_coder_adds_the_passage_for_the_other(client, supervisor, study, one):
    data = study["codes"]["data"]
    extra = Coding.objects.get(source=one, code=data, coder=study["b"], passage="Jalan ke distrik")
    client.force_login(supervisor)
    client.post(
        view_url(one, study["a"], study["b"]), {"action": "accept_b", "codings": [extra.pk]}
    )
    given = Coding.objects.get(source=one, code=data, coder=study["a"], start=extra.start)
    assert given.passage == "Jalan ke distrik"
    with translation.override("en"):
        assert CodingEvent.objects.get(coding_id=given.pk).note.endswith("added")


def test_keeping_both_marks_the_group_reviewed_and_changes_nothing(client, supervisor, study, one):
    forum = study["codes"]["forum"]
    before = {c.pk: (c.start, c.end) for c in Coding.objects.filter(source=one)}
    client.force_login(supervisor)
    settle(client, one, study, forum, "keep")
    assert {c.pk: (c.start, c.end) for c in Coding.objects.filter(source=one)} == before
    kept = CodingEvent.objects.filter(action=CodingEvent.Action.RECONCILED)
    with translation.override("en"):
        assert sorted(event.note for event in kept) == ["kept both", "kept both"]
    summary = client.get(view_url(one, study["a"], study["b"])).context["summary"]
    assert (summary["open"], summary["reviewed"]) == (1, 1)


def test_a_kept_group_opens_again_when_a_coder_changes_it(client, supervisor, study, one):
    forum = study["codes"]["forum"]
    client.force_login(supervisor)
    settle(client, one, study, forum, "keep")
    coding = Coding.objects.get(source=one, code=forum, coder=study["b"])
    services.change_coding(coding=coding, actor=study["b"], start=coding.start, end=coding.end + 6)
    summary = client.get(view_url(one, study["a"], study["b"])).context["summary"]
    assert (summary["open"], summary["reviewed"]) == (2, 0)


def test_merging_gives_both_coders_the_union(client, supervisor, study, one):
    forum = study["codes"]["forum"]
    start, end = span(TEXT_ONE, "Rapat hanya kalau ada masalah.")
    client.force_login(supervisor)
    settle(client, one, study, forum, "merge", span=f"{start}:{end}")
    assert codings_of(one, forum, study["a"]) == [(start, end)]
    assert codings_of(one, forum, study["b"]) == [(start, end)]
    with translation.override("en"):
        events = CodingEvent.objects.filter(action=CodingEvent.Action.RECONCILED)
        details = [e.note for e in events]
    assert all(d.startswith(f"merged into {start}–{end}") for d in details)


def test_merging_into_a_span_the_user_picks(client, supervisor, study, one):
    forum = study["codes"]["forum"]
    start, end = span(TEXT_ONE, "Rapat hanya kalau")
    client.force_login(supervisor)
    settle(client, one, study, forum, "merge", span="custom", start=start, end=end)
    assert codings_of(one, forum, study["a"]) == [(start, end)]
    assert codings_of(one, forum, study["b"]) == [(start, end)]


def test_a_span_outside_the_text_is_refused_and_nothing_changes(client, supervisor, study, one):
    forum = study["codes"]["forum"]
    before = sorted(Coding.objects.values_list("pk", "start", "end"))
    client.force_login(supervisor)
    response = settle(
        client, one, study, forum, "merge", headers=HX, span="custom", start=5, end=10_000
    )
    assert response.status_code == 422
    assert "The selection lies outside the text." in response.text
    assert sorted(Coding.objects.values_list("pk", "start", "end")) == before
    assert not CodingEvent.objects.filter(action=CodingEvent.Action.RECONCILED).exists()


def test_a_group_that_changed_since_the_page_was_shown_is_refused(client, supervisor, study, one):
    forum = study["codes"]["forum"]
    only_a = Coding.objects.get(source=one, code=forum, coder=study["a"])
    client.force_login(supervisor)
    response = client.post(
        view_url(one, study["a"], study["b"]),
        {"action": "accept_a", "codings": [only_a.pk]},
        follow=True,
    )
    assert "These passages have changed since the page was shown." in response.text
    assert len(codings_of(one, forum, study["b"])) == 1
    assert codings_of(one, forum, study["b"]) == [span(TEXT_ONE, "Rapat hanya")]


def test_htmx_gets_the_changed_rows_and_counts_out_of_band(client, supervisor, study, one):
    forum = study["codes"]["forum"]
    client.force_login(supervisor)
    response = settle(client, one, study, forum, "accept_a", headers=HX)
    assert response.status_code == 200
    assert "rina_researcher&#x27;s coding accepted." in response.text
    row = TEXT_ONE.index("Ibu Maria")
    assert f'<div class="cmp-row" id="r{row}" hx-swap-oob="true">' in response.text
    assert 'id="cmp-summary" class="cmp-summary" hx-swap-oob="true"' in response.text
    assert "<html" not in response.text
    # The untouched first paragraph is not sent again.
    assert 'id="r0"' not in response.text


def test_plain_post_redirects_back_to_the_same_comparison(client, supervisor, study, one):
    forum = study["codes"]["forum"]
    client.force_login(supervisor)
    response = settle(client, one, study, forum, "keep")
    assert response.status_code == 302
    assert response.url.startswith(
        reverse("coding:agreement_source", args=[one.project.slug, one.pk])
    )
    assert f"a={study['a'].pk}" in response.url and f"b={study['b'].pk}" in response.url


def test_researchers_cannot_reconcile(client, researcher, study, one):
    client.force_login(researcher)
    response = settle(client, one, study, study["codes"]["forum"], "accept_a")
    assert response.status_code == 403
    assert not CodingEvent.objects.filter(action=CodingEvent.Action.RECONCILED).exists()


def test_outsiders_get_404(client, outsider, study, one):
    client.force_login(outsider)
    assert client.get(view_url(one, study["a"], study["b"])).status_code == 404
    response = settle(client, one, study, study["codes"]["forum"], "keep")
    assert response.status_code == 404


def test_the_history_tells_who_reconciled(client, supervisor, study, one):
    client.force_login(supervisor)
    settle(client, one, study, study["codes"]["forum"], "keep")
    history = client.get(reverse("coding:source_history", args=[one.project.slug, one.pk]))
    assert "reconciled" in history.text
    assert "kept both" in history.text


def test_only_open_paragraphs_hides_the_rest(client, supervisor, study, one):
    client.force_login(supervisor)
    response = client.get(view_url(one, study["a"], study["b"], only=1))
    assert [row.start for row in response.context["rows"]] == [
        TEXT_ONE.index("Ibu Maria"),
        TEXT_ONE.rindex("Ibu Maria"),
    ]
    assert response.context["summary"]["hidden"] == 2


@pytest.mark.parametrize("extra", [0, 40])
def test_view_queries_do_not_grow_with_codings(
    client, supervisor, study, one, extra, django_assert_max_num_queries
):
    code = study["codes"]["data"]
    for i in range(extra):
        start = i % (len(TEXT_ONE) - 8)
        services.apply_code(
            source=one,
            start=start,
            end=start + 8,
            passage=TEXT_ONE[start : start + 8],
            code=code,
            coder=study["a"] if i % 2 else study["b"],
        )
    client.force_login(supervisor)
    with django_assert_max_num_queries(8):
        response = client.get(view_url(one, study["a"], study["b"]))
    assert response.status_code == 200


def test_under_blind_coding_researchers_get_numbers_but_not_the_other_coders_passages(
    client, researcher, supervisor, study, one
):
    project = one.project
    project.blind_coding = True
    project.save()
    client.force_login(researcher)
    assert client.get(view_url(one, study["a"], study["b"])).status_code == 403
    table = client.get(reverse("coding:agreement", args=[project.slug]))
    assert table.status_code == 200
    assert "Side by side" not in table.text
    client.force_login(supervisor)
    assert client.get(view_url(one, study["a"], study["b"])).status_code == 200
