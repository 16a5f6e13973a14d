from django.urls import reverse

from interviews.models import Attribute, Case, CaseValue

from ..conftest import make_attribute, make_case_value, make_source


def test_researcher_adds_an_attribute_and_a_case_with_values(client, project, researcher):
    client.force_login(researcher)
    client.post(
        reverse("interviews:attribute_create", args=[project.slug]),
        {"name": "Jabatan", "type": "text"},
    )
    client.post(
        reverse("interviews:attribute_create", args=[project.slug]),
        {"name": "Masa jabatan (tahun)", "type": "integer"},
    )
    jabatan, tenure = Attribute.objects.filter(project=project).order_by("order")
    response = client.post(
        reverse("interviews:case_create", args=[project.slug]),
        {
            "name": "Ibu Maria",
            "description": "Kepala subbagian",
            f"attr_{jabatan.pk}": "Kepala Subbagian",
            f"attr_{tenure.pk}": "4",
        },
    )
    case = Case.objects.get(project=project, name="Ibu Maria")
    assert response.url == case.get_absolute_url()
    values = dict(case.values.values_list("attribute__name", "value"))
    assert values == {"Jabatan": "Kepala Subbagian", "Masa jabatan (tahun)": "4"}


def test_typed_attributes_reject_bad_values(client, project, researcher):
    tenure = make_attribute(project, name="Masa jabatan", type=Attribute.Type.INTEGER)
    client.force_login(researcher)
    response = client.post(
        reverse("interviews:case_create", args=[project.slug]),
        {"name": "Pak Agus", f"attr_{tenure.pk}": "empat"},
    )
    assert response.status_code == 200
    assert "Enter a whole number." in response.text
    assert not Case.objects.filter(name="Pak Agus").exists()


def test_editing_a_case_clears_an_emptied_value(client, project, researcher, case):
    unit = make_attribute(project, name="Unit")
    make_case_value(case, unit, "Kesra")
    client.force_login(researcher)
    client.post(
        reverse("interviews:case_edit", args=[project.slug, case.pk]),
        {"name": case.name, "description": "", f"attr_{unit.pk}": ""},
    )
    assert not CaseValue.objects.filter(case=case).exists()


def test_duplicate_case_names_are_refused(client, project, researcher, case):
    client.force_login(researcher)
    response = client.post(
        reverse("interviews:case_create", args=[project.slug]), {"name": case.name.upper()}
    )
    assert "A case with this name already exists." in response.text


def test_duplicate_attribute_is_reported(client, project, researcher):
    make_attribute(project, name="Unit")
    client.force_login(researcher)
    response = client.post(
        reverse("interviews:attribute_create", args=[project.slug]),
        {"name": "unit", "type": "text"},
        follow=True,
    )
    assert "This attribute already exists." in response.text
    assert project.attributes.count() == 1


def test_case_list_shows_attribute_columns(client, project, supervisor, case):
    unit = make_attribute(project, name="Unit kerja")
    make_case_value(case, unit, "Subbagian Bina Mental")
    make_source(project).cases.add(case)
    client.force_login(supervisor)
    response = client.get(reverse("interviews:case_list", args=[project.slug]))
    assert "Unit kerja" in response.text
    assert "Subbagian Bina Mental" in response.text
    assert response.context["rows"][0][0].source_count == 1


def test_case_list_queries_do_not_grow_with_cases(
    client, project, supervisor, django_assert_max_num_queries
):
    from ..conftest import make_case

    unit = make_attribute(project)
    cases = [make_case(project) for _ in range(15)]
    for number, case in enumerate(cases):
        make_case_value(case, unit, f"nilai-{number}")
    client.force_login(supervisor)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("interviews:case_list", args=[project.slug]))
    for number, case in enumerate(cases):
        assert case.name in response.text
        assert f"nilai-{number}" in response.text
