"""The coding page: read a source, select passages, apply codes; kept current by polling.

Every write from the page (apply, change, remove, undo, a memo on a coding) comes
from the page's write queue with an idempotency key, a UUID made by the browser,
which is also the batch of the write's events (so an undo can name a write the
server has not answered yet). Its answer carries only what changed: the touched
paragraphs and count rows, and the outcome in the `Kesra-Write` header.
"""

import uuid
from datetime import timedelta
from functools import partial, wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from interviews.access import can_code, get_membership
from interviews.models import Source
from interviews.windows import window_at

from .. import queries, services
from ..forms import CodingChangeForm, CodingCreateForm, CodingMemoForm
from ..models import Coding, CodingEvent, Conclusion, Memo, ReviewNote, WriteReceipt
from ..rendering import coded_paragraphs, codes_in

TEMPLATE = "coding/source_code.html"
OUTCOME = "Kesra-Write"  # response header: saved, already or refused
RECEIPT_DAYS = 7


def _get_source(membership, source_id) -> Source:
    source = queries.source_of(membership.project.pk, source_id)
    if source is None:
        raise Http404
    return source


def _shown_coders(request, membership) -> tuple[str, list[int] | None]:
    """Whose codings the page shows: 'all', 'mine' or one coder's id.

    With blind coding on, researchers see only their own codings.
    """
    if membership.sees_only_own_work:
        return "mine", membership.visible_coder_ids()
    show = request.GET.get("show") or request.POST.get("show") or "all"
    if show == "mine":
        return show, [request.user.pk]
    if show.isdigit():
        return show, [int(show)]
    return "all", None


# Idempotent writes


def _replay(receipt: WriteReceipt) -> HttpResponse:
    response = HttpResponse(receipt.body, status=receipt.status)
    response[OUTCOME] = receipt.outcome
    response["Kesra-Replayed"] = "1"
    return response


def _prune_receipts(receipt: WriteReceipt) -> None:
    """Now and then (one write in a hundred) drop receipts older than a week."""
    if receipt.pk % 100 == 0:
        cutoff = timezone.now() - timedelta(days=RECEIPT_DAYS)
        WriteReceipt.objects.filter(created_at__lt=cutoff).delete()


def idempotent(view):
    """Apply a write once per `Idempotency-Key`; a retry gets the first answer again.

    The key (header or `idempotency_key` field) is a UUID; it becomes the batch of
    the write's events (`request.write_batch`). The write and its receipt commit
    together, so two copies of one write racing each other apply it once.
    Only answers that carry an outcome (saved, already, refused) are kept: a
    write that failed otherwise (an error, 403, 404) may be tried again.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        raw = request.headers.get("Idempotency-Key") or request.POST.get("idempotency_key")
        if not raw:
            request.write_batch = uuid.uuid4()
            return view(request, *args, **kwargs)
        try:
            key = uuid.UUID(raw)
        except ValueError:
            return HttpResponseBadRequest(_("The write's key could not be read."))
        request.write_batch = key
        try:
            with transaction.atomic():
                # Claim the key first: a second copy of the write waits here for the
                # first to commit, then finds its receipt.
                receipt = WriteReceipt.objects.create(
                    user=request.user, key=key, status=0, outcome="", body=""
                )
                response = view(request, *args, **kwargs)
                if not response.has_header(OUTCOME):
                    receipt.delete()
                    return response
                WriteReceipt.objects.filter(pk=receipt.pk).update(
                    status=response.status_code,
                    outcome=response[OUTCOME],
                    body=response.content.decode(),
                )
        except IntegrityError:
            found = WriteReceipt.objects.filter(user=request.user, key=key).first()
            if found is None:
                raise
            return _replay(found)
        _prune_receipts(receipt)
        return response

    return wrapper


# The page


def _count_rows(counts: dict[int, int], labels) -> list[dict]:
    rows = [
        {"code_id": code, "n": n, "path": labels.paths.get(code, "")}
        for code, n in counts.items()
        if n
    ]
    return sorted(rows, key=lambda row: labels.order.get(row["code_id"], 0))


def _coder_names(membership) -> dict[int, str]:
    """Usernames of the coders whose work the page may show, for tooltips (ids are in it)."""
    members = membership.project.memberships.all()
    coder_ids = membership.visible_coder_ids()
    if coder_ids is not None:
        members = members.filter(user_id__in=coder_ids)
    return dict(members.values_list("user_id", "user__username"))


def _last_event(source) -> int:
    return queries.last_event_id(source.pk)


def _page_strings() -> dict[str, str]:
    """What the page's script says, translated here (it has no catalogue of its own)."""
    return {
        "saved": _("Saved"),
        "saving": _("Saving…"),
        "waiting": _("%(n)s waiting"),
        "offline": _("%(n)s waiting (offline)"),
        "retrying": _("%(n)s waiting: no answer from the server, trying again in %(s)s s"),
        "signedOut": _(
            "%(n)s waiting: you are signed out. Sign in again in another tab; "
            "your changes are kept in this browser."
        ),
        "refused": _("Not saved: %(reason)s"),
        "forbidden": _("you may not make this change."),
        "gone": _("it no longer exists (someone removed it)."),
        "unreadable": _("the server could not read it."),
        "dismiss": _("Dismiss"),
        "undone": _("Undone: %(what)s"),
        "redone": _("Redone: %(what)s"),
        "nothingToUndo": _("Nothing to undo."),
        "nothingToRedo": _("Nothing to redo."),
        "apply": _("coding “%(passage)s” with %(code)s"),
        "inVivo": _("coding “%(passage)s” in vivo"),
        "change": _("changing the coding of “%(passage)s”"),
        "remove": _("removing the coding of “%(passage)s”"),
        "memo": _("a memo on “%(passage)s”"),
        "undo": _("undo"),
        "redo": _("redo"),
        "noSelection": _("Select the new passage first."),
    }


