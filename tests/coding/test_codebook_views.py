from django.urls import reverse

from coding import services
from coding.models import Code, Coding

from ..conftest import make_source

HX = {"HX-Request": "true"}


def test_researcher_creates_a_code_under_a_theme(client, project, researcher):
    theme = services.create_code(project=project, name="Hambatan")
    client.force_login(researcher)
    response = client.post(
        reverse("coding:codebook", args=[project.slug]),
        {"name": "Komunikasi", "parent": theme.pk, "colour": "#d62728", "definition": "Info"},
    )
    assert response.status_code == 302
    code = Code.objects.get(name="Komunikasi")
    assert (code.parent, code.colour, code.definition) == (theme, "#d62728", "Info")


def test_a_bad_colour_is_refused(client, project, researcher):
    client.force_login(researcher)
    response = client.post(
        reverse("coding:codebook", args=[project.slug]), {"name": "X", "colour": "red"}
    )
    assert "Enter a colour as #RRGGBB" in response.text
    assert not Code.objects.exists()


def test_a_duplicate_sibling_name_is_refused_with_a_message(client, project, researcher):
    services.create_code(project=project, name="Forum")
    client.force_login(researcher)
    response = client.post(
        reverse("coding:codebook", args=[project.slug]), {"name": "forum", "colour": "#000000"}
    )
    assert "There is already a code “forum”" in response.text


def test_the_tree_lists_codes_in_order_with_counts(client, project, supervisor, researcher):
    theme = services.create_code(project=project, name="Upaya")
    code = services.create_code(project=project, name="Pelatihan", parent=theme)
    source = make_source(project)
    services.apply_code(
        source=source, start=0, end=5, passage=source.text[:5], code=code, coder=researcher
    )
    client.force_login(supervisor)
    response = client.get(reverse("coding:codebook", args=[project.slug]))
    assert [(c.name, depth, c.coding_count) for c, depth in response.context["rows"]] == [
        ("Upaya", 0, 0),
        ("Pelatihan", 1, 1),
    ]
    assert "Edit" not in response.text  # supervisors read the codebook


def test_admin_adds_the_default_codebook_once(client, project, admin):
    client.force_login(admin)
    url = reverse("coding:codebook_seed", args=[project.slug])
    client.post(url, {"language": "id"})
    assert Code.objects.filter(project=project).count() == 16
    assert Code.objects.filter(name="Geografis dan akses").exists()
    response = client.post(url, {"language": "id"}, follow=True)
    assert "only be added to an empty codebook" in response.text
    assert Code.objects.filter(project=project).count() == 16


def test_move_down_by_htmx_returns_the_tree(client, project, researcher):
    a = services.create_code(project=project, name="A")
    services.create_code(project=project, name="B")
    client.force_login(researcher)
    response = client.post(
        reverse("coding:code_move", args=[project.slug, a.pk]), {"direction": "down"}, headers=HX
    )
    assert response.text.lstrip().startswith('<div id="code-tree">')
    assert list(Code.objects.values_list("name", flat=True)) == ["B", "A"]


def test_move_in_and_out(client, project, researcher):
    a = services.create_code(project=project, name="A")
    b = services.create_code(project=project, name="B")
    client.force_login(researcher)
    url = reverse("coding:code_move", args=[project.slug, b.pk])
    client.post(url, {"direction": "in"})
    b.refresh_from_db()
    assert b.parent == a
    client.post(url, {"direction": "out"})
    b.refresh_from_db()
    assert b.parent is None


def test_edit_reparents_and_renames(client, project, researcher):
    theme = services.create_code(project=project, name="Hambatan")
    code = services.create_code(project=project, name="Komunkasi")
    client.force_login(researcher)
    client.post(
        reverse("coding:code_edit", args=[project.slug, code.pk]),
        {"name": "Komunikasi", "parent": theme.pk, "colour": "#111111"},
    )
    code.refresh_from_db()
    assert (code.name, code.parent) == ("Komunikasi", theme)


def test_a_code_cannot_be_placed_under_itself(client, project, researcher):
    code = services.create_code(project=project, name="Tema")
    client.force_login(researcher)
    response = client.post(
        reverse("coding:code_edit", args=[project.slug, code.pk]),
        {"name": "Tema", "parent": code.pk, "colour": "#111111"},
    )
    assert "Select a valid choice" in response.text


def test_delete_confirmation_counts_the_codings(client, project, researcher):
    code = services.create_code(project=project, name="Sarana")
    source = make_source(project)
    for end in (3, 4, 5):
        services.apply_code(
            source=source, start=0, end=end, passage=source.text[:end], code=code, coder=researcher
        )
    client.force_login(researcher)
    url = reverse("coding:code_delete", args=[project.slug, code.pk])
    assert "3 codings will be deleted with it." in client.get(url).text
    client.post(url)
    assert not Coding.objects.exists()


def test_merge_through_the_browser(client, project, researcher):
    old = services.create_code(project=project, name="Sinyal")
    new = services.create_code(project=project, name="Sarana")
    source = make_source(project)
    services.apply_code(
        source=source, start=0, end=4, passage=source.text[:4], code=old, coder=researcher
    )
    client.force_login(researcher)
    response = client.post(
        reverse("coding:code_merge", args=[project.slug, old.pk]), {"into": new.pk}, follow=True
    )
    assert "“Sinyal” merged into “Sarana”: 1 coding moved." in response.text
    assert Coding.objects.get().code == new


def test_code_detail_shows_definition_and_notes(client, project, supervisor):
    code = services.create_code(
        project=project, name="Forum", definition="Rapat rutin tidak ada.", exclusion="Rapat adat"
    )
    client.force_login(supervisor)
    response = client.get(reverse("coding:code_detail", args=[project.slug, code.pk]))
    assert "Rapat rutin tidak ada." in response.text
    assert "Rapat adat" in response.text
