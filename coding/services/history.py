"""The history of the codings: one row per event, grouped by batch.

Every write records its events under a batch (a UUID): the events of one user
action. The coding page passes the browser's idempotency key as the batch, so that
an undo can name an action before the server has answered it.
"""

from ..models import Coding, CodingEvent, Evidence, Memo, ReviewNote


def record_event(
    coding: Coding,
    action: str,
    actor,
    *,
    detail: str = "",
    span=None,
    batch=None,
    effect: str | None = None,
    before: dict | None = None,
    undoes=None,
) -> CodingEvent:
    """Write one history row for `coding` (the polling stream reads these too).

    `batch` (a UUID) groups the events of one user action, for undo and redo.
    `effect` says what the event did to the coding (created, changed, removed);
    it defaults to the action for those three, and is blank for the events an undo
    cannot reverse (reviews, reconciliation). `before` holds what undoing needs.
    """
    start, end = span or (coding.start, coding.end)
    if effect is None:
        effect = action if action in CodingEvent.Effect.values else ""
    return CodingEvent.objects.create(
        batch=batch,
        project_id=coding.code.project_id,
        source_id=coding.source_id,
        coding_id=coding.pk,
        action=action,
        actor=actor,
        coder_id=coding.coder_id,
        code_name=coding.code.name,
        start=start,
        end=end,
        detail=detail[:300],
        effect=effect,
        before=before,
        undoes=undoes,
    )


def _snapshot(coding: Coding) -> dict:
    """Everything needed to re-create `coding` as it is: its row, memos, review and evidence.

    A coding read by `_locked_codings` says whether anything hangs on it, so that an
    undo of a plain apply reads nothing more.
    """

    def rows(model, *fields):
        if not getattr(coding, "attached", True):
            return []
        return list(model.objects.filter(coding=coding).values("id", *fields))

    return {
        "code": coding.code_id,
        "coder": coding.coder_id,
        "start": coding.start,
        "end": coding.end,
        "passage": coding.passage,
        "review_status": coding.review_status,
        "created_at": coding.created_at,
        "memos": rows(Memo, "project_id", "author_id", "title", "text", "created_at", "updated_at"),
        "notes": rows(ReviewNote, "author_id", "kind", "text", "created_at"),
        "evidence": rows(Evidence, "conclusion_id", "stance", "note", "added_by_id", "added_at"),
    }