@login_required
@require_GET
def source_code(request, slug, source_id):
    membership = get_membership(request, slug)
    project = membership.project
    source = _get_source(membership, source_id)
    show, coder_ids = _shown_coders(request, membership)
    codebook = queries.Codebook(project)
    # A long source opens one window of paragraphs (the one holding ?at=); the page
    # asks for the next as the reader scrolls: the work is the window's, not the text's.
    value = request.GET.get("at", "")
    window = window_at(source.text, int(value) if value.isdecimal() and len(value) < 12 else 0)
    if window.is_whole:
        spans, info = queries.spans_and_info(queries.visible_codings(source, coder_ids=coder_ids))
        paragraphs = coded_paragraphs(source.text, spans, codebook.order)
    else:
        # The window's own lines: its end is the next window's first line start.
        bounds = (window.start, max(window.start, window.end - 1))
        spans, info = queries.spans_around(source.pk, *bounds, coder_ids=coder_ids)
        paragraphs = coded_paragraphs(source.text, spans, codebook.order, within=bounds)
    if request.htmx and "window" in request.GET:
        context = {"paragraphs": paragraphs, "info": info, "order": codebook.order}
        context.update(window=window, project=project, source=source, show=show)
        return render(request, TEMPLATE + "#window", context)
    counts = {row["code_id"]: row["n"] for row in queries.code_counts(source, coder_ids=coder_ids)}
    recent = queries.recent_code_ids(project, request.user, code_ids=codebook.names)
    names, coders = queries.page_coders(project.pk, source.pk, membership.visible_coder_ids())
    context = {
        "membership": membership,
        "project": project,
        "source": source,
        "paragraphs": paragraphs,
        "window": window,
        "info": info,
        "order": codebook.order,
        "codebook": codebook,
        "coder_names": names,
        "picker": _picker(codebook, recent),
        "recent": recent,
        "counts": _count_rows(counts, codebook),
        "show": show,
        "coders": coders,
        "since": _last_event(source),
        "cases": source.cases.all(),
        "strings": _page_strings(),
    }
    return render(request, TEMPLATE, context)


# Answers to writes and polls


