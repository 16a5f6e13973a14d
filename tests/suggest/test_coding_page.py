"""Suggestions on the coding page: the toggle's list, accept and reject in place, one undo."""

import random
import uuid

import pytest
from django.test import override_settings
from django.urls import reverse

from coding.models import Coding, CodingEvent
from coding.suggest.models import SuggestionDecision, SuggestionSettings

from ..conftest import make_source
from .conftest import generated_text

HTMX = {"HX-Request": "true"}


def url(name, project, source):
    return reverse(f"coding:{name}", args=[project.slug, source.pk])


def keyed(key=None):
    return {**HTMX, "Idempotency-Key": str(key or uuid.uuid4())}


@pytest.fixture
def fresh(trained, project, researcher):
    """A new, uncoded interview about Forum and Geografis."""
    text, marks = generated_text(random.Random(7), ["Forum", None, "Geografis", None, "Forum"])
    source = make_source(project, title="Wawancara baru", text=text, created_by=researcher)
    return {**trained, "source": source, "marks": marks}


def listed(client, project, source, **query):
    response = client.get(url("suggestion_inline", project, source), query, headers=HTMX)
    assert response.status_code == 200
    return response, response.context["found"]


def test_the_coding_page_has_the_toggle_but_loads_no_suggestion(client, researcher, fresh, project):
    client.force_login(researcher)
    response = client.get(url("source_code", project, fresh["source"]))
    assert 'id="suggest-toggle"' in response.text
    assert url("suggestion_inline", project, fresh["source"]) in response.text
    assert "suggest_inline.js" in response.text
    assert "data-sg" not in response.text  # the list comes by its own request, when asked


@override_settings(SUGGESTIONS_ENABLED=False)
def test_with_the_site_switch_off_the_coding_page_has_no_toggle(client, researcher, fresh, project):
    client.force_login(researcher)
    response = client.get(url("source_code", project, fresh["source"]))
    assert response.status_code == 200
    assert "suggest-toggle" not in response.text and "/suggestions/" not in response.text


def test_the_list_has_each_passage_its_code_colour_and_confidence(
    client, researcher, fresh, project
):
    client.force_login(researcher)
    response, found = listed(client, project, fresh["source"])
    codes = fresh["codes"]
    expected = {(codes[name].pk, start, end) for name, start, end in fresh["marks"]}
    assert {(s.code_id, s.start, s.end) for s in found} == expected
    assert response.text.lstrip().startswith('<div id="suggest-inline"')
    for s in found:
        assert f'data-start="{s.start}" data-end="{s.end}" data-code="{s.code_id}"' in response.text
        assert f'data-p="{s.probability:.2f}"' in response.text
    forum = codes["Forum"]
    assert f"::highlight(sg-{forum.pk}) {{ text-decoration: underline dotted {forum.colour}" in (
        response.text
    )
    assert "<kbd>y</kbd> Accept" in response.text and "Accept all 3" in response.text


def test_accept_in_place_codes_it_names_the_model_and_the_page_undo_takes_it_back(
    client, researcher, fresh, project
):
    client.force_login(researcher)
    source = fresh["source"]
    _response, found = listed(client, project, source)
    first = found[0]
    key = uuid.uuid4()
    data = {"version": 1, "code": first.code_id, "start": first.start, "end": first.end}
    response = client.post(
        url("suggestion_judge", project, source),
        {**data, "verdict": "accepted"},
        headers=keyed(key),
    )
    assert response.status_code == 200 and response["Kesra-Write"] == "saved"
    coding = Coding.objects.get(source=source)
    assert (coding.code_id, coding.start, coding.end, coding.coder) == (
        first.code_id,
        first.start,
        first.end,
        researcher,
    )
    assert f'data-c="{coding.pk}"' in response.text  # the touched paragraph, redrawn
    event = CodingEvent.objects.get(coding_id=coding.pk)
    assert event.batch == key
    note = f"accepted suggestion of model v1, p = {first.probability:.2f}"
    assert event.note == note
    panel = client.get(url("coding_panel", project, source), {"ids": coding.pk}, headers=HTMX)
    assert note in panel.text
    history = client.get(url("source_history", project, source))
    assert note in history.text
    assert (first.code_id, first.start) not in {
        (s.code_id, s.start) for s in listed(client, project, source)[1]
    }

    undo = client.post(url("coding_undo", project, source), {"batch": str(key)}, headers=keyed())
    assert undo["Kesra-Write"] == "saved"
    assert not Coding.objects.filter(source=source).exists()
    again = listed(client, project, source)[1]
    assert (first.code_id, first.start) in {(s.code_id, s.start) for s in again}  # open again
    redone = client.post(
        url("suggestion_judge", project, source), {**data, "verdict": "accepted"}, headers=keyed()
    )
    assert redone["Kesra-Write"] == "saved" and Coding.objects.filter(source=source).count() == 1
    assert SuggestionDecision.objects.count() == 1


