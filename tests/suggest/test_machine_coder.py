"""The model as one more coder: its suggestions as intervals, compared with a person's."""

import random

import pytest

from coding.review.metrics import Binary, covered, overlap, union
from coding.services import apply_code
from coding.suggest.queries import machine_intervals

from ..conftest import make_source
from .conftest import generated_text


def kappa_per_code(text, machine, human, code_id):
    a = union((s, e) for s, e, c in machine if c == code_id)
    b = union((s, e) for s, e, c in human if c == code_id)
    table = Binary.from_coverage(units=len(text), a=covered(a), b=covered(b), both=overlap(a, b))
    return table.kappa()


@pytest.fixture
def judged(trained, project, researcher):
    """A new source a person codes after training: the machine never saw it."""
    plan = ["Forum", None, "Geografis", "Data", None, "Forum", "Komunikasi", None]
    text, marks = generated_text(random.Random(99), plan)
    source = make_source(project, title="Wawancara uji", text=text, created_by=researcher)
    human = []
    for name, start, end in marks:
        code = trained["codes"][name]
        apply_code(
            source=source,
            start=start,
            end=end,
            passage=text[start:end],
            code=code,
            coder=researcher,
        )
        human.append((start, end, code.pk))
    return {**trained, "source": source, "human": human}


def test_machine_intervals_are_what_it_suggests_coded_or_not(judged):
    machine = machine_intervals(model=judged["model"], source=judged["source"])
    # The person coded every passage, yet the machine still reports its own reading.
    assert sorted(machine) == sorted(judged["human"])
    assert all(isinstance(part, int) for interval in machine for part in interval)


def test_kappa_of_the_machine_against_a_person(judged):
    source, model = judged["source"], judged["model"]
    machine = machine_intervals(model=model, source=source)
    for name in ("Forum", "Geografis", "Data", "Komunikasi"):
        code = judged["codes"][name]
        assert kappa_per_code(source.text, machine, judged["human"], code.pk) == pytest.approx(1.0)
    # A person who disagrees on one passage lowers the machine's kappa for that code.
    forum = judged["codes"]["Forum"].pk
    partial = [interval for interval in judged["human"] if interval[2] == forum][:1]
    kappa = kappa_per_code(source.text, machine, partial, forum)
    assert 0 < kappa < 1


def test_a_higher_threshold_never_adds_intervals(judged):
    source, model = judged["source"], judged["model"]
    low = set(machine_intervals(model=model, source=source, threshold=0.05))
    high = set(machine_intervals(model=model, source=source, threshold=0.95))
    covered_low = {(c, i) for s, e, c in low for i in range(s, e)}
    assert all((c, i) in covered_low for s, e, c in high for i in range(s, e))


def agreement_url(project, **query):
    from django.urls import reverse

    return (
        reverse("coding:agreement", args=[project.slug])
        + "?"
        + "&".join(f"{key}={value}" for key, value in query.items())
    )


def test_the_agreement_page_compares_a_model_version_with_a_person(
    client, supervisor, judged, project, researcher
):
    client.force_login(supervisor)
    source = judged["source"]
    response = client.get(agreement_url(project, a=-1, b=researcher.pk, sources=source.pk))
    assert response.status_code == 200
    assert '<option value="-1" selected>model v1 (suggestions)</option>' in response.text
    report = response.context["report"]
    assert {row.code_id for row in report.codes} == {code for _s, _e, code in judged["human"]}
    for row in report.codes:  # the same figures as the interval arithmetic gives
        assert float(row.stats.kappa) == pytest.approx(1.0)
        assert float(row.stats.alpha) == pytest.approx(1.0, abs=0.01)
        assert row.stats.a_agreed == row.stats.a_passages > 0
    assert "Side by side" not in response.text  # the reconciling view is for people
    assert "On the sources it learned from it looks better than it is" in response.text


def test_a_person_who_disagrees_lowers_the_machines_agreement(
    client, supervisor, judged, project, researcher
):
    from coding.models import Coding

    forum = judged["codes"]["Forum"]
    Coding.objects.filter(source=judged["source"], code=forum).first().delete()
    client.force_login(supervisor)
    response = client.get(
        agreement_url(project, a=researcher.pk, b=-1, sources=judged["source"].pk)
    )
    row = next(row for row in response.context["report"].codes if row.code_id == forum.pk)
    machine = machine_intervals(model=judged["model"], source=judged["source"])
    human = [(s, e, c) for s, e, c in judged["human"] if c == forum.pk][1:]
    expected = kappa_per_code(judged["source"].text, human, machine, forum.pk)
    assert float(row.stats.kappa) == pytest.approx(expected, abs=0.001)
    assert 0 < float(row.stats.kappa) < 1
    assert row.stats.b_agreed < row.stats.b_passages


def test_no_machine_coder_when_suggestions_are_off(client, supervisor, judged, project):
    from django.test import override_settings

    from coding.suggest.models import SuggestionSettings

    client.force_login(supervisor)
    with override_settings(SUGGESTIONS_ENABLED=False):
        assert "model v1" not in client.get(agreement_url(project)).text
    SuggestionSettings.objects.create(project=project, enabled=False)
    assert "model v1" not in client.get(agreement_url(project)).text