def _touched_paragraphs(source, edits, coder_ids, label_codes, labels_for):
    """The paragraphs that `edits` (spans) touch, cut into runs, with their facts.

    `labels_for(code ids)` gives paths and order for the codes shown there and for
    `label_codes` (the count rows) at once.
    """
    if not edits:
        return [], {}, labels_for(label_codes)
    text = source.text
    low = min(start for start, _end in edits)
    high = max(end for _start, end in edits)
    # Widen to whole lines: a re-rendered paragraph needs all of its codings.
    low = text.rfind("\n", 0, low) + 1
    high = text.find("\n", high)
    high = len(text) if high == -1 else high
    spans, info = queries.spans_around(source.pk, low, high, coder_ids=coder_ids)
    labels = labels_for({span.code_id for span in spans} | set(label_codes))
    candidates = coded_paragraphs(text, spans, labels.order, within=(low, high))
    paragraphs = [
        p for p in candidates if any(p.start <= end and start <= p.end for start, end in edits)
    ]
    return paragraphs, info, labels


def _answer(
    request,
    membership,
    source,
    edits,
    *,
    codes=(),
    fresh=None,
    outcome="saved",
    message="",
    panel_ids=None,
    new_code=None,
):
    """The answer to a write: touched paragraphs and count rows, out of band.

    `codes` are the codes whose counts may have changed; the whole count list is
    sent instead when one of them enters or leaves the list (`fresh`: code -> how
    many of its codings this write added). The codebook is read only when the
    answer needs all of it: after an in-vivo code, or with a coding's details.
    """
    project = membership.project
    show, coder_ids = _shown_coders(request, membership)
    counts, whole_list = _counts_after(source, codes, fresh or {}, coder_ids, new_code)
    codebook = queries.Codebook(project) if new_code is not None or panel_ids else None
    if codebook is None:
        labels_for = partial(queries.code_labels, project)
    else:
        labels_for = lambda _ids: codebook  # noqa: E731 - the whole codebook is read already
    paragraphs, info, labels = _touched_paragraphs(
        source, edits, coder_ids, counts.keys(), labels_for
    )
    context = {
        "membership": membership,
        "project": project,
        "source": source,
        "paragraphs": paragraphs,
        "info": info,
        "order": labels.order,
        "counts": _count_rows(counts, labels),
        "whole_list": whole_list,
        "show": show,
        "message": message,
    }
    if new_code is not None:
        context.update(_new_code_context(request, membership, codebook, new_code))
    if panel_ids:
        codings = _panel_codings(membership, source, panel_ids)
        context["panel"] = _panel_context(membership, codings, request.user, codebook)
    elif panel_ids is not None:
        context["panel"] = {"codings": []}
    response = render(request, "coding/_changes.html", context)
    response[OUTCOME] = outcome
    return response


# The answer to a write from this page, for the packages that add writes to it (suggestions).
answer_write = _answer


def _counts_after(source, codes, fresh, coder_ids, new_code) -> tuple[dict[int, int], bool]:
    """The counts of `codes`, or of every code when one enters or leaves the list (its
    first codings are this write's, or its last went): then all rows are sent."""
    counts = queries.counts_of(source.pk, codes, coder_ids=coder_ids)
    whole_list = new_code is not None or any(
        counts.get(code, 0) <= fresh.get(code, 0) for code in codes
    )
    if whole_list:
        rows = queries.code_counts(source, coder_ids=coder_ids)
        counts = {row["code_id"]: row["n"] for row in rows}
    return counts, whole_list


def _new_code_context(request, membership, codebook, new_code) -> dict:
    """An in-vivo code is new to the page: the picker, its name and its colours."""
    recent = queries.recent_code_ids(membership.project, request.user, code_ids=codebook.names)
    return {
        "picker": _picker(codebook, recent),
        "recent": recent,
        "styles": {new_code.pk: new_code.colour},
        "names": codebook.names,
        "coder_names": _coder_names(membership),
    }


def _refuse(request, membership, source, message):
    """A write the server will not make: 422 with the reason (the page shows it)."""
    if not request.htmx:
        messages.error(request, message)
        return redirect("coding:source_code", membership.project.slug, source.pk)
    response = HttpResponse(format_html('<p id="write-message">{}</p>', message), status=422)
    response[OUTCOME] = "refused"
    return response


