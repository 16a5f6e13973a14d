"""The codebook answers quickly: a new code by htmx comes back as its row, the tree's
links are built once per page, and the queries do not grow with the codebook."""

import re

import pytest
from django.urls import reverse

from coding import services
from coding.models import Code

from ..conftest import make_source

HX = {"HX-Request": "true"}


def post_code(client, project, **data):
    values = {"name": "", "parent": "", "colour": "#336699", "definition": ""}
    url = reverse("coding:codebook", args=[project.slug])
    return client.post(url, values | data, headers=HX)


def test_a_new_code_by_htmx_comes_back_as_its_row_after_its_elder_sibling(
    client, project, researcher
):
    theme = services.create_code(project=project, name="Hambatan")
    first = services.create_code(project=project, name="Komunikasi", parent=theme)
    services.create_code(project=project, name="Upaya")
    client.force_login(researcher)
    response = post_code(client, project, name="Forum", parent=theme.pk)
    assert response.status_code == 200
    code = Code.objects.get(name="Forum")
    assert code.parent == theme
    html = response.text
    assert html.lstrip().startswith('<section class="card" id="new-code">')
    assert "Code “Forum” created." in html
    # The row goes in after the last row under its parent, with its own links and form.
    row = re.search(r'<div hx-swap-oob="afterend:#code-(\d+)">(.*?)</div>\s*$', html, re.S)
    assert row is not None and int(row.group(1)) == first.pk
    assert f'id="code-{code.pk}"' in row.group(2)
    assert reverse("coding:code_edit", args=[project.slug, code.pk]) in row.group(2)
    assert row.group(2).count('name="direction"') == 4
    # A fresh form, ready for the next code under the same theme, knows the new code.
    assert re.search(r'<input type="text" name="name"[^>]*autofocus', html)
    assert f'<option value="{theme.pk}" selected>Hambatan</option>' in html
    assert f'<option value="{code.pk}">Hambatan › Forum</option>' in html


def test_a_new_top_level_code_goes_after_the_last_row_of_the_tree(client, project, researcher):
    theme = services.create_code(project=project, name="Hambatan")
    last = services.create_code(project=project, name="Sarana", parent=theme)
    client.force_login(researcher)
    response = post_code(client, project, name="Upaya")
    assert f'hx-swap-oob="afterend:#code-{last.pk}"' in response.text


def test_a_code_made_by_htmx_leaves_no_message_for_the_next_page(client, project, researcher):
    services.create_code(project=project, name="Hambatan")
    client.force_login(researcher)
    post_code(client, project, name="Upaya")
    page = client.get(reverse("coding:codebook", args=[project.slug]))
    assert "Upaya" in page.text
    assert "created" not in page.text


def test_a_refused_code_by_htmx_shows_the_form_with_its_error(client, project, researcher):
    services.create_code(project=project, name="Forum")
    client.force_login(researcher)
    response = post_code(client, project, name="forum")
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<section class="card" id="new-code">')
    assert "There is already a code “forum”" in response.text
    assert 'value="forum"' in response.text
    assert Code.objects.count() == 1


def test_the_first_code_by_htmx_reloads_the_page(client, project, admin):
    client.force_login(admin)
    response = post_code(client, project, name="Hambatan")
    assert response.headers["HX-Refresh"] == "true"
    assert Code.objects.get().name == "Hambatan"


def test_a_supervisor_cannot_create_a_code_by_htmx(client, project, supervisor):
    services.create_code(project=project, name="Hambatan")
    client.force_login(supervisor)
    assert post_code(client, project, name="Upaya").status_code == 403
    assert Code.objects.count() == 1


def test_each_row_has_its_own_links_and_one_move_form(client, project, researcher):
    codes = [services.create_code(project=project, name=f"Kode {i}") for i in range(3)]
    client.force_login(researcher)
    html = client.get(reverse("coding:codebook", args=[project.slug])).text
    for code in codes:
        for name in ("code_detail", "code_move", "code_edit", "code_merge", "code_delete"):
            assert f'"{reverse(f"coding:{name}", args=[project.slug, code.pk])}"' in html
    assert html.count('name="direction"') == 4 * 3
    assert html.count('<form method="post" action="/p/kesra/codes/') == 3


def test_a_move_button_names_its_direction(client, project, researcher):
    a = services.create_code(project=project, name="A")
    services.create_code(project=project, name="B")
    client.force_login(researcher)
    html = client.get(reverse("coding:codebook", args=[project.slug])).text
    assert 'name="direction" value="down" class="icon" title="Move down"' in html
    client.post(reverse("coding:code_move", args=[project.slug, a.pk]), {"direction": "down"})
    assert list(Code.objects.values_list("name", flat=True)) == ["B", "A"]


@pytest.mark.parametrize("count", [2, 30])
def test_codebook_queries_do_not_grow_with_the_codebook(
    client, project, researcher, count, django_assert_max_num_queries
):
    theme = services.create_code(project=project, name="Tema")
    codes = [
        services.create_code(project=project, name=f"Kode {i}", parent=theme) for i in range(count)
    ]
    source = make_source(project)
    for code in codes:
        services.apply_code(
            source=source, start=0, end=5, passage=source.text[:5], code=code, coder=researcher
        )
    client.force_login(researcher)
    url = reverse("coding:codebook", args=[project.slug])
    with django_assert_max_num_queries(5):
        response = client.get(url)
    assert response.text.count('class="tree-row"') == count + 1
    with django_assert_max_num_queries(13):  # the codes read once, not three times
        created = post_code(client, project, name="Baru", parent=theme.pk)
    assert "Code “Baru” created." in created.text


def test_the_pages_of_one_code_read_no_tree(
    client, project, researcher, django_assert_max_num_queries
):
    code = services.create_code(project=project, name="Forum")
    client.force_login(researcher)
    for name, most in (("code_detail", 5), ("code_edit", 7), ("code_merge", 7), ("code_delete", 6)):
        with django_assert_max_num_queries(most):
            response = client.get(reverse(f"coding:{name}", args=[project.slug, code.pk]))
        assert response.status_code == 200
        assert 'class="tree-row"' not in response.text


@pytest.mark.parametrize(
    ("under", "after", "depth"), [("A", "A1a", 1), ("A1", "A1a", 2), ("B", "B", 1)]
)
def test_a_new_code_follows_everything_under_its_parent(
    client, project, researcher, under, after, depth
):
    a = services.create_code(project=project, name="A")
    a1 = services.create_code(project=project, name="A1", parent=a)
    services.create_code(project=project, name="A1a", parent=a1)
    services.create_code(project=project, name="B")
    client.force_login(researcher)
    parent = Code.objects.get(name=under)
    response = post_code(client, project, name="Baru", parent=parent.pk)
    previous = Code.objects.get(name=after)
    assert f'hx-swap-oob="afterend:#code-{previous.pk}"' in response.text
    assert f'style="--depth: {depth}" id="code-{Code.objects.get(name="Baru").pk}"' in response.text
