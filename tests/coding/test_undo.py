"""Undo and redo of whole batches: `coding.services.undo_batch`.

Every test reads the database afterwards: the codings, and the history rows the
undo itself wrote.
"""

import uuid

import pytest
from django.core.exceptions import ValidationError

from coding import services
from coding.models import Coding, CodingEvent, Conclusion, Evidence, Memo, ReviewNote
from coding.review.services import review_coding

from ..conftest import make_membership, make_source, make_user

TEXT = "Koordinasi hanya situasional. Data penerima berbeda-beda. Jalan ke Sinak sulit."
Action, Effect = CodingEvent.Action, CodingEvent.Effect


@pytest.fixture
def text_source(project, researcher):
    return make_source(project, text=TEXT, created_by=researcher)


@pytest.fixture
def code(project):
    return services.create_code(project=project, name="Situasional")


@pytest.fixture
def other_code(project):
    return services.create_code(project=project, name="Data")


def span(phrase):
    start = TEXT.index(phrase)
    return {"start": start, "end": start + len(phrase), "passage": phrase}


def apply(source, code, coder, phrase, batch=None):
    applied = services.apply_codes(
        source=source, codes=[code], coder=coder, batch=batch or uuid.uuid4(), **span(phrase)
    )
    return applied.created[0], applied.batch


def state():
    """Every coding as (id, code, coder, start, end, passage)."""
    return sorted(
        Coding.objects.values_list("pk", "code_id", "coder_id", "start", "end", "passage")
    )


def test_undo_of_an_apply_removes_the_coding_and_says_so_in_history(researcher, text_source, code):
    coding, batch = apply(text_source, code, researcher, "hanya situasional")

    undo = services.undo_batch(batch=batch, actor=researcher)

    assert not Coding.objects.exists()
    event = CodingEvent.objects.get(batch=undo)
    assert (event.action, event.effect, event.undoes) == (Action.UNDONE, Effect.REMOVED, batch)
    assert (event.coding_id, event.actor, event.code_name) == (coding.pk, researcher, code.name)
    assert (event.start, event.end) == (coding.start, coding.end)


def test_redo_is_the_undo_of_the_undo_and_brings_back_the_same_coding(
    researcher, text_source, code
):
    _coding, batch = apply(text_source, code, researcher, "hanya situasional")
    before = state()
    undo = services.undo_batch(batch=batch, actor=researcher)

    redo = services.undo_batch(batch=undo, actor=researcher)

    assert state() == before, "same id, code, coder and span"
    event = CodingEvent.objects.get(batch=redo)
    assert (event.action, event.effect, event.undoes) == (Action.REDONE, Effect.CREATED, undo)
    again = services.undo_batch(batch=redo, actor=researcher)
    assert CodingEvent.objects.get(batch=again).action == Action.UNDONE
    assert not Coding.objects.exists()
    history = list(CodingEvent.objects.order_by("id").values_list("action", flat=True))
    assert history == [Action.CREATED, Action.UNDONE, Action.REDONE, Action.UNDONE]


def test_undo_takes_every_coding_of_the_batch_even_across_sources(
    project, researcher, text_source, code, other_code
):
    """A batch is generic: several codes on one selection, or every hit of a search."""
    second_source = make_source(project, text=TEXT, created_by=researcher)
    batch = uuid.uuid4()
    services.apply_codes(
        source=text_source,
        codes=[code, other_code],
        coder=researcher,
        batch=batch,
        **span("Data penerima"),
    )
    apply(second_source, code, researcher, "Jalan ke Sinak", batch=batch)
    kept, _kept_batch = apply(text_source, code, researcher, "sulit")
    assert Coding.objects.count() == 4

    services.undo_batch(batch=batch, actor=researcher)

    assert list(Coding.objects.values_list("pk", flat=True)) == [kept.pk]
    assert CodingEvent.objects.filter(action=Action.UNDONE).count() == 3


def test_undo_of_a_removal_restores_the_coding_with_its_memos_review_and_evidence(
    project, researcher, supervisor, text_source, code
):
    coding, _batch = apply(text_source, code, researcher, "hanya situasional")
    memo = Memo.objects.create(project=project, author=researcher, coding=coding, text="Cek")
    review_coding(coding=coding, reviewer=supervisor, kind="approve", text="Tepat")
    conclusion = Conclusion.objects.create(project=project, statement="S", author=researcher)
    Evidence.objects.create(conclusion=conclusion, coding=coding, added_by=researcher)
    coding.refresh_from_db()
    memo.refresh_from_db()
    coding_id, created_at = coding.pk, coding.created_at
    before = state()
    removal = uuid.uuid4()
    services.remove_coding(coding=coding, actor=researcher, batch=removal)
    assert not Coding.objects.exists() and not Memo.objects.exists()

    services.undo_batch(batch=removal, actor=researcher)

    assert state() == before
    restored = Coding.objects.get()
    assert restored.review_status == Coding.Review.APPROVED
    # Times come back to the millisecond (the history keeps them as JSON).
    assert abs(restored.created_at - created_at).total_seconds() < 0.001
    back = Memo.objects.get()
    assert (back.pk, back.text, back.author, back.coding_id) == (
        memo.pk,
        "Cek",
        researcher,
        coding_id,
    )
    assert abs(back.updated_at - memo.updated_at).total_seconds() < 0.001
    assert list(ReviewNote.objects.values_list("kind", "text")) == [("approve", "Tepat")]
    assert Evidence.objects.get().conclusion == conclusion