def _form_message(form) -> str:
    return " ".join(error for errors in form.errors.values() for error in errors)


@login_required
@require_POST
@idempotent
def coding_create(request, slug, source_id):
    membership = get_membership(request, slug, allow=can_code)
    source = _get_source(membership, source_id)
    form = CodingCreateForm(request.POST, project=membership.project)
    if not form.is_valid():
        return _refuse(request, membership, source, _form_message(form))
    data = form.cleaned_data
    selection = {
        "source": source,
        "start": data["start"],
        "end": data["end"],
        "passage": data["passage"],
        "coder": request.user,
        "batch": request.write_batch,
    }
    try:
        if data["in_vivo"]:
            applied = services.apply_in_vivo(**selection)
        else:
            applied = services.apply_codes(codes=data["codes"], **selection)
    except ValidationError as error:
        return _refuse(request, membership, source, error.messages[0])
    if not request.htmx:
        messages.success(request, _("Passage coded."))
        return redirect("coding:source_code", slug, source.pk)
    codes = {coding.code_id for coding in applied.created}
    message = ""
    if applied.already:
        names = ", ".join(coding.code.name for coding in applied.already)
        message = _("Already coded with %(codes)s.") % {"codes": names}
    return _answer(
        request,
        membership,
        source,
        [(data["start"], data["end"])] if applied.created else [],
        codes=codes,
        fresh=dict.fromkeys(codes, 1),
        outcome="saved" if applied.created else "already",
        message=message,
        new_code=applied.new_code,
    )


def _coding_for_change(membership, source, coding_id, user) -> Coding:
    coding = get_object_or_404(Coding.objects.select_related("code"), pk=coding_id, source=source)
    if not (membership.is_admin or coding.coder_id == user.pk):
        raise PermissionDenied
    coding.source = source
    return coding


def step_word(text: str, position: int, edge: str, step: int) -> int:
    """Move a coding's start or end by one word, forwards (+1) or backwards (-1)."""
    i = position
    if step > 0:
        if edge == "start":
            while i < len(text) and not text[i].isspace():
                i += 1
        while i < len(text) and text[i].isspace():
            i += 1
        if edge == "end":
            while i < len(text) and not text[i].isspace():
                i += 1
    else:
        if edge == "start":
            while i > 0 and text[i - 1].isspace():
                i -= 1
        while i > 0 and not text[i - 1].isspace():
            i -= 1
        if edge == "end":
            while i > 0 and text[i - 1].isspace():
                i -= 1
    return i


def _change(request, coding, source, data) -> None:
    """The change a details form asks for; a ValidationError says why it cannot be made."""
    batch = request.write_batch
    match data["action"]:
        case "remove":
            services.remove_coding(coding=coding, actor=request.user, batch=batch)
        case "code":
            if data["code"] is None:
                raise ValidationError(_("Choose a code to apply."))
            services.change_coding(
                coding=coding, actor=request.user, code=data["code"], batch=batch
            )
        case "adjust":
            if not data["edge"] or not data["step"]:
                raise ValidationError(_("That change could not be read."))
            start, end = coding.start, coding.end
            if data["edge"] == "start":
                start = step_word(source.text, start, "start", data["step"])
            else:
                end = step_word(source.text, end, "end", data["step"])
            if start >= end:
                raise ValidationError(_("A coded passage cannot be shorter than one word."))
            services.change_coding(
                coding=coding, actor=request.user, start=start, end=end, batch=batch
            )
        case "span":
            if data["start"] is None or data["end"] is None:
                raise ValidationError(_("Select the new passage first."))
            services.change_coding(
                coding=coding,
                actor=request.user,
                start=data["start"],
                end=data["end"],
                batch=batch,
            )


