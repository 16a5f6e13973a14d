from django.urls import reverse

from coding import services
from coding.models import Memo

from ..conftest import make_source


def test_memo_on_a_coding_goes_back_to_the_coding_page(client, project, researcher):
    source = make_source(project)
    code = services.create_code(project=project, name="Forum")
    coding = services.apply_code(
        source=source, start=0, end=4, passage=source.text[:4], code=code, coder=researcher
    )
    client.force_login(researcher)
    response = client.post(
        reverse("coding:memo_create", args=[project.slug]),
        {"coding": coding.pk, "title": "", "text": "Bandingkan dengan observasi."},
    )
    memo = Memo.objects.get()
    assert (memo.coding, memo.author) == (coding, researcher)
    assert response.url == reverse("coding:source_code", args=[project.slug, source.pk])


def test_memo_targets_must_belong_to_the_project(client, project, researcher):
    from ..conftest import make_project

    foreign = make_source(make_project())
    client.force_login(researcher)
    response = client.get(
        reverse("coding:memo_create", args=[project.slug]) + f"?source={foreign.pk}"
    )
    assert response.status_code == 404


def test_memo_list_filters_by_target_and_author(client, project, researcher, supervisor):
    source = make_source(project)
    Memo.objects.create(project=project, author=researcher, text="Proyek: catatan umum")
    Memo.objects.create(project=project, author=supervisor, source=source, text="Sumber: cek")
    client.force_login(supervisor)
    url = reverse("coding:memo_list", args=[project.slug])
    assert [m.text for m in client.get(url + "?target=project").context["page"]] == [
        "Proyek: catatan umum"
    ]
    assert [m.text for m in client.get(url + f"?author={supervisor.pk}").context["page"]] == [
        "Sumber: cek"
    ]


def test_only_the_author_or_an_admin_edits_a_memo(client, project, researcher, supervisor, admin):
    memo = Memo.objects.create(project=project, author=researcher, text="Asli")
    url = reverse("coding:memo_edit", args=[project.slug, memo.pk])
    client.force_login(supervisor)
    assert client.post(url, {"text": "Diubah"}).status_code == 403
    client.force_login(admin)
    client.post(url, {"text": "Diubah admin"})
    memo.refresh_from_db()
    assert memo.text == "Diubah admin"


def test_an_empty_memo_is_refused(client, project, researcher):
    client.force_login(researcher)
    response = client.post(reverse("coding:memo_create", args=[project.slug]), {"text": ""})
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert not Memo.objects.exists()


def test_memos_on_a_coding_show_beside_its_passage_in_retrieval(
    client, project, researcher, supervisor
):
    source = make_source(project)
    code = services.create_code(project=project, name="Forum")
    coded = services.apply_code(
        source=source, start=0, end=4, passage=source.text[:4], code=code, coder=researcher
    )
    other = services.apply_code(
        source=source, start=5, end=12, passage=source.text[5:12], code=code, coder=researcher
    )
    Memo.objects.create(project=project, author=supervisor, coding=coded, text="Bandingkan <b>")
    Memo.objects.create(project=project, author=researcher, source=source, text="Tentang sumber")
    client.force_login(researcher)
    response = client.get(reverse("coding:retrieval", args=[project.slug]), {"code": code.pk})
    passages = response.text.split('<li class="passage">')[1:]
    assert len(passages) == 2
    by_start = dict(zip(sorted([coded.start, other.start]), passages, strict=True))
    assert "Bandingkan &lt;b&gt;" in by_start[coded.start]
    assert supervisor.username in by_start[coded.start]
    assert "passage-memos" not in by_start[other.start]
    assert "Tentang sumber" not in response.text, "a memo on the source is not a passage's"
