"""The Suggestions page and one source's suggestions: figures, training, accept, reject, batches."""

import random
import re

import pytest
from django.urls import reverse

from coding.models import Coding, CodingEvent
from coding.suggest.models import SourcePrediction, SuggestionDecision, SuggestionModel
from coding.suggest.training import train_project_model
from interviews.models import Membership

from ..conftest import make_membership, make_source, make_user
from .conftest import RARE, generated_text

HTMX = {"HX-Request": "true"}


def page(project, **query):
    url = reverse("coding:suggestions", args=[project.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def source_page(project, source, **query):
    url = reverse("coding:suggestion_source", args=[project.slug, source.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def fresh(trained, project, researcher):
    """A new, uncoded interview about Forum and Geografis (predicted on first read)."""
    text, marks = generated_text(random.Random(7), ["Forum", None, "Geografis", None, "Forum"])
    source = make_source(project, title="Wawancara baru", text=text, created_by=researcher)
    return {**trained, "source": source, "marks": marks}


def figure_cells(html, code):
    row = re.search(rf'<tr data-code="{code.pk}">(.*?)</tr>', html, re.S)[1]
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
    ]


def test_page_shows_the_cross_validated_figures_per_code(client, supervisor, trained, project):
    client.force_login(supervisor)
    response = client.get(page(project))
    assert response.status_code == 200
    model = trained["model"]
    index = model.params["thresholds"].index(model.threshold)
    for name, code in trained["codes"].items():
        cells = figure_cells(response.text, code)
        row = model.figures[str(code.pk)]
        assert cells[1] == str(row["passages"])
        if name == RARE:
            assert "too few examples (5 coded passages; 8 needed)" in cells[4]
        else:
            precision, recall, f1 = row["grid"][index]
            assert cells[4:7] == [f"{precision:.2f}", f"{recall:.2f}", f"{f1:.2f}"]
            assert f1 >= 0.8
    assert "Train a new model" not in response.text  # supervisors read, they do not train
    assert "Nothing is sent anywhere" in response.text


def test_figures_follow_the_threshold_asked_for(client, researcher, trained, project):
    client.force_login(researcher)
    model = trained["model"]
    code = trained["codes"]["Forum"]
    response = client.get(page(project, version=1, threshold="0.95"))
    precision, recall, f1 = model.figures[str(code.pk)]["grid"][-1]
    assert figure_cells(response.text, code)[4:7] == [
        "—" if precision is None else f"{precision:.2f}",
        f"{recall:.2f}",
        f"{f1:.2f}",
    ]


# Training (a job): tests/suggest/test_training_job.py


def test_source_page_suggests_the_uncoded_passages_with_their_code(
    client, researcher, fresh, project
):
    client.force_login(researcher)
    source = fresh["source"]
    assert not SourcePrediction.objects.filter(source=source).exists()
    response = client.get(source_page(project, source))
    assert response.status_code == 200
    assert SourcePrediction.objects.filter(source=source).count() == 1  # stored on first read
    found = response.context["found"]
    expected = {(fresh["codes"][name].pk, start, end) for name, start, end in fresh["marks"]}
    assert {(s.code_id, s.start, s.end) for s in found} == expected
    for name, start, end in fresh["marks"]:
        assert source.text[start:end] in response.text
        assert f'id="sg-{fresh["codes"][name].pk}-{start}"' in response.text
    assert "<kbd>y</kbd> Accept" in response.text


def test_coded_passages_are_not_suggested_again(client, researcher, trained, project):
    client.force_login(researcher)
    response = client.get(source_page(project, trained["sources"][0]))
    assert response.context["found"] == []


def test_htmx_asks_for_the_list_only(client, researcher, fresh, project):
    client.force_login(researcher)
    response = client.get(source_page(project, fresh["source"]), headers=HTMX)
    assert response.text.lstrip().startswith('<div id="suggestion-list"')
    assert "<html" not in response.text


def _first(client, project, source):
    return client.get(source_page(project, source)).context["found"][0]


def _decide(client, project, source, suggestion, verdict, **extra):
    url = reverse("coding:suggestion_decide", args=[project.slug, source.pk])
    data = {
        "version": 1,
        "code": suggestion.code_id,
        "start": suggestion.start,
        "end": suggestion.end,
        "verdict": verdict,
    }
    return client.post(url, {**data, **extra}, headers=HTMX)


def test_accept_makes_the_users_coding_and_records_the_model(client, researcher, fresh, project):
    client.force_login(researcher)
    source = fresh["source"]
    suggestion = _first(client, project, source)
    response = _decide(client, project, source, suggestion, "accepted")
    assert response.status_code == 200
    assert "Accepted: now your coding" in response.text
    coding = Coding.objects.get(source=source)
    assert (coding.start, coding.end, coding.code_id) == (
        suggestion.start,
        suggestion.end,
        suggestion.code_id,
    )
    assert coding.coder == researcher and coding.passage == suggestion.passage
    decision = SuggestionDecision.objects.get()
    assert decision.verdict == "accepted" and decision.coding == coding
    assert decision.model.number == 1 and decision.probability == suggestion.probability
    event = CodingEvent.objects.get(coding_id=coding.pk)
    assert event.note == f"accepted suggestion of model v1, p = {suggestion.probability:.2f}"
    again = _decide(client, project, source, suggestion, "accepted")  # a retried request
    assert again.status_code == 200
    assert Coding.objects.filter(source=source).count() == 1
    assert SuggestionDecision.objects.count() == 1
    remaining = client.get(source_page(project, source)).context["found"]
    assert (suggestion.code_id, suggestion.start) not in {(s.code_id, s.start) for s in remaining}


def test_reject_records_it_and_the_next_model_learns_from_it(client, researcher, fresh, project):
    client.force_login(researcher)
    source = fresh["source"]
    suggestion = _first(client, project, source)
    response = _decide(client, project, source, suggestion, "rejected")
    assert response.status_code == 200 and "Rejected" in response.text
    decision = SuggestionDecision.objects.get()
    assert (
        decision.verdict == "rejected" and decision.coding is None and decision.user == researcher
    )
    assert not Coding.objects.filter(source=source).exists()
    remaining = client.get(source_page(project, source)).context["found"]
    assert (suggestion.code_id, suggestion.start) not in {(s.code_id, s.start) for s in remaining}
    model = train_project_model(project_id=project.pk)
    assert model.rejections == 1 and model.sources == 11  # the judged source is learned from


def test_a_passage_the_model_did_not_suggest_is_refused(client, researcher, fresh, project):
    client.force_login(researcher)
    source = fresh["source"]
    suggestion = _first(client, project, source)
    response = _decide(client, project, source, suggestion, "accepted", end=suggestion.end - 1)
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#suggest-status"
    assert "This model did not suggest that passage" in response.text
    assert not Coding.objects.filter(source=source).exists()
    assert not SuggestionDecision.objects.exists()


def test_accept_all_is_one_batch_that_can_be_undone(client, researcher, fresh, project):
    client.force_login(researcher)
    source = fresh["source"]
    url = reverse("coding:suggestion_accept_all", args=[project.slug, source.pk])
    response = client.post(url, {"version": 1, "threshold": "0.50"})
    decisions = list(SuggestionDecision.objects.all())
    assert len(decisions) == len(fresh["marks"]) and len({d.batch for d in decisions}) == 1
    assert Coding.objects.filter(source=source, coder=researcher).count() == len(decisions)
    assert f"batch={decisions[0].batch}" in response.url
    shown = client.get(response.url)
    assert shown.context["found"] == [] and "Undo" in shown.text
    undo = reverse("coding:suggestion_undo", args=[project.slug, source.pk])
    client.post(undo, {"batch": str(decisions[0].batch), "version": 1, "threshold": "0.50"})
    assert not Coding.objects.filter(source=source).exists()
    assert not SuggestionDecision.objects.exists()
    removed = CodingEvent.objects.filter(source=source, action=CodingEvent.Action.REMOVED)
    assert removed.count() == len(decisions)


def test_supervisors_see_suggestions_but_cannot_decide(client, supervisor, fresh, project):
    client.force_login(supervisor)
    source = fresh["source"]
    response = client.get(source_page(project, source))
    assert response.context["found"] and "<kbd>y</kbd>" not in response.text
    suggestion = response.context["found"][0]
    assert _decide(client, project, source, suggestion, "accepted").status_code == 403


@pytest.fixture
def blind(project, generated):
    project.blind_coding = True
    project.save()
    other = make_user("rudi_researcher")
    make_membership(project, other, Membership.Role.RESEARCHER)
    return other


def _train(client, project, capture):
    with capture(execute=True):
        started = client.post(page(project), {"action": "train"})
    return client.get(started.url, follow=True)


def test_blind_coding_a_researcher_sees_only_models_of_their_own_codings(
    client, blind, researcher, admin, project, django_capture_on_commit_callbacks
):
    everyone = train_project_model(project_id=project.pk, trained_by=admin)
    client.force_login(blind)  # has no codings: cannot see the model of everyone's
    assert "Model v" not in client.get(page(project)).text
    assert client.get(page(project, version=everyone.number)).status_code == 404
    response = _train(client, project, django_capture_on_commit_callbacks)
    assert "No code has 8 coded passages" in response.text
    client.force_login(researcher)  # the coder of the corpus trains on their own
    _train(client, project, django_capture_on_commit_callbacks)
    mine = SuggestionModel.objects.get(number=2)
    assert mine.coder_ids == [researcher.pk]
    assert f"Model v{mine.number}" in client.get(page(project)).text
    client.force_login(blind)
    assert client.get(page(project, version=mine.number)).status_code == 404
    client.force_login(admin)
    assert "Model v2" in client.get(page(project)).text


@pytest.mark.parametrize("extra", [0, 6])
def test_source_page_queries_do_not_grow_with_suggestions(
    client, researcher, fresh, project, extra, django_assert_max_num_queries
):
    source = fresh["source"]
    if extra:  # more suggested passages in the text, same queries
        more, _marks = generated_text(random.Random(3), ["Data", "Kapasitas"] * extra)
        source.text += "\n\n" + more
        source.save()
    client.force_login(researcher)
    client.get(source_page(project, source))  # predictions stored on first read
    with django_assert_max_num_queries(10):
        response = client.get(source_page(project, source))
    assert len(response.context["found"]) >= len(fresh["marks"]) + 2 * extra
