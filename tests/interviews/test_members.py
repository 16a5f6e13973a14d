from django.urls import reverse

from interviews.models import Membership

from ..conftest import make_user


def test_admin_adds_a_member_by_username(client, project, admin):
    newcomer = make_user("budi")
    client.force_login(admin)
    response = client.post(
        reverse("interviews:member_list", args=[project.slug]),
        {"username": "budi", "role": "supervisor"},
    )
    assert response.status_code == 302
    assert Membership.objects.get(project=project, user=newcomer).role == "supervisor"


def test_adding_an_unknown_user_says_so(client, project, admin):
    client.force_login(admin)
    response = client.post(
        reverse("interviews:member_list", args=[project.slug]),
        {"username": "hantu", "role": "researcher"},
    )
    assert response.status_code == 200
    assert "There is no user called “hantu”." in response.text


def test_adding_an_existing_member_says_so(client, project, admin, researcher):
    client.force_login(admin)
    response = client.post(
        reverse("interviews:member_list", args=[project.slug]),
        {"username": researcher.username, "role": "supervisor"},
    )
    assert "is already a member" in response.text
    assert Membership.objects.get(user=researcher).role == "researcher"


def test_admin_changes_a_role(client, project, admin, researcher):
    membership = Membership.objects.get(user=researcher)
    client.force_login(admin)
    client.post(
        reverse("interviews:member_edit", args=[project.slug, membership.pk]),
        {"role": "supervisor"},
    )
    membership.refresh_from_db()
    assert membership.role == "supervisor"


def test_the_last_admin_cannot_step_down(client, project, admin):
    membership = Membership.objects.get(user=admin)
    client.force_login(admin)
    response = client.post(
        reverse("interviews:member_edit", args=[project.slug, membership.pk]),
        {"role": "researcher"},
        follow=True,
    )
    assert "A project needs at least one admin." in response.text
    membership.refresh_from_db()
    assert membership.role == "admin"


def test_the_last_admin_cannot_be_removed(client, project, admin):
    membership = Membership.objects.get(user=admin)
    client.force_login(admin)
    client.post(reverse("interviews:member_remove", args=[project.slug, membership.pk]))
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_admin_removes_a_member(client, project, admin, researcher):
    membership = Membership.objects.get(user=researcher)
    client.force_login(admin)
    client.post(reverse("interviews:member_remove", args=[project.slug, membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_memberships_of_other_projects_are_out_of_reach(client, project, admin):
    from ..conftest import make_membership, make_project

    elsewhere = make_membership(make_project(), make_user(), "researcher")
    client.force_login(admin)
    response = client.post(reverse("interviews:member_remove", args=[project.slug, elsewhere.pk]))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=elsewhere.pk).exists()