@login_required
@require_POST
@idempotent
def coding_edit(request, slug, source_id, coding_id):
    membership = get_membership(request, slug, allow=can_code)
    source = _get_source(membership, source_id)
    coding = _coding_for_change(membership, source, coding_id, request.user)
    form = CodingChangeForm(request.POST, project=membership.project)
    if not form.is_valid():
        message = _form_message(form) if "code" in form.errors else ""
        return _refuse(request, membership, source, message or _("That change could not be read."))
    data = form.cleaned_data
    old_span, old_code = (coding.start, coding.end), coding.code_id
    try:
        _change(request, coding, source, data)
    except ValidationError as error:
        return _refuse(request, membership, source, error.messages[0])
    removed = data["action"] == "remove"
    if not request.htmx:
        messages.success(request, _("Coding removed.") if removed else _("Coding changed."))
        return redirect("coding:source_code", slug, source.pk)
    edits = [old_span] if removed else [old_span, (coding.start, coding.end)]
    return _answer(
        request,
        membership,
        source,
        edits,
        codes={old_code, coding.code_id},
        fresh={coding.code_id: 1} if coding.code_id != old_code else None,
        panel_ids=[] if removed else [coding.pk],
    )


@login_required
@require_POST
@idempotent
def coding_undo(request, slug, source_id):
    """Undo one batch of the user's own (an undo's batch: redo); answers like any write."""
    membership = get_membership(request, slug, allow=can_code)
    source = _get_source(membership, source_id)
    try:
        batch = uuid.UUID(request.POST.get("batch", ""))
    except ValueError:
        return _refuse(request, membership, source, _("There is nothing to undo."))
    try:
        undone = services.reverse_batch(
            batch=batch, actor=request.user, as_batch=request.write_batch
        )
    except ValidationError as error:
        return _refuse(request, membership, source, error.messages[0])
    if not request.htmx:
        messages.success(request, _("Undone."))
        return redirect("coding:source_code", slug, source.pk)
    codes = undone.codes
    return _answer(
        request, membership, source, undone.spans, codes=codes, fresh=dict.fromkeys(codes, 1)
    )


ADJUST_ACTIONS = [
    ("start", -1, gettext_lazy("← Start")),
    ("start", 1, gettext_lazy("Start →")),
    ("end", -1, gettext_lazy("← End")),
    ("end", 1, gettext_lazy("End →")),
]


def _panel_codings(membership, source, ids) -> list[Coding]:
    """The codings of `ids` that `membership` may see (blind coding), with memos and notes."""
    memos = Memo.objects.select_related("author").order_by("created_at", "id")
    notes = ReviewNote.objects.select_related("author")
    return list(
        queries.seen_by(membership, Coding.objects.filter(source=source, pk__in=ids))
        .select_related("code", "coder")
        .prefetch_related(Prefetch("memos", queryset=memos), Prefetch("review_notes", notes))
    )


def _panel_context(membership, codings, user, codebook):
    notes = queries.creation_notes([coding.pk for coding in codings]) if codings else {}
    for coding in codings:
        coding.note = notes.get(coding.pk, "")
        coding.path = codebook.paths.get(coding.code_id, coding.code.name)
        coding.can_change = membership.is_admin or coding.coder_id == user.pk
        for memo in coding.memos.all():
            memo.can_edit = membership.is_admin or memo.author_id == user.pk
    conclusions = []
    if membership.can_code and codings:
        conclusions = list(
            Conclusion.objects.open().filter(project=membership.project).only("pk", "statement")
        )
    return {
        "codings": codings,
        "choices": [(code.pk, codebook.paths[code.pk]) for code, _depth in codebook.rows],
        "adjust_actions": ADJUST_ACTIONS,
        "conclusions": conclusions,
    }


def _picker(codebook, recent):
    codes = [code for code, _depth in codebook.rows]
    codes.sort(key=lambda code: recent.index(code.pk) if code.pk in recent else len(recent))
    return [(code.pk, codebook.paths[code.pk], code.definition) for code in codes]


@login_required
@require_GET
def coding_panel(request, slug, source_id):
    """Details of the codings under a clicked passage: code, coder, memos, and actions."""
    membership = get_membership(request, slug)
    source = _get_source(membership, source_id)
    ids = [int(part) for part in request.GET.get("ids", "").split(",") if part.isdigit()][:20]
    show, _coders = _shown_coders(request, membership)
    context = {
        "membership": membership,
        "project": membership.project,
        "source": source,
        "show": show,
        "panel": _panel_context(
            membership,
            _panel_codings(membership, source, ids),
            request.user,
            queries.Codebook(membership.project),
        ),
    }
    return render(request, "coding/_coding_panel.html", context)


