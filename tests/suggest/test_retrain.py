"""Training again by itself: after SUGGESTIONS_RETRAIN_AFTER new codings since the newest
model, opening suggestions starts one training job (never a second), shown on the page."""

import pytest
from django.urls import reverse

from coding.services import apply_code, create_code
from coding.suggest.models import SuggestionModel
from interviews.models import Job

from ..conftest import make_membership, make_user


@pytest.fixture
def due(settings, trained, project, researcher):
    """Three codings made after model v1, with the threshold at three."""
    settings.SUGGESTIONS_RETRAIN_AFTER = 3
    source = trained["sources"][0]
    code = create_code(project=project, name="Baru")
    for start in (0, 10, 20):
        passage = source.text[start : start + 5]
        apply_code(
            source=source, code=code, coder=researcher, start=start, end=start + 5, passage=passage
        )
    return source


def _open(client, project):
    return client.get(reverse("coding:suggestions", args=[project.slug]))


def test_opening_suggestions_after_enough_new_codings_starts_one_training(
    client, due, project, researcher, django_capture_on_commit_callbacks
):
    client.force_login(researcher)
    with django_capture_on_commit_callbacks(execute=True):
        first = _open(client, project)
    job = Job.objects.get(kind=Job.Kind.TRAINING)
    assert job.created_by == researcher
    # The immediate backend ran it when the request committed: v2 learned the new codings.
    assert SuggestionModel.objects.filter(project=project).count() == 2
    assert "A new model is being trained" in first.text
    with django_capture_on_commit_callbacks(execute=True):
        _open(client, project)
    assert Job.objects.filter(kind=Job.Kind.TRAINING).count() == 1  # v2 is the newest now


def test_no_second_training_while_one_is_under_way(client, due, project, researcher, admin):
    client.force_login(researcher)
    _open(client, project)  # queued: this test never commits, so no worker runs it
    _open(client, project)
    client.force_login(admin)
    inline = client.get(reverse("coding:suggestion_inline", args=[project.slug, due.pk]))
    assert inline.status_code == 200
    assert Job.objects.filter(kind=Job.Kind.TRAINING).count() == 1


def test_too_few_new_codings_or_the_switch_at_zero_start_nothing(
    client, settings, trained, project, researcher
):
    client.force_login(researcher)
    settings.SUGGESTIONS_RETRAIN_AFTER = 3
    assert "A new model is being trained" not in _open(client, project).text
    settings.SUGGESTIONS_RETRAIN_AFTER = 0
    _open(client, project)
    assert not Job.objects.filter(kind=Job.Kind.TRAINING).exists()


def test_a_supervisor_who_cannot_code_starts_no_training(client, due, project):
    supervisor = make_user("pengawas")
    make_membership(project, supervisor, "supervisor")
    client.force_login(supervisor)
    _open(client, project)
    assert not Job.objects.filter(kind=Job.Kind.TRAINING).exists()
