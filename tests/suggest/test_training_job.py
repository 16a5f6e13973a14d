"""Training as a job: the Suggestions page starts it, shows its progress, opens the new version."""

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from coding.suggest.models import SuggestionModel
from interviews.models import Job

from .conftest import build_generated_corpus

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
HTMX = {"HX-Request": "true"}


def page(project):
    return reverse("coding:suggestions", args=[project.slug])


def train(client, project, capture):
    """POST "Train" (the job runs when the request's transaction commits), then follow."""
    with capture(execute=True):
        started = client.post(page(project), {"action": "train"})
    return started, client.get(started.url, follow=True)


def test_train_runs_as_a_job_and_opens_the_new_version(
    client, researcher, generated, project, django_capture_on_commit_callbacks
):
    client.force_login(researcher)
    started, response = train(client, project, django_capture_on_commit_callbacks)
    job = Job.objects.get(kind=Job.Kind.TRAINING)
    assert (job.status, job.done, job.total) == (Job.Status.DONE, 100, 100)
    assert job.created_by == researcher and job.params == {"version": 1}
    assert job.result_url == page(project) + "?version=1"
    assert started.url == f"{page(project)}?training={job.pk}"
    assert response.redirect_chain[-1][0] == job.result_url
    assert "Model v1 trained." in response.text and "Model v1" in response.text


def test_a_training_with_nothing_to_learn_fails_with_the_reason(
    client, researcher, project, source, django_capture_on_commit_callbacks
):
    client.force_login(researcher)
    _started, response = train(client, project, django_capture_on_commit_callbacks)
    job = Job.objects.get(kind=Job.Kind.TRAINING)
    assert job.status == Job.Status.FAILED
    assert "No code has 8 coded passages in at least two sources yet" in job.message
    assert "No code has 8 coded passages" in response.text
    assert not SuggestionModel.objects.exists()


def test_only_the_starter_follows_a_training_job(client, researcher, admin, project):
    job = Job.objects.create(kind=Job.Kind.TRAINING, project=project, created_by=researcher)
    client.force_login(admin)
    assert client.get(page(project), {"training": job.pk}).status_code == 404
    assert client.get(page(project), {"training": "nonsense"}).status_code == 404


# The worker closes its database connection after each task: these tests commit for real.
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_the_worker_trains_while_the_page_shows_progress(
    client, researcher, project, django_capture_on_commit_callbacks
):
    build_generated_corpus(project, researcher, sources=6)
    client.force_login(researcher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page(project), {"action": "train"})
    job = Job.objects.get(kind=Job.Kind.TRAINING)
    assert response.url == f"{page(project)}?training={job.pk}"
    waiting = client.get(response.url)
    assert "Training a new model" in waiting.text and 'hx-trigger="every 2s"' in waiting.text
    assert job.get_absolute_url() in waiting.text  # plain-link fallback
    polled = client.get(response.url, headers=HTMX)
    assert polled.text.lstrip().startswith('<section id="training"')
    assert not SuggestionModel.objects.exists()

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    model = SuggestionModel.objects.get(project=project)
    assert model.trained_by == researcher and model.number == 1
    done = client.get(response.url, headers=HTMX)
    assert done["HX-Redirect"] == f"{page(project)}?version=1"
    assert "Model v1" in client.get(done["HX-Redirect"]).text
