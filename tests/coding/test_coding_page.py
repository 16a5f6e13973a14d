import pytest
from django.urls import reverse

from coding import services
from coding.models import Coding, CodingEvent

from ..conftest import make_membership, make_source, make_user

TEXT = (
    "Pewawancara: Bagaimana koordinasi berjalan?\n\n"
    "Ibu Maria: Rapat hanya kalau ada masalah. Data penerima berbeda-beda.\n\n"
    "Pewawancara: Lalu?\n\nIbu Maria: Jalan ke distrik sulit <b>sekali</b>."
)
HX = {"HX-Request": "true"}


@pytest.fixture
def text_source(project, researcher):
    return make_source(project, text=TEXT, created_by=researcher)


@pytest.fixture
def code(project):
    return services.create_code(project=project, name="Forum", colour="#8c564b")


def span(phrase):
    start = TEXT.index(phrase)
    return {"start": start, "end": start + len(phrase), "passage": phrase}


def page_url(source):
    return reverse("coding:source_code", args=[source.project.slug, source.pk])


def create_url(source):
    return reverse("coding:coding_create", args=[source.project.slug, source.pk])


def test_the_page_shows_codings_as_styled_runs(client, researcher, text_source, code):
    coding = services.apply_code(
        source=text_source, code=code, coder=researcher, **span("Rapat hanya")
    )
    client.force_login(researcher)
    response = client.get(page_url(text_source))
    start = TEXT.index("Rapat")
    assert (
        f'<span data-o="{start}" class="k a{code.pk}" data-c="{coding.pk}">Rapat hanya</span>'
    ) in response.text
    assert f".a{code.pk}{{--a:inset 0 -3px #8c564b" in response.text
    assert f'<i class="m{code.pk}"></i>' in response.text
    assert f'data-k="{{&quot;{coding.pk}&quot;:[{code.pk},{researcher.pk}]}}"' in response.text


def test_overlapping_codes_take_stacked_slots(client, project, researcher, text_source, code):
    other = services.create_code(project=project, name="Data")
    services.apply_code(source=text_source, code=code, coder=researcher, **span("Rapat hanya"))
    services.apply_code(source=text_source, code=other, coder=researcher, **span("hanya kalau"))
    client.force_login(researcher)
    response = client.get(page_url(text_source))
    assert f'class="k a{code.pk} b{other.pk}"' in response.text
    assert f'class="k a{other.pk}"' in response.text


def test_source_text_is_escaped_on_the_coding_page(client, researcher, text_source):
    client.force_login(researcher)
    response = client.get(page_url(text_source))
    assert "<b>sekali</b>" not in response.text
    assert "&lt;b&gt;sekali&lt;/b&gt;" in response.text


@pytest.mark.parametrize("count", [1, 40])
def test_page_queries_do_not_grow_with_codings(
    client, project, researcher, text_source, code, count, django_assert_num_queries
):
    for i in range(count):
        coder = researcher if i % 2 else make_user()
        if coder != researcher:
            make_membership(project, coder)
        start = i % (len(TEXT) - 5)
        services.apply_code(
            source=text_source,
            code=code,
            coder=coder,
            start=start,
            end=start + 5,
            passage=TEXT[start : start + 5],
        )
    client.force_login(researcher)
    # Session, user, membership, source, codebook, the codings, counts, recent codes,
    # the members' names and the source's coders (one query), last event, cases.
    with django_assert_num_queries(11):
        response = client.get(page_url(text_source))
    assert response.status_code == 200


def test_applying_by_htmx_swaps_only_the_touched_paragraph(client, researcher, text_source, code):
    client.force_login(researcher)
    response = client.post(
        create_url(text_source), {**span("Data penerima"), "codes": [code.pk]}, headers=HX
    )
    coding = Coding.objects.get()
    assert (coding.passage, coding.coder) == ("Data penerima", researcher)
    paragraph = TEXT.index("Ibu Maria: Rapat")
    assert f'id="p{paragraph}"' in response.text
    assert response.text.count('class="para"') == 1
    assert 'hx-swap-oob="true"' in response.text
    assert 'id="code-counts"' in response.text


def test_several_codes_in_one_post(client, project, researcher, text_source, code):
    other = services.create_code(project=project, name="Data")
    client.force_login(researcher)
    client.post(create_url(text_source), {**span("Data"), "codes": [code.pk, other.pk]}, headers=HX)
    assert sorted(Coding.objects.values_list("code__name", flat=True)) == ["Data", "Forum"]


def test_a_stale_selection_is_refused_with_a_message(client, researcher, text_source, code):
    client.force_login(researcher)
    response = client.post(
        create_url(text_source),
        {**span("Data penerima"), "passage": "Data penerimaan", "codes": [code.pk]},
        headers=HX,
    )
    assert response.status_code == 422
    assert "does not match the source" in response.text
    assert not Coding.objects.exists()


def test_without_a_code_the_post_asks_for_one(client, researcher, text_source):
    client.force_login(researcher)
    response = client.post(create_url(text_source), span("Data"), headers=HX)
    assert response.status_code == 422
    assert "Choose a code to apply." in response.text


def test_plain_post_redirects_back(client, researcher, text_source, code):
    client.force_login(researcher)
    response = client.post(create_url(text_source), {**span("Data"), "codes": [code.pk]})
    assert response.status_code == 302
    assert response.url == page_url(text_source)


def test_in_vivo_creates_and_applies_and_refreshes_the_picker(client, researcher, text_source):
    client.force_login(researcher)
    response = client.post(
        create_url(text_source), {**span("berbeda-beda"), "in_vivo": "on"}, headers=HX
    )
    assert Coding.objects.get().code.name == "berbeda-beda"
    assert 'id="picker-list"' in response.text