def test_undo_of_a_change_puts_back_the_code_and_boundaries(
    researcher, text_source, code, other_code
):
    coding, _batch = apply(text_source, code, researcher, "hanya situasional")
    before = state()
    change = uuid.uuid4()
    target = span("Koordinasi hanya situasional")
    services.change_coding(
        coding=coding,
        actor=researcher,
        code=other_code,
        start=target["start"],
        end=target["end"],
        batch=change,
    )
    changed = state()
    assert changed != before

    undo = services.undo_batch(batch=change, actor=researcher)
    assert state() == before
    services.undo_batch(batch=undo, actor=researcher)
    assert state() == changed
    event = CodingEvent.objects.get(batch=undo)
    assert (event.start, event.end) == (target["start"], target["end"]), "both spans covered"


def test_undo_is_refused_when_someone_else_changed_the_coding_since(
    project, researcher, supervisor, text_source, code
):
    _coding, batch = apply(text_source, code, researcher, "hanya situasional")
    review_coding(coding=Coding.objects.get(), reviewer=supervisor, kind="reject")
    before = state()

    with pytest.raises(ValidationError, match=f"{supervisor.username} has changed this coding"):
        services.undo_batch(batch=batch, actor=researcher)

    assert state() == before
    assert not CodingEvent.objects.filter(action=Action.UNDONE).exists()


def test_an_undo_of_several_codings_is_all_or_none(
    project, researcher, text_source, code, other_code
):
    colleague = make_user()
    make_membership(project, colleague)
    batch = uuid.uuid4()
    services.apply_codes(
        source=text_source,
        codes=[code, other_code],
        coder=researcher,
        batch=batch,
        **span("Data penerima"),
    )
    second = Coding.objects.get(code=other_code)
    services.change_coding(coding=second, actor=colleague, start=0, end=10)
    before = state()

    with pytest.raises(ValidationError, match="has changed this coding since"):
        services.undo_batch(batch=batch, actor=researcher)
    assert state() == before, "the first coding of the batch was not removed either"


def test_an_action_is_undone_once(researcher, text_source, code):
    _coding, batch = apply(text_source, code, researcher, "hanya situasional")
    services.undo_batch(batch=batch, actor=researcher)
    with pytest.raises(ValidationError, match="already been undone"):
        services.undo_batch(batch=batch, actor=researcher)


def test_only_the_person_who_did_it_may_undo(admin, researcher, text_source, code):
    _coding, batch = apply(text_source, code, researcher, "hanya situasional")
    with pytest.raises(ValidationError, match="Only the person"):
        services.undo_batch(batch=batch, actor=admin)
    assert Coding.objects.count() == 1


def test_reviews_cannot_be_undone_here(researcher, supervisor, text_source, code):
    coding, _batch = apply(text_source, code, researcher, "hanya situasional")
    review_coding(coding=coding, reviewer=supervisor, kind="approve")
    batch = uuid.uuid4()
    CodingEvent.objects.filter(action=Action.REVIEWED).update(batch=batch)
    with pytest.raises(ValidationError, match="cannot be undone"):
        services.undo_batch(batch=batch, actor=supervisor)
    assert Coding.objects.get().review_status == Coding.Review.APPROVED


def test_undo_never_removes_what_someone_else_wrote_on_the_coding(
    project, researcher, supervisor, text_source, code
):
    coding, batch = apply(text_source, code, researcher, "hanya situasional")
    Memo.objects.create(project=project, author=supervisor, coding=coding, text="Kenapa?")
    with pytest.raises(ValidationError, match="Someone else has written on this coding"):
        services.undo_batch(batch=batch, actor=researcher)
    assert Coding.objects.filter(pk=coding.pk).exists()
    assert Memo.objects.count() == 1


def test_undo_of_a_removal_is_refused_when_its_code_was_deleted(researcher, text_source, code):
    coding, _batch = apply(text_source, code, researcher, "hanya situasional")
    removal = uuid.uuid4()
    services.remove_coding(coding=coding, actor=researcher, batch=removal)
    code.delete()
    with pytest.raises(ValidationError, match="code has been deleted"):
        services.undo_batch(batch=removal, actor=researcher)
    assert not Coding.objects.exists()


def test_undo_of_a_removal_is_refused_when_the_passage_was_coded_again(
    researcher, text_source, code
):
    coding, _batch = apply(text_source, code, researcher, "hanya situasional")
    removal = uuid.uuid4()
    services.remove_coding(coding=coding, actor=researcher, batch=removal)
    again, _again_batch = apply(text_source, code, researcher, "hanya situasional")
    with pytest.raises(ValidationError, match="coded with the same code again"):
        services.undo_batch(batch=removal, actor=researcher)
    assert list(Coding.objects.values_list("pk", flat=True)) == [again.pk]


def test_an_unknown_batch_has_nothing_to_undo(researcher):
    with pytest.raises(ValidationError, match="nothing to undo"):
        services.undo_batch(batch=uuid.uuid4(), actor=researcher)


def test_the_undo_takes_the_batch_it_is_given(researcher, text_source, code):
    _coding, batch = apply(text_source, code, researcher, "hanya situasional")
    chosen = uuid.uuid4()
    assert services.undo_batch(batch=batch, actor=researcher, as_batch=chosen) == chosen
    assert CodingEvent.objects.filter(batch=chosen, action=Action.UNDONE).count() == 1
