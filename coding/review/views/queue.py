"""Supervisor review: a keyboard-driven queue of codings, and the coder's feedback list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from coding.analysis import queries as analysis
from coding.analysis.forms import filter_form
from coding.models import Coding, ReviewNote
from coding.queries import code_paths, codebook_rows
from interviews.access import can_review, get_membership

from .. import services

PER_PAGE = 20
REVIEW_ACTIONS = [
    (ReviewNote.Kind.APPROVE, gettext_lazy("Approve"), "a"),
    (ReviewNote.Kind.REJECT, gettext_lazy("Reject"), "r"),
]


def _with_thread(codings):
    return codings.prefetch_related(
        Prefetch("review_notes", queryset=ReviewNote.objects.select_related("author"))
    )


@login_required
@require_GET
def review_queue(request, slug):
    membership = get_membership(request, slug, allow=can_review)
    project = membership.project
    rows = codebook_rows(project)
    params = request.GET.copy()
    params.setdefault("review", Coding.Review.PENDING)
    form = filter_form(request, membership, rows)
    form.data = params
    form.is_bound = True
    filters = form.filters()
    source = request.GET.get("source", "")
    codings = analysis.retrieval(project, filters)
    if source.isdigit():
        codings = codings.filter(source_id=source)
    page = analysis.context_page(codings, request.GET.get("page"), PER_PAGE, _with_thread)
    paths = code_paths(rows)
    cases = analysis.cases_by_source(c.source_id for c in page.object_list)
    for coding in page.object_list:
        coding.path = paths.get(coding.code_id, coding.code.name)
        coding.case_list = cases.get(coding.source_id, [])
    context = {
        "membership": membership,
        "project": project,
        "form": form,
        "page": page,
        "sources": project.sources.defer("text").order_by("title"),
        "source_id": source,
        "review_actions": REVIEW_ACTIONS,
    }
    return render(request, "coding/review/review_queue.html", context)


@login_required
@require_POST
def review_act(request, slug, coding_id):
    """Approve, reject or comment (supervisors), or reply (the coder)."""
    membership = get_membership(request, slug)
    coding = get_object_or_404(
        Coding.objects.select_related("code", "coder", "source").defer("source__text"),
        pk=coding_id,
        source__project=membership.project,
    )
    kind = request.POST.get("kind", "")
    text = request.POST.get("text", "")
    try:
        if kind == ReviewNote.Kind.REPLY:
            if coding.coder_id != request.user.pk and not membership.is_admin:
                raise PermissionDenied
            services.reply_to_review(coding=coding, author=request.user, text=text)
        else:
            if not membership.can_review:
                raise PermissionDenied
            services.review_coding(coding=coding, reviewer=request.user, kind=kind, text=text)
        error = ""
    except ValidationError as failure:
        error = failure.messages[0]
    if request.htmx:
        coding = _with_thread(
            analysis.with_context(Coding.objects.filter(pk=coding.pk)).select_related(
                "code", "coder", "source"
            )
        ).get()
        coding.path = code_paths(codebook_rows(membership.project)).get(coding.code_id)
        coding.case_list = analysis.cases_by_source([coding.source_id]).get(coding.source_id, [])
        context = {
            "membership": membership,
            "project": membership.project,
            "coding": coding,
            "error": error,
            "done": not error,
            "review_actions": REVIEW_ACTIONS,
        }
        status = 422 if error else 200
        return render(request, "coding/review/_review_item.html", context, status=status)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Review saved."))
    return redirect(_next_page(request) or reverse("coding:review_queue", args=[slug]))


def _next_page(request) -> str:
    """Where the action came from (`next`), if it is a page of this site."""
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else ""


@login_required
@require_GET
def review_feedback(request, slug):
    """The signed-in coder's codings that supervisors reviewed, newest first."""
    membership = get_membership(request, slug)
    codings = (
        Coding.objects.filter(source__project=membership.project, coder=request.user)
        .filter(review_notes__isnull=False)
        .annotate(last_note=Max("review_notes__created_at"))
        .order_by("-last_note")
    )
    page = analysis.context_page(codings, request.GET.get("page"), PER_PAGE, _with_thread)
    paths = code_paths(codebook_rows(membership.project))
    for coding in page.object_list:
        coding.path = paths.get(coding.code_id, coding.code.name)
    context = {"membership": membership, "project": membership.project, "page": page}
    return render(request, "coding/review/review_feedback.html", context)
