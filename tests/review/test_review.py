import pytest
from django.urls import reverse

from coding import services
from coding.models import Coding, CodingEvent, ReviewNote
from coding.review import services as review_services

from ..conftest import make_membership, make_source, make_user

HX = {"HX-Request": "true"}


@pytest.fixture
def coding(project, researcher):
    source = make_source(project)
    code = services.create_code(project=project, name="Forum", definition="Rapat rutin.")
    return services.apply_code(
        source=source, start=13, end=22, passage=source.text[13:22], code=code, coder=researcher
    )


def act(client, project, coding, **data):
    url = reverse("coding:review_act", args=[project.slug, coding.pk])
    return client.post(url, data, headers=HX)


def test_queue_lists_pending_codings_with_definition_and_context(
    client, project, supervisor, coding
):
    client.force_login(supervisor)
    response = client.get(reverse("coding:review_queue", args=[project.slug]))
    assert [c.pk for c in response.context["page"].object_list] == [coding.pk]
    assert "Rapat rutin." in response.text
    assert "<kbd>a</kbd> Approve" in response.text


def test_approving_updates_status_history_and_leaves_the_queue(client, project, supervisor, coding):
    client.force_login(supervisor)
    response = act(client, project, coding, kind="approve")
    assert 'class="review-item card reviewed"' in response.text
    coding.refresh_from_db()
    assert coding.review_status == "approved"
    assert CodingEvent.objects.filter(action="reviewed", coding_id=coding.pk).exists()
    queue = client.get(reverse("coding:review_queue", args=[project.slug]))
    assert list(queue.context["page"].object_list) == []
    approved = client.get(
        reverse("coding:review_queue", args=[project.slug]), {"review": "approved"}
    )
    assert [c.pk for c in approved.context["page"].object_list] == [coding.pk]


def test_a_comment_needs_text(client, project, supervisor, coding):
    client.force_login(supervisor)
    response = act(client, project, coding, kind="comment", text="  ")
    assert response.status_code == 422
    assert "Write a comment first." in response.text
    assert not ReviewNote.objects.exists()


def test_the_coder_sees_the_comment_and_answers(client, project, supervisor, researcher, coding):
    client.force_login(supervisor)
    act(client, project, coding, kind="reject", text="Ini bukan forum, ini komunikasi.")
    client.force_login(researcher)
    feedback = client.get(reverse("coding:review_feedback", args=[project.slug]))
    assert "Ini bukan forum, ini komunikasi." in feedback.text
    assert [c.pk for c in feedback.context["page"].object_list] == [coding.pk]
    act(client, project, coding, kind="reply", text="Setuju, saya kode ulang.")
    assert list(ReviewNote.objects.values_list("kind", flat=True)) == ["reject", "reply"]
    panel = client.get(
        reverse("coding:coding_panel", args=[project.slug, coding.source_id]),
        {"ids": coding.pk},
    )
    assert "Setuju, saya kode ulang." in panel.text
    assert "Rejected" in panel.text


def test_researchers_cannot_review_and_others_cannot_reply(client, project, researcher, coding):
    client.force_login(researcher)
    assert act(client, project, coding, kind="approve").status_code == 403
    stranger = make_user()
    make_membership(project, stranger)
    client.force_login(stranger)
    assert act(client, project, coding, kind="reply", text="hai").status_code == 403


def test_blind_coding_hides_other_coders_from_researchers(client, project, researcher, supervisor):
    source = make_source(project)
    code = services.create_code(project=project, name="Forum")
    colleague = make_user()
    make_membership(project, colleague)
    theirs = services.apply_code(
        source=source, start=0, end=5, passage=source.text[:5], code=code, coder=colleague
    )
    mine = services.apply_code(
        source=source, start=6, end=10, passage=source.text[6:10], code=code, coder=researcher
    )
    project.blind_coding = True
    project.save()
    url = reverse("coding:source_code", args=[project.slug, source.pk])
    client.force_login(researcher)
    assert list(client.get(url + "?show=all").context["info"]) == [mine.pk]
    client.force_login(supervisor)
    assert sorted(client.get(url).context["info"]) == sorted([mine.pk, theirs.pk])


def test_review_status_is_a_filter_in_reduction(client, project, supervisor, coding):
    review_services.review_coding(coding=coding, reviewer=supervisor, kind="reject")
    client.force_login(supervisor)
    url = reverse("coding:retrieval", args=[project.slug])
    approved = client.get(url, {"code": coding.code_id, "review": "approved"})
    rejected = client.get(url, {"code": coding.code_id, "review": "rejected"})
    assert approved.context["page"].paginator.count == 0
    assert rejected.context["page"].paginator.count == 1
    assert Coding.objects.get().review_status == "rejected"


@pytest.mark.parametrize(
    ("target", "landing"),
    [
        ("https://evil.example/", "queue"),
        ("//evil.example/path", "queue"),
        ("javascript:alert(1)", "queue"),
        ("http://[::1", "queue"),
        ("\\\\evil.example", "queue"),
        ("/p/kesra/reduction/?code=1", "/p/kesra/reduction/?code=1"),
    ],
)
def test_after_a_verdict_only_a_page_of_this_site_is_next(
    client, project, supervisor, coding, target, landing
):
    client.force_login(supervisor)
    url = reverse("coding:review_act", args=[project.slug, coding.pk])
    response = client.post(url, {"kind": "approve", "next": target})
    assert response.status_code == 302
    expected = (
        reverse("coding:review_queue", args=[project.slug]) if landing == "queue" else landing
    )
    assert response.url == expected
