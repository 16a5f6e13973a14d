"""The coding page: read a source, select passages, apply codes; kept current by polling."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from interviews.access import can_code, get_membership
from interviews.models import Source

from .. import queries, services
from ..forms import CodingChangeForm, CodingCreateForm
from ..models import Coding, CodingEvent, Conclusion
from ..rendering import coded_paragraphs, codes_in

TEMPLATE = "coding/source_code.html"


def _get_source(membership, source_id) -> Source:
    return get_object_or_404(Source, pk=source_id, project=membership.project)


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


def _render_text(source, codebook, coder_ids, *, within=None):
    codings = queries.visible_codings(source, coder_ids=coder_ids)
    if within is not None:
        # Widen to whole lines: a re-rendered paragraph needs all of its codings.
        text = source.text
        low = text.rfind("\n", 0, within[0]) + 1
        high = text.find("\n", within[1])
        within = (low, len(text) if high == -1 else high)
        codings = codings.filter(start__lt=within[1] + 1, end__gt=within[0] - 1)
    spans, info = queries.spans_and_info(codings)
    paragraphs = coded_paragraphs(source.text, spans, codebook.order, within=within)
    return paragraphs, info


def _counts(source, codebook, coder_ids):
    counts = queries.code_counts(source, coder_ids=coder_ids)
    for row in counts:
        row["path"] = codebook.paths.get(row["code_id"], row["code__name"])
    return sorted(counts, key=lambda row: codebook.order.get(row["code_id"], 0))


def _coder_names(membership) -> dict[int, str]:
    """Usernames of the coders whose work the page may show, for tooltips (ids are in it)."""
    members = membership.project.memberships.all()
    coder_ids = membership.visible_coder_ids()
    if coder_ids is not None:
        members = members.filter(user_id__in=coder_ids)
    return dict(members.values_list("user_id", "user__username"))


def _last_event(source) -> int:
    return CodingEvent.objects.filter(source=source).aggregate(m=Max("id"))["m"] or 0


@login_required
@require_GET
def source_code(request, slug, source_id):
    membership = get_membership(request, slug)
    project = membership.project
    source = _get_source(membership, source_id)
    show, coder_ids = _shown_coders(request, membership)
    codebook = queries.Codebook(project)
    paragraphs, info = _render_text(source, codebook, coder_ids)
    recent = [c for c in queries.recent_code_ids(project, request.user) if c in codebook.names]
    context = {
        "membership": membership,
        "project": project,
        "source": source,
        "paragraphs": paragraphs,
        "info": info,
        "codebook": codebook,
        "coder_names": _coder_names(membership),
        "picker": _picker(codebook, recent),
        "recent": recent,
        "counts": _counts(source, codebook, coder_ids),
        "show": show,
        "coders": queries.coders_of(source, membership),
        "since": _last_event(source),
        "cases": source.cases.all(),
    }
    return render(request, TEMPLATE, context)


def _changes_response(
    request, membership, source, spans, *, status=200, error="", codings=None, picker=False
):
    """The paragraphs touched by `spans`, the counts and the poller, as out-of-band swaps."""
    show, coder_ids = _shown_coders(request, membership)
    codebook = queries.Codebook(membership.project)
    panel = None
    if codings is not None:
        panel = _panel_context(membership, codings, request.user, codebook)
    paragraphs, info = [], {}
    if spans:
        low = min(start for start, _end in spans)
        high = max(end for _start, end in spans)
        candidates, info = _render_text(source, codebook, coder_ids, within=(low, high))
        paragraphs = [
            p for p in candidates if any(p.start <= end and start <= p.end for start, end in spans)
        ]
    context = {
        "membership": membership,
        "project": membership.project,
        "source": source,
        "paragraphs": paragraphs,
        "info": info,
        "codes_shown": codes_in(paragraphs),
        "codebook": codebook,
        "coder_names": _coder_names(membership),
        "counts": _counts(source, codebook, coder_ids),
        "show": show,
        "since": _last_event(source),
        "error": error,
        "panel": panel,
    }
    if picker:
        recent = queries.recent_code_ids(membership.project, request.user)
        context.update(picker=_picker(codebook, recent), recent=recent)
    return render(request, "coding/_changes.html", context, status=status)


def _fail(request, membership, source, message):
    if request.htmx:
        return _changes_response(request, membership, source, [], status=422, error=message)
    messages.error(request, message)
    return redirect("coding:source_code", membership.project.slug, source.pk)


@login_required
@require_POST
def coding_create(request, slug, source_id):
    membership = get_membership(request, slug, allow=can_code)
    source = _get_source(membership, source_id)
    form = CodingCreateForm(request.POST, project=membership.project)
    if not form.is_valid():
        message = " ".join(e for errors in form.errors.values() for e in errors)
        return _fail(request, membership, source, message)
    data = form.cleaned_data
    try:
        if data["in_vivo"]:
            services.apply_in_vivo(
                source=source,
                start=data["start"],
                end=data["end"],
                passage=data["passage"],
                coder=request.user,
            )
        else:
            services.apply_codes(
                source=source,
                start=data["start"],
                end=data["end"],
                passage=data["passage"],
                codes=data["codes"],
                coder=request.user,
            )
    except ValidationError as error:
        return _fail(request, membership, source, error.messages[0])
    if not request.htmx:
        messages.success(request, _("Passage coded."))
        return redirect("coding:source_code", slug, source.pk)
    return _changes_response(
        request, membership, source, [(data["start"], data["end"])], picker=data["in_vivo"]
    )


def _coding_for_change(membership, source, coding_id, user) -> Coding:
    coding = get_object_or_404(Coding.objects.select_related("code"), pk=coding_id, source=source)
    if not (membership.is_admin or coding.coder_id == user.pk):
        raise PermissionDenied
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


@login_required
@require_POST
def coding_edit(request, slug, source_id, coding_id):
    membership = get_membership(request, slug, allow=can_code)
    source = _get_source(membership, source_id)
    coding = _coding_for_change(membership, source, coding_id, request.user)
    form = CodingChangeForm(request.POST, project=membership.project)
    if not form.is_valid():
        return _fail(request, membership, source, _("That change could not be read."))
    data = form.cleaned_data
    old = (coding.start, coding.end)
    try:
        match data["action"]:
            case "remove":
                services.remove_coding(coding=coding, actor=request.user)
                coding = None
            case "code":
                if data["code"] is None:
                    raise ValidationError(_("Choose a code to apply."))
                services.change_coding(coding=coding, actor=request.user, code=data["code"])
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
                services.change_coding(coding=coding, actor=request.user, start=start, end=end)
            case "span":
                if data["start"] is None or data["end"] is None:
                    raise ValidationError(_("Select the new passage first."))
                services.change_coding(
                    coding=coding, actor=request.user, start=data["start"], end=data["end"]
                )
    except ValidationError as error:
        return _fail(request, membership, source, error.messages[0])
    if not request.htmx:
        messages.success(request, _("Coding removed.") if coding is None else _("Coding changed."))
        return redirect("coding:source_code", slug, source.pk)
    spans = [old] if coding is None else [old, (coding.start, coding.end)]
    codings = [] if coding is None else [coding]
    return _changes_response(request, membership, source, spans, codings=codings)


ADJUST_ACTIONS = [
    ("start", -1, gettext_lazy("← Start")),
    ("start", 1, gettext_lazy("Start →")),
    ("end", -1, gettext_lazy("← End")),
    ("end", 1, gettext_lazy("End →")),
]


def _panel_context(membership, codings, user, codebook):
    for coding in codings:
        coding.path = codebook.paths.get(coding.code_id, coding.code.name)
        coding.can_change = membership.is_admin or coding.coder_id == user.pk
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
    codings = list(
        queries.seen_by(membership, Coding.objects.filter(source=source, pk__in=ids))
        .select_related("code", "coder")
        .prefetch_related("memos__author", "review_notes__author")
    )
    show, _coders = _shown_coders(request, membership)
    context = {
        "membership": membership,
        "project": membership.project,
        "source": source,
        "show": show,
        "panel": _panel_context(
            membership, codings, request.user, queries.Codebook(membership.project)
        ),
    }
    return render(request, "coding/_coding_panel.html", context)


@login_required
@require_GET
def source_events(request, slug, source_id):
    """'Anything since event N?' — 204 when nothing changed, else the touched paragraphs."""
    membership = get_membership(request, slug)
    source = _get_source(membership, source_id)
    try:
        since = int(request.GET.get("since", "0"))
    except ValueError:
        since = 0
    events = queries.seen_by(membership, CodingEvent.objects.filter(source=source, id__gt=since))
    events = list(events.values_list("start", "end")[:500])
    if not events:
        return HttpResponse(status=204)
    return _changes_response(request, membership, source, events)


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
