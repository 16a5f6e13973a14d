"""The membership every project page reads first, in plain SQL, is the ORM's."""

from django.db.models import Model

from interviews.access import read_membership
from interviews.models import Membership

from ..conftest import make_membership, make_project, make_user


def fields(instance: Model) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_the_membership_and_its_project_are_those_of_the_orm(project, researcher, supervisor):
    project.blind_coding = True
    project.save()
    other = make_project()
    make_membership(other, researcher, role=Membership.Role.SUPERVISOR)

    read = read_membership(project.slug, researcher.pk)
    orm = Membership.objects.select_related("project").get(project=project, user=researcher)
    assert fields(read) == fields(orm)
    assert fields(read.project) == fields(orm.project)
    assert read.project.blind_coding and read.sees_only_own_work
    assert read.visible_coder_ids() == [researcher.pk]
    assert not read._state.adding and read.project.pk == project.pk
    # The other project's membership is its own, with its own role.
    assert read_membership(other.slug, researcher.pk).role == Membership.Role.SUPERVISOR


def test_no_membership_outside_the_project(project, researcher):
    assert read_membership(project.slug, make_user().pk) is None
    assert read_membership("no-such-project", researcher.pk) is None
    assert read_membership(project.slug, None) is None
