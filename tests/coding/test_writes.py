"""Writes from the coding page: idempotency keys, small answers, undo, memos in place,
and the reads that keep those answers cheap (checked against the ORM)."""

import uuid

import pytest
from django.urls import reverse

from coding import queries, services
from coding.models import Coding, CodingEvent, Memo, WriteReceipt

from ..conftest import make_membership, make_source, make_user

TEXT = (
    "Pewawancara: Bagaimana koordinasi berjalan?\n\n"
    "Ibu Maria: Rapat hanya kalau ada masalah. Data penerima berbeda-beda.\n\n"
    "Pewawancara: Lalu?\n\nIbu Maria: Jalan ke distrik sulit sekali."
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


def url(name, source, *extra):
    return reverse(f"coding:{name}", args=[source.project.slug, source.pk, *extra])


def keyed(key=None):
    return {**HX, "Idempotency-Key": str(key or uuid.uuid4())}


def test_the_same_key_twice_creates_one_coding_and_answers_the_same(
    client, researcher, text_source, code
):
    client.force_login(researcher)
    key = uuid.uuid4()
    data = {**span("Data penerima"), "codes": [code.pk]}

    first = client.post(url("coding_create", text_source), data, headers=keyed(key))
    second = client.post(url("coding_create", text_source), data, headers=keyed(key))

    assert Coding.objects.count() == 1
    assert CodingEvent.objects.count() == 1
    assert (second.status_code, second.content) == (first.status_code, first.content)
    assert first["Kesra-Write"] == second["Kesra-Write"] == "saved"
    assert second["Kesra-Replayed"] == "1"
    assert "Data penerima" in first.text
    assert WriteReceipt.objects.get().key == key


def test_the_key_names_the_batch_of_the_writes_events(client, researcher, text_source, code):
    client.force_login(researcher)
    key = uuid.uuid4()
    client.post(
        url("coding_create", text_source),
        {**span("Data"), "codes": [code.pk]},
        headers=keyed(key),
    )
    assert CodingEvent.objects.get().batch == key


def test_a_retried_refusal_is_refused_the_same_way(client, researcher, text_source, code):
    client.force_login(researcher)
    key = uuid.uuid4()
    data = {**span("Data"), "passage": "Dat4", "codes": [code.pk]}
    first = client.post(url("coding_create", text_source), data, headers=keyed(key))
    second = client.post(url("coding_create", text_source), data, headers=keyed(key))
    assert first.status_code == second.status_code == 422
    assert first["Kesra-Write"] == "refused"
    assert "does not match the source" in second.text
    assert not Coding.objects.exists()


def test_keys_are_per_user(client, project, researcher, text_source, code):
    colleague = make_user()
    make_membership(project, colleague)
    key = uuid.uuid4()
    for user, phrase in ((researcher, "Data"), (colleague, "Rapat")):
        client.force_login(user)
        client.post(
            url("coding_create", text_source),
            {**span(phrase), "codes": [code.pk]},
            headers=keyed(key),
        )
    assert sorted(Coding.objects.values_list("passage", flat=True)) == ["Data", "Rapat"]


def test_a_key_that_is_not_a_uuid_is_refused(client, researcher, text_source, code):
    client.force_login(researcher)
    response = client.post(
        url("coding_create", text_source),
        {**span("Data"), "codes": [code.pk]},
        headers=keyed("not-a-key"),
    )
    assert response.status_code == 400
    assert not Coding.objects.exists()


def test_a_forbidden_write_leaves_no_receipt_and_may_be_tried_again(
    client, supervisor, text_source, code
):
    client.force_login(supervisor)
    response = client.post(
        url("coding_create", text_source),
        {**span("Data"), "codes": [code.pk]},
        headers=keyed(),
    )
    assert response.status_code == 403
    assert not WriteReceipt.objects.exists()


def test_applying_answers_with_the_paragraph_and_its_count_row_only(
    client, project, researcher, text_source, code
):
    services.apply_code(source=text_source, code=code, coder=researcher, **span("Jalan"))
    client.force_login(researcher)

    response = client.post(
        url("coding_create", text_source),
        {**span("Data penerima"), "codes": [code.pk]},
        headers=keyed(),
    )

    paragraph = TEXT.index("Ibu Maria: Rapat")
    assert f'id="p{paragraph}"' in response.text
    assert response.text.count('class="para"') == 1
    assert f'<li id="count-{code.pk}" hx-swap-oob="true">' in response.text
    assert '<span class="count">2</span>' in response.text
    for whole in ('id="code-counts"', 'id="page-data"', 'id="picker-list"', "<style>"):
        assert whole not in response.text, f"{whole} is read once per page"
    assert len(response.content) < 4096


def test_the_first_coding_of_a_code_sends_the_whole_count_list(
    client, researcher, text_source, code
):
    client.force_login(researcher)
    response = client.post(
        url("coding_create", text_source),
        {**span("Data"), "codes": [code.pk]},
        headers=keyed(),
    )
    assert 'id="code-counts" class="panel" hx-swap-oob="true"' in response.text
    assert "Forum" in response.text


def test_applying_reads_little(
    client, project, researcher, text_source, code, django_assert_max_num_queries
):
    services.apply_code(source=text_source, code=code, coder=researcher, **span("Jalan"))
    client.force_login(researcher)
    # session, user, receipt, membership, source, codes, 2 inserts, counts, paragraph,
    # labels, receipt answer, and the savepoints around them
    with django_assert_max_num_queries(19):
        response = client.post(
            url("coding_create", text_source),
            {**span("Data"), "codes": [code.pk]},
            headers=keyed(),
        )
    assert response["Kesra-Write"] == "saved"


def test_reapplying_the_same_code_says_already_coded(client, researcher, text_source, code):
    services.apply_code(source=text_source, code=code, coder=researcher, **span("Data"))
    client.force_login(researcher)
    response = client.post(
        url("coding_create", text_source),
        {**span("Data"), "codes": [code.pk]},
        headers=keyed(),
    )
    assert response.status_code == 200
    assert response["Kesra-Write"] == "already"
    assert "Already coded with Forum." in response.text
    assert Coding.objects.count() == 1


def test_undo_and_redo_through_the_page(client, researcher, text_source, code):
    client.force_login(researcher)
    applied = uuid.uuid4()
    client.post(
        url("coding_create", text_source),
        {**span("Data penerima"), "codes": [code.pk]},
        headers=keyed(applied),
    )
    coding_id = Coding.objects.get().pk
    undo = uuid.uuid4()

    response = client.post(
        url("coding_undo", text_source), {"batch": str(applied)}, headers=keyed(undo)
    )

    assert response["Kesra-Write"] == "saved"
    assert not Coding.objects.exists()
    assert f'id="p{TEXT.index("Ibu Maria: Rapat")}"' in response.text
    assert "Data penerima berbeda-beda.</span>" in response.text, "the paragraph, uncoded"
    assert 'class="k' not in response.text
    assert CodingEvent.objects.get(batch=undo).undoes == applied

    redo = client.post(url("coding_undo", text_source), {"batch": str(undo)}, headers=keyed())
    assert redo["Kesra-Write"] == "saved"
    assert Coding.objects.get().pk == coding_id
    assert f'data-c="{coding_id}"' in redo.text


def test_an_undo_refused_says_why(client, project, researcher, supervisor, text_source, code):
    client.force_login(researcher)
    applied = uuid.uuid4()
    client.post(
        url("coding_create", text_source),
        {**span("Data"), "codes": [code.pk]},
        headers=keyed(applied),
    )
    from coding.review.services import review_coding

    review_coding(coding=Coding.objects.get(), reviewer=supervisor, kind="approve")
    response = client.post(
        url("coding_undo", text_source), {"batch": str(applied)}, headers=keyed()
    )
    assert response.status_code == 422
    assert response["Kesra-Write"] == "refused"
    assert "sam_supervisor has changed this coding since" in response.text
    assert Coding.objects.exists()


def test_removing_answers_with_the_paragraph_and_an_empty_panel(
    client, researcher, text_source, code
):
    coding = services.apply_code(source=text_source, code=code, coder=researcher, **span("Data"))
    client.force_login(researcher)
    key = uuid.uuid4()
    response = client.post(
        url("coding_edit", text_source, coding.pk), {"action": "remove"}, headers=keyed(key)
    )
    assert not Coding.objects.exists()
    assert "This coding is gone." in response.text
    assert 'id="code-counts"' in response.text, "the code left the list"
    assert CodingEvent.objects.get(action="removed").batch == key


def test_a_memo_is_written_in_the_details_and_counted_on_the_passage(
    client, project, researcher, supervisor, text_source, code
):
    coding = services.apply_code(source=text_source, code=code, coder=researcher, **span("Data"))
    client.force_login(supervisor)

    response = client.post(
        url("coding_memo", text_source, coding.pk), {"text": "Perlu dicek"}, headers=keyed()
    )

    memo = Memo.objects.get()
    assert (memo.author, memo.coding, memo.project) == (supervisor, coding, project)
    assert 'id="coding-panel"' in response.text
    assert "Perlu dicek" in response.text
    assert f"&quot;{coding.pk}&quot;:[{code.pk},{researcher.pk},1]" in response.text


def test_a_memo_is_edited_in_place_by_its_author_only(
    client, project, researcher, supervisor, text_source, code
):
    coding = services.apply_code(source=text_source, code=code, coder=researcher, **span("Data"))
    memo = Memo.objects.create(
        project=project, author=researcher, coding=coding, title="Judul", text="Lama"
    )
    client.force_login(supervisor)
    refused = client.post(
        url("coding_memo", text_source, coding.pk),
        {"memo": memo.pk, "text": "Diubah"},
        headers=keyed(),
    )
    assert refused.status_code == 403
    client.force_login(researcher)
    client.post(
        url("coding_memo", text_source, coding.pk),
        {"memo": memo.pk, "text": "Baru"},
        headers=keyed(),
    )
    memo.refresh_from_db()
    assert (memo.text, memo.title) == ("Baru", "Judul"), "the title stays"


def test_an_empty_memo_is_refused(client, researcher, text_source, code):
    coding = services.apply_code(source=text_source, code=code, coder=researcher, **span("Data"))
    client.force_login(researcher)
    response = client.post(
        url("coding_memo", text_source, coding.pk), {"text": "  "}, headers=keyed()
    )
    assert response.status_code == 422
    assert not Memo.objects.exists()


def test_polling_moves_past_the_pages_own_writes_without_sending_them_again(
    client, project, researcher, text_source, code
):
    client.force_login(researcher)
    since = client.get(url("source_code", text_source)).context["since"]
    mine = uuid.uuid4()
    client.post(
        url("coding_create", text_source),
        {**span("Data"), "codes": [code.pk]},
        headers=keyed(mine),
    )
    events = url("source_events", text_source)
    last = CodingEvent.objects.latest("id").pk

    response = client.get(f"{events}?since={since}&mine={mine}", headers=HX)
    assert f"since={last}" in response.text
    assert 'class="para"' not in response.text

    colleague = make_user()
    make_membership(project, colleague)
    services.apply_code(source=text_source, code=code, coder=colleague, **span("Jalan"))
    response = client.get(f"{events}?since={since}&mine={mine},nonsense", headers=HX)
    assert f'id="p{TEXT.index("Ibu Maria: Jalan")}"' in response.text
    assert f'id="p{TEXT.index("Ibu Maria: Rapat")}"' not in response.text


def test_old_receipts_are_pruned(client, researcher, text_source, code):
    from datetime import timedelta

    from django.utils import timezone

    old = WriteReceipt.objects.create(
        user=researcher, key=uuid.uuid4(), status=200, outcome="saved", body=""
    )
    WriteReceipt.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    # The prune runs on every hundredth receipt.
    recent = 99 - WriteReceipt.objects.latest("id").pk % 100
    WriteReceipt.objects.bulk_create(
        WriteReceipt(user=researcher, key=uuid.uuid4(), status=200, outcome="saved", body="")
        for _ in range(recent)
    )
    client.force_login(researcher)
    client.post(
        url("coding_create", text_source), {**span("Data"), "codes": [code.pk]}, headers=keyed()
    )
    assert WriteReceipt.objects.latest("id").pk % 100 == 0
    assert not WriteReceipt.objects.filter(pk=old.pk).exists()
    assert WriteReceipt.objects.count() == recent + 1, "the week's receipts stay"


# The plain-SQL reads against the ORM's answers


def test_spans_around_reads_what_the_orm_reads(project, researcher, text_source, code):
    other = services.create_code(project=project, name="Data")
    colleague = make_user()
    make_membership(project, colleague)
    services.apply_code(source=text_source, code=code, coder=researcher, **span("Rapat hanya"))
    services.apply_code(source=text_source, code=other, coder=colleague, **span("hanya kalau"))
    coding = services.apply_code(source=text_source, code=other, coder=researcher, **span("Data"))
    Memo.objects.create(project=project, author=researcher, coding=coding, text="m")
    Coding.objects.filter(pk=coding.pk).update(review_status="approved")
    services.apply_code(source=text_source, code=code, coder=researcher, **span("Jalan"))
    low, high = TEXT.index("Ibu Maria: Rapat"), TEXT.index("berbeda-beda.") + 13
    for coder_ids in (None, [researcher.pk], [colleague.pk]):
        codings = queries.visible_codings(text_source, coder_ids=coder_ids).filter(
            start__lte=high, end__gte=low
        )
        spans, info = queries.spans_around(text_source.pk, low, high, coder_ids=coder_ids)
        expected_spans, expected_info = queries.spans_and_info(codings)
        assert sorted(spans, key=lambda s: s.id) == sorted(expected_spans, key=lambda s: s.id)
        assert info == expected_info
        assert info, "the case is not empty"


def test_counts_of_reads_what_the_orm_reads(project, researcher, text_source, code):
    other = services.create_code(project=project, name="Data")
    services.apply_code(source=text_source, code=code, coder=researcher, **span("Rapat"))
    services.apply_code(source=text_source, code=code, coder=researcher, **span("Jalan"))
    services.apply_code(source=text_source, code=other, coder=researcher, **span("Data"))
    expected = {row["code_id"]: row["n"] for row in queries.code_counts(text_source)}
    assert (
        queries.counts_of(text_source.pk, [code.pk, other.pk])
        == expected
        == {
            code.pk: 2,
            other.pk: 1,
        }
    )
    assert queries.counts_of(text_source.pk, [code.pk], coder_ids=[0]) == {}


def test_code_labels_order_and_name_codes_as_the_codebook_does(project):
    hambatan = services.create_code(project=project, name="Hambatan")
    upaya = services.create_code(project=project, name="Upaya")
    data = services.create_code(project=project, name="data", parent=hambatan)
    akses = services.create_code(project=project, name="Akses", parent=hambatan)
    deep = services.create_code(project=project, name="Sinyal", parent=akses)
    services.move_code(code=upaya, parent=None, position=0)
    codebook = queries.Codebook(project)
    ids = [data.pk, upaya.pk, deep.pk, hambatan.pk, akses.pk]

    labels = queries.code_labels(project, ids)

    assert labels.paths == {pk: codebook.paths[pk] for pk in ids}
    assert labels.paths[deep.pk] == "Hambatan › Akses › Sinyal"
    assert sorted(ids, key=labels.order.get) == sorted(ids, key=codebook.order.get)


def test_code_labels_of_a_deep_tree_fall_back_to_the_codebook(project):
    parent = None
    for level in range(queries.LABEL_DEPTH + 1):
        parent = services.create_code(project=project, name=f"Level {level}", parent=parent)
    labels = queries.code_labels(project, [parent.pk])
    assert labels.paths[parent.pk] == " › ".join(
        f"Level {n}" for n in range(queries.LABEL_DEPTH + 1)
    )


def test_undoing_reads_little(
    client, project, researcher, text_source, code, django_assert_max_num_queries
):
    services.apply_code(source=text_source, code=code, coder=researcher, **span("Jalan"))
    client.force_login(researcher)
    applied = uuid.uuid4()
    client.post(
        url("coding_create", text_source),
        {**span("Data"), "codes": [code.pk]},
        headers=keyed(applied),
    )
    # Nothing hangs on the coding: its memos, review and evidence are not read one by one.
    # (Two of these lock the codes before the codings, as every writer does.)
    with django_assert_max_num_queries(26):
        response = client.post(
            url("coding_undo", text_source), {"batch": str(applied)}, headers=keyed()
        )
    assert response["Kesra-Write"] == "saved"
    assert not Coding.objects.filter(passage="Data").exists()