def edit_url(coding):
    return reverse(
        "coding:coding_edit", args=[coding.source.project.slug, coding.source_id, coding.pk]
    )


def test_word_steps_adjust_boundaries(client, researcher, text_source, code):
    coding = services.apply_code(source=text_source, code=code, coder=researcher, **span("Data"))
    client.force_login(researcher)
    client.post(edit_url(coding), {"action": "adjust", "edge": "end", "step": "1"}, headers=HX)
    coding.refresh_from_db()
    assert coding.passage == "Data penerima"
    client.post(edit_url(coding), {"action": "adjust", "edge": "start", "step": "-1"}, headers=HX)
    coding.refresh_from_db()
    assert coding.passage == "masalah. Data penerima"
    response = client.post(
        edit_url(coding), {"action": "adjust", "edge": "end", "step": "-1"}, headers=HX
    )
    coding.refresh_from_db()
    assert coding.passage == "masalah. Data"
    assert 'id="coding-panel"' in response.text


def test_shrinking_below_one_word_is_refused(client, researcher, text_source, code):
    coding = services.apply_code(source=text_source, code=code, coder=researcher, **span("Data"))
    client.force_login(researcher)
    response = client.post(
        edit_url(coding), {"action": "adjust", "edge": "end", "step": "-1"}, headers=HX
    )
    assert response.status_code == 422
    coding.refresh_from_db()
    assert coding.passage == "Data"


def test_recode_and_remove(client, project, researcher, text_source, code):
    other = services.create_code(project=project, name="Data")
    coding = services.apply_code(source=text_source, code=code, coder=researcher, **span("Data"))
    client.force_login(researcher)
    client.post(edit_url(coding), {"action": "code", "code": other.pk}, headers=HX)
    assert Coding.objects.get().code == other
    client.post(edit_url(coding), {"action": "remove"}, headers=HX)
    assert not Coding.objects.exists()


def test_researchers_cannot_change_each_others_codings(
    client, project, researcher, text_source, code
):
    colleague = make_user()
    make_membership(project, colleague)
    coding = services.apply_code(source=text_source, code=code, coder=colleague, **span("Data"))
    client.force_login(researcher)
    response = client.post(edit_url(coding), {"action": "remove"}, headers=HX)
    assert response.status_code == 403
    assert Coding.objects.filter(pk=coding.pk).exists()


def test_admins_may_change_anyones_coding(client, admin, researcher, text_source, code):
    coding = services.apply_code(source=text_source, code=code, coder=researcher, **span("Data"))
    client.force_login(admin)
    client.post(edit_url(coding), {"action": "remove"}, headers=HX)
    assert not Coding.objects.exists()


def events_url(source, since, show="all"):
    url = reverse("coding:source_events", args=[source.project.slug, source.pk])
    return f"{url}?since={since}&show={show}"


def test_polling_answers_204_when_nothing_changed(client, researcher, text_source, code):
    services.apply_code(source=text_source, code=code, coder=researcher, **span("Data"))
    last = CodingEvent.objects.latest("id").pk
    client.force_login(researcher)
    assert client.get(events_url(text_source, last), headers=HX).status_code == 204


def test_polling_brings_a_colleagues_coding(client, project, researcher, text_source, code):
    colleague = make_user()
    make_membership(project, colleague)
    client.force_login(researcher)
    page = client.get(page_url(text_source))
    since = page.context["since"]
    services.apply_code(source=text_source, code=code, coder=colleague, **span("Jalan"))
    response = client.get(events_url(text_source, since), headers=HX)
    assert response.status_code == 200
    assert f'id="p{TEXT.index("Ibu Maria: Jalan")}"' in response.text
    assert "Jalan" in response.text
    assert f"since={CodingEvent.objects.latest('id').pk}" in response.text


def test_my_codings_only(client, project, researcher, text_source, code):
    colleague = make_user("sri")
    make_membership(project, colleague)
    theirs = services.apply_code(source=text_source, code=code, coder=colleague, **span("Jalan"))
    mine = services.apply_code(source=text_source, code=code, coder=researcher, **span("Data"))
    client.force_login(researcher)
    response = client.get(page_url(text_source) + "?show=mine")
    assert list(response.context["info"]) == [mine.pk]
    response = client.get(page_url(text_source) + f"?show={colleague.pk}")
    assert list(response.context["info"]) == [theirs.pk]
    response = client.get(page_url(text_source) + "?show=all")
    assert sorted(response.context["info"]) == sorted([mine.pk, theirs.pk])


def test_the_panel_shows_code_coder_and_memo(
    client, project, researcher, supervisor, text_source, code
):
    from coding.models import Memo

    coding = services.apply_code(source=text_source, code=code, coder=researcher, **span("Data"))
    Memo.objects.create(project=project, author=researcher, coding=coding, text="Perlu dicek")
    client.force_login(supervisor)
    url = reverse("coding:coding_panel", args=[project.slug, text_source.pk])
    response = client.get(f"{url}?ids={coding.pk}", headers=HX)
    assert "Forum" in response.text
    assert researcher.username in response.text
    assert "Perlu dicek" in response.text
    assert "Remove this coding" not in response.text  # supervisors do not change coding


def test_history_lists_who_did_what(client, researcher, text_source, code):
    coding = services.apply_code(source=text_source, code=code, coder=researcher, **span("Data"))
    services.remove_coding(coding=coding, actor=researcher)
    client.force_login(researcher)
    response = client.get(
        reverse("coding:source_history", args=[text_source.project.slug, text_source.pk])
    )
    assert [event.action for event in response.context["page"]] == ["removed", "created"]