@login_required
@require_POST
@idempotent
def coding_memo(request, slug, source_id, coding_id):
    """Write a memo on a coding, or edit one, in its details; answers with the details."""
    membership = get_membership(request, slug)
    source = _get_source(membership, source_id)
    # Blind coding: a colleague's coding is not there for this member.
    coding = get_object_or_404(
        queries.seen_by(membership, Coding.objects.filter(source=source)), pk=coding_id
    )
    memo = None
    if request.POST.get("memo", "").isdigit():
        memo = get_object_or_404(Memo, pk=request.POST["memo"], coding=coding)
        if not (membership.is_admin or memo.author_id == request.user.pk):
            raise PermissionDenied
    form = CodingMemoForm(request.POST, instance=memo)
    if not form.is_valid():
        return _refuse(request, membership, source, _form_message(form))
    memo = form.save(commit=False)
    if memo.pk is None:
        memo.project, memo.author, memo.coding = membership.project, request.user, coding
    memo.save()
    if not request.htmx:
        messages.success(request, _("Memo saved."))
        return redirect("coding:source_code", slug, source.pk)
    return _answer(request, membership, source, [(coding.start, coding.end)], panel_ids=[coding.pk])


def _batches(raw: str) -> set[uuid.UUID]:
    found = set()
    for part in raw.split(",")[:200]:
        try:
            found.add(uuid.UUID(part))
        except ValueError:
            continue
    return found


@login_required
@require_GET
def source_events(request, slug, source_id):
    """'Anything since event N?' — 204 when nothing changed, else the touched paragraphs.

    `mine` names the batches of this page's own writes whose answers it has already
    swapped in: their events only move the poller on.
    """
    membership = get_membership(request, slug)
    source = _get_source(membership, source_id)
    try:
        since = int(request.GET.get("since", "0"))
    except ValueError:
        since = 0
    events = list(
        queries.seen_by(
            membership, CodingEvent.objects.filter(source=source, id__gt=since)
        ).values_list("id", "start", "end", "batch")[:500]
    )
    if not events:
        return HttpResponse(status=204)
    mine = _batches(request.GET.get("mine", ""))
    edits = [(start, end) for _id, start, end, batch in events if batch not in mine]
    show, coder_ids = _shown_coders(request, membership)
    context = {
        "membership": membership,
        "project": membership.project,
        "source": source,
        "show": show,
        "since": max(event_id for event_id, *_rest in events),
    }
    if edits:
        context.update(_poll_changes(membership, source, edits, coder_ids))
    return render(request, "coding/_changes.html", context)


def _poll_changes(membership, source, edits, coder_ids) -> dict:
    """What another coder's changes need: paragraphs, all count rows, names and styles."""
    project = membership.project
    codebook = queries.Codebook(project)
    paragraphs, info, _labels = _touched_paragraphs(
        source, edits, coder_ids, (), lambda _ids: codebook
    )
    counts = {row["code_id"]: row["n"] for row in queries.code_counts(source, coder_ids=coder_ids)}
    return {
        "paragraphs": paragraphs,
        "info": info,
        "order": codebook.order,
        "counts": _count_rows(counts, codebook),
        "whole_list": True,
        "styles": {c: codebook.colours[c] for c in codes_in(paragraphs) if c in codebook.colours},
        "names": codebook.names,
        "coder_names": _coder_names(membership),
    }


@login_required
@require_GET
def source_history(request, slug, source_id):
    membership = get_membership(request, slug)
    source = _get_source(membership, source_id)
    events = queries.seen_by(membership, CodingEvent.objects.filter(source=source))
    events = events.select_related("actor")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    context = {
        "membership": membership,
        "project": membership.project,
        "source": source,
        "page": page,
    }
    return render(request, "coding/source_history.html", context)