def test_reject_in_place_is_recorded_and_leaves_the_list(client, researcher, fresh, project):
    client.force_login(researcher)
    source = fresh["source"]
    first = listed(client, project, source)[1][0]
    data = {"version": 1, "code": first.code_id, "start": first.start, "end": first.end}
    key = uuid.uuid4()
    response = client.post(
        url("suggestion_judge", project, source),
        {**data, "verdict": "rejected"},
        headers=keyed(key),
    )
    assert response.status_code == 200 and response["Kesra-Write"] == "saved"
    retried = client.post(
        url("suggestion_judge", project, source),
        {**data, "verdict": "rejected"},
        headers=keyed(key),
    )
    assert retried["Kesra-Replayed"] == "1"
    decision = SuggestionDecision.objects.get()
    assert decision.verdict == "rejected" and decision.user == researcher
    assert not Coding.objects.filter(source=source).exists()
    assert (first.code_id, first.start) not in {
        (s.code_id, s.start) for s in listed(client, project, source)[1]
    }
    refused = client.post(
        url("suggestion_judge", project, source), {**data, "verdict": "accepted"}, headers=keyed()
    )
    assert refused.status_code == 422 and refused["Kesra-Write"] == "refused"
    assert "already judged" in refused.text


def test_accept_all_is_one_batch_the_page_undo_takes_back(client, researcher, fresh, project):
    client.force_login(researcher)
    source = fresh["source"]
    key = uuid.uuid4()
    response = client.post(
        url("suggestion_judge_all", project, source),
        {"version": 1, "threshold": "0.50"},
        headers=keyed(key),
    )
    assert response["Kesra-Write"] == "saved"
    assert Coding.objects.filter(source=source).count() == len(fresh["marks"])
    assert {d.batch for d in SuggestionDecision.objects.all()} == {key}
    assert set(CodingEvent.objects.filter(source=source).values_list("batch", flat=True)) == {key}
    assert listed(client, project, source)[1] == []
    nothing = client.post(
        url("suggestion_judge_all", project, source),
        {"version": 1, "threshold": "0.50"},
        headers=keyed(),
    )
    assert nothing["Kesra-Write"] == "already" and "nothing to accept" in nothing.text
    client.post(url("coding_undo", project, source), {"batch": str(key)}, headers=keyed())
    assert not Coding.objects.filter(source=source).exists()
    assert len(listed(client, project, source)[1]) == len(fresh["marks"])


def test_supervisors_see_the_list_without_buttons_and_cannot_judge(
    client, supervisor, fresh, project
):
    client.force_login(supervisor)
    source = fresh["source"]
    response, found = listed(client, project, source)
    assert found and "data-sg-verdict" not in response.text and "data-sg-all" not in response.text
    s = found[0]
    data = {"version": 1, "code": s.code_id, "start": s.start, "end": s.end, "verdict": "accepted"}
    assert (
        client.post(url("suggestion_judge", project, source), data, headers=keyed()).status_code
        == 403
    )


def test_project_switch_off_refuses_the_list(client, researcher, fresh, project):
    SuggestionSettings.objects.create(project=project, enabled=False)
    client.force_login(researcher)
    assert client.get(url("suggestion_inline", project, fresh["source"])).status_code == 404


@pytest.mark.parametrize("extra", [0, 6])
def test_the_list_reads_the_same_queries_however_many_suggestions(
    client, researcher, fresh, project, extra, django_assert_max_num_queries
):
    source = fresh["source"]
    if extra:
        more, _marks = generated_text(random.Random(3), ["Data", "Kapasitas"] * extra)
        source.text += "\n\n" + more
        source.save()
    client.force_login(researcher)
    listed(client, project, source)  # predictions stored on first read
    # 10, and 2 for "is a new model due?" (trainings under way; codings since the newest)
    with django_assert_max_num_queries(12):
        found = listed(client, project, source)[1]
    assert len(found) >= len(fresh["marks"]) + 2 * extra
