import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from coding import services
from coding.models import Code, Coding, CodingEvent, Memo

from ..conftest import make_source, make_user

TEXT = "Koordinasi hanya situasional. Data penerima berbeda-beda. 😀 Jalan ke Sinak sulit."


@pytest.fixture
def text_source(project, researcher):
    return make_source(project, text=TEXT, created_by=researcher)


def span(phrase):
    start = TEXT.index(phrase)
    return {"start": start, "end": start + len(phrase), "passage": phrase}


def test_apply_code_stores_the_passage_and_records_history(project, researcher, text_source):
    code = services.create_code(project=project, name="Situasional")
    coding = services.apply_code(
        source=text_source, code=code, coder=researcher, **span("hanya situasional")
    )
    assert TEXT[coding.start : coding.end] == coding.passage == "hanya situasional"
    event = CodingEvent.objects.get()
    assert (event.action, event.coding_id, event.actor) == ("created", coding.pk, researcher)


def test_offsets_count_code_points_not_utf16_units(project, researcher, text_source):
    code = services.create_code(project=project, name="Geografis")
    coding = services.apply_code(
        source=text_source, code=code, coder=researcher, **span("😀 Jalan")
    )
    assert coding.start == TEXT.index("😀")
    assert coding.end - coding.start == 7


def test_a_stale_passage_is_refused(project, researcher, text_source):
    code = services.create_code(project=project, name="Data")
    with pytest.raises(ValidationError, match="does not match"):
        services.apply_code(
            source=text_source,
            code=code,
            coder=researcher,
            start=TEXT.index("Data"),
            end=TEXT.index("Data") + 4,
            passage="Dat4",
        )
    assert not Coding.objects.exists()


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (5, 5), (9, 3), (0, len(TEXT) + 1)])
def test_a_range_outside_the_text_is_refused(project, researcher, text_source, start, end):
    code = services.create_code(project=project, name="Data")
    with pytest.raises(ValidationError, match="outside the text"):
        services.apply_code(
            source=text_source, code=code, coder=researcher, start=start, end=end, passage="x"
        )


def test_applying_the_same_code_twice_keeps_one_coding(project, researcher, text_source):
    code = services.create_code(project=project, name="Data")
    first = services.apply_code(source=text_source, code=code, coder=researcher, **span("Data"))
    again = services.apply_code(source=text_source, code=code, coder=researcher, **span("Data"))
    assert first.pk == again.pk
    assert Coding.objects.count() == 1


def test_codes_of_another_project_cannot_be_applied(project, researcher, text_source):
    from ..conftest import make_project

    foreign = services.create_code(project=make_project(), name="Asing")
    with pytest.raises(ValidationError, match="another project"):
        services.apply_code(source=text_source, code=foreign, coder=researcher, **span("Data"))


def test_in_vivo_names_a_new_code_after_the_words(project, researcher, text_source):
    applied = services.apply_in_vivo(source=text_source, coder=researcher, **span("berbeda-beda"))
    (coding,) = applied.created
    assert coding.code.name == "berbeda-beda"
    assert applied.new_code == coding.code
    again = services.apply_in_vivo(source=text_source, coder=make_user(), **span("berbeda-beda"))
    assert again.created[0].code_id == coding.code_id
    assert again.new_code is None, "the second in-vivo coding reuses the code"


def test_change_coding_moves_boundaries_and_records_both_spans(project, researcher, text_source):
    code = services.create_code(project=project, name="Data")
    coding = services.apply_code(source=text_source, code=code, coder=researcher, **span("Data"))
    target = span("Data penerima")
    services.change_coding(
        coding=coding, actor=researcher, start=target["start"], end=target["end"]
    )
    coding.refresh_from_db()
    assert coding.passage == "Data penerima"
    event = CodingEvent.objects.filter(action="changed").get()
    assert (event.start, event.end) == (target["start"], target["end"])


def test_remove_coding_leaves_history(project, researcher, text_source):
    code = services.create_code(project=project, name="Data")
    coding = services.apply_code(source=text_source, code=code, coder=researcher, **span("Data"))
    services.remove_coding(coding=coding, actor=researcher)
    assert not Coding.objects.exists()
    assert list(CodingEvent.objects.values_list("action", flat=True)) == ["removed", "created"]


def test_sibling_names_are_unique_but_cousins_may_share(project):
    hambatan = services.create_code(project=project, name="Hambatan")
    upaya = services.create_code(project=project, name="Upaya")
    services.create_code(project=project, name="Komunikasi", parent=hambatan)
    services.create_code(project=project, name="Komunikasi", parent=upaya)
    with pytest.raises(ValidationError, match="already a code"):
        services.create_code(project=project, name="komunikasi", parent=hambatan)
    with pytest.raises(ValidationError, match="already a code"):
        services.create_code(project=project, name="HAMBATAN")


