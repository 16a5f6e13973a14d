import itertools

import pytest
from django.contrib.auth import get_user_model

from interviews.models import Attribute, Case, CaseValue, Membership, Project, Source

_seq = itertools.count(1)


def make_user(username: str | None = None, **overrides):
    username = username or f"user{next(_seq)}"
    user = get_user_model().objects.create_user(username=username, password="pw", **overrides)
    return user


def make_project(**overrides) -> Project:
    n = next(_seq)
    values = {"name": f"Project {n}", "slug": f"project-{n}", "language": "id"}
    values.update(overrides)
    return Project.objects.create(**values)


def make_membership(project: Project, user, role: str = Membership.Role.RESEARCHER) -> Membership:
    return Membership.objects.create(project=project, user=user, role=role)


def make_case(project: Project, **overrides) -> Case:
    values = {"name": f"Informant {next(_seq)}"}
    values.update(overrides)
    return Case.objects.create(project=project, **values)


def make_attribute(project: Project, **overrides) -> Attribute:
    values = {"name": f"Attribute {next(_seq)}", "type": Attribute.Type.TEXT}
    values.update(overrides)
    return Attribute.objects.create(project=project, **values)


def make_case_value(case: Case, attribute: Attribute, value: str) -> CaseValue:
    return CaseValue.objects.create(case=case, attribute=attribute, value=value)


def make_source(project: Project, **overrides) -> Source:
    values = {
        "kind": Source.Kind.INTERVIEW,
        "title": f"Interview {next(_seq)}",
        "text": "Pewawancara: Bagaimana koordinasi berjalan?\n\nIbu Maria: Situasional saja.",
    }
    values.update(overrides)
    values.setdefault("word_count", len(values["text"].split()))
    return Source.objects.create(project=project, **values)


@pytest.fixture
def project(db):
    return make_project(name="Koordinasi Kesra", slug="kesra")


@pytest.fixture
def admin(project):
    user = make_user("ana_admin")
    make_membership(project, user, Membership.Role.ADMIN)
    return user


@pytest.fixture
def researcher(project):
    user = make_user("rina_researcher")
    make_membership(project, user, Membership.Role.RESEARCHER)
    return user


@pytest.fixture
def supervisor(project):
    user = make_user("sam_supervisor")
    make_membership(project, user, Membership.Role.SUPERVISOR)
    return user


@pytest.fixture
def outsider(db):
    return make_user("olga_outsider")


@pytest.fixture
def source(project, researcher):
    return make_source(project, created_by=researcher)


@pytest.fixture
def case(project):
    return make_case(project, name="Kepala Bagian")


def pytest_collection_modifyitems(config, items):
    """Browser tests run last: Playwright's event loop then never meets the other tests."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
