import pytest
from django.urls import reverse

from interviews.models import Membership, Project

from ..conftest import make_membership, make_project, make_source


def test_project_list_shows_only_my_projects(client, project, researcher):
    other = make_project(name="Rahasia Dinas Lain")
    client.force_login(researcher)
    response = client.get(reverse("interviews:project_list"))
    assert "Koordinasi Kesra" in response.text
    assert other.name not in response.text


def test_non_member_gets_404_without_the_project_name(client, project, outsider):
    client.force_login(outsider)
    response = client.get(reverse("interviews:project_detail", args=[project.slug]))
    assert response.status_code == 404
    assert project.name not in response.text


def test_creating_a_project_makes_me_its_admin(client, outsider):
    client.force_login(outsider)
    response = client.post(
        reverse("interviews:project_create"),
        {"name": "Studi Dinas Sosial", "description": "", "language": "id"},
    )
    project = Project.objects.get(name="Studi Dinas Sosial")
    assert response.status_code == 302
    assert response.url == project.get_absolute_url()
    assert project.slug == "studi-dinas-sosial"
    assert Membership.objects.get(project=project, user=outsider).role == "admin"


def test_slugs_stay_unique(client, outsider, project):
    client.force_login(outsider)
    client.post(
        reverse("interviews:project_create"),
        {"name": "Kesra", "description": "", "language": "id"},
    )
    client.post(
        reverse("interviews:project_create"),
        {"name": "Kesra", "description": "", "language": "id"},
    )
    assert sorted(Project.objects.filter(name="Kesra").values_list("slug", flat=True)) == [
        "kesra-2",
        "kesra-3",
    ]


def test_dashboard_counts_sources_by_kind_and_cases(client, project, researcher, case):
    make_source(project, kind="interview")
    make_source(project, kind="interview")
    make_source(project, kind="document")
    client.force_login(researcher)
    response = client.get(reverse("interviews:project_detail", args=[project.slug]))
    counts = {label: count for _value, label, count in response.context["source_counts"]}
    assert counts == {"Interviews": 2, "Observation notes": 0, "Documents": 1}
    assert response.context["case_count"] == 1


def test_admin_edits_settings(client, project, admin):
    client.force_login(admin)
    response = client.post(
        reverse("interviews:project_edit", args=[project.slug]),
        {"name": "Koordinasi Kesra Puncak", "description": "Baru", "language": "en"},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.language) == ("Koordinasi Kesra Puncak", "en")


@pytest.mark.parametrize("role", ["researcher", "supervisor"])
def test_only_admins_edit_settings(client, project, role):
    from ..conftest import make_user

    user = make_user()
    make_membership(project, user, role)
    client.force_login(user)
    response = client.post(
        reverse("interviews:project_edit", args=[project.slug]),
        {"name": "Hijacked", "description": "", "language": "en"},
    )
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.name == "Koordinasi Kesra"


def test_a_new_project_offers_the_reference_codebook_to_its_admin(client, project, admin):
    client.force_login(admin)
    page = client.get(reverse("interviews:project_detail", args=[project.slug]))
    assert "Add the default codebook" in page.text
    client.post(reverse("coding:codebook_seed", args=[project.slug]), {"language": "id"})
    page = client.get(reverse("interviews:project_detail", args=[project.slug]))
    assert "Add the default codebook" not in page.text