def test_move_code_reorders_and_reparents(project):
    a, _b, c = (services.create_code(project=project, name=n) for n in "ABC")
    services.move_code(code=c, parent=None, position=0)
    assert list(Code.objects.filter(parent=None).values_list("name", flat=True)) == ["C", "A", "B"]
    services.move_code(code=a, parent=c)
    assert Code.objects.get(name="A").parent == c


def test_a_code_cannot_move_under_its_own_descendant(project):
    parent = services.create_code(project=project, name="Tema")
    child = services.create_code(project=project, name="Kode", parent=parent)
    with pytest.raises(ValidationError, match="under itself"):
        services.move_code(code=parent, parent=child)


def test_merge_moves_codings_and_collapses_duplicates(project, researcher, text_source):
    old = services.create_code(project=project, name="Data lama")
    new = services.create_code(project=project, name="Data")
    child = services.create_code(project=project, name="Arsip", parent=old)
    services.apply_code(source=text_source, code=old, coder=researcher, **span("Data"))
    services.apply_code(source=text_source, code=new, coder=researcher, **span("Data"))
    services.apply_code(source=text_source, code=old, coder=researcher, **span("penerima"))
    Memo.objects.create(project=project, author=researcher, code=old, text="catatan")
    moved = services.merge_codes(source_code=old, into=new, actor=researcher)
    assert moved == 1
    assert sorted(new.codings.values_list("passage", flat=True)) == ["Data", "penerima"]
    assert not Code.objects.filter(pk=old.pk).exists()
    child.refresh_from_db()
    assert child.parent == new
    assert Memo.objects.get().code == new


def test_delete_code_takes_subcodes_and_codings_and_keeps_history(project, researcher, text_source):
    parent = services.create_code(project=project, name="Hambatan")
    child = services.create_code(project=project, name="Data", parent=parent)
    services.apply_code(source=text_source, code=child, coder=researcher, **span("Data"))
    assert services.delete_code(code=parent, actor=researcher) == 1
    assert not Code.objects.exists()
    event = CodingEvent.objects.get(action="removed")
    assert event.note == "code deleted"
    with translation.override("id"):  # a kind in the row, words in the reader's language
        assert event.note == "kode dihapus"


def test_default_codebook_has_three_themes_and_thirteen_codes(project):
    codes = services.seed_default_codebook(project=project, language="en")
    themes = Code.objects.filter(project=project, parent=None)
    assert list(themes.values_list("name", flat=True)) == [
        "How coordination runs",
        "Obstacles",
        "Improvements",
    ]
    assert Code.objects.filter(project=project, parent__isnull=False).count() == 13
    assert codes["geografis"].parent == codes["hambatan"]
    assert all(code.definition for code in Code.objects.all())


def test_merge_keeps_the_memos_of_collapsed_duplicates(project, researcher, text_source):
    old = services.create_code(project=project, name="Data lama")
    new = services.create_code(project=project, name="Data")
    duplicate = services.apply_code(source=text_source, code=old, coder=researcher, **span("Data"))
    keeper = services.apply_code(source=text_source, code=new, coder=researcher, **span("Data"))
    Memo.objects.create(project=project, author=researcher, coding=duplicate, text="penting")
    services.merge_codes(source_code=old, into=new, actor=researcher)
    assert Memo.objects.get().coding == keeper
    assert list(
        CodingEvent.objects.filter(action="removed").values_list("coding_id", flat=True)
    ) == [duplicate.pk]


def test_the_database_refuses_sibling_names_that_differ_only_in_case(project):
    from django.db import IntegrityError, transaction

    theme = services.create_code(project=project, name="Hambatan")
    Code.objects.create(project=project, parent=theme, name="SOP", order=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Code.objects.create(project=project, parent=theme, name="sop", order=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Code.objects.create(project=project, name="HAMBATAN", order=1)
    # Under another parent the same name is fine.
    Code.objects.create(project=project, name="sop", order=2)


def test_a_name_taken_by_a_concurrent_request_is_a_clear_message(project, monkeypatch):
    """The Python check passes (the other request has not committed yet); the database decides."""
    services.create_code(project=project, name="Komunikasi")
    monkeypatch.setattr(services.codes, "_check_name_free", lambda **kwargs: None)
    with pytest.raises(ValidationError, match="already a code “komunikasi”"):
        services.create_code(project=project, name="komunikasi")
    assert list(Code.objects.values_list("name", flat=True)) == ["Komunikasi"]


def test_applying_several_codes_is_all_or_none(project, researcher, text_source):
    from ..conftest import make_project

    mine = services.create_code(project=project, name="Situasional")
    foreign = services.create_code(project=make_project(), name="Lain")
    with pytest.raises(ValidationError):
        services.apply_codes(
            source=text_source, codes=[mine, foreign], coder=researcher, **span("hanya situasional")
        )
    assert not Coding.objects.exists()
    assert not CodingEvent.objects.exists()
    applied = services.apply_codes(
        source=text_source, codes=[mine], coder=researcher, **span("hanya situasional")
    )
    assert [c.code for c in applied.created] == [mine]
