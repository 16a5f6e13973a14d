"""Conclusion drawing and verification: statements with evidence, triangulated."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coding.models import Conclusion, Evidence
from interviews.access import can_code, get_membership

from .. import queries as analysis
from ..citations import cite_codings
from ..forms import ConclusionForm, EvidenceForm, ReturnForm


def _conclusion(membership, conclusion_id) -> Conclusion:
    return get_object_or_404(Conclusion, pk=conclusion_id, project=membership.project)


@login_required
@require_GET
def conclusion_list(request, slug):
    membership = get_membership(request, slug)
    conclusions = list(Conclusion.objects.filter(project=membership.project))
    for conclusion in conclusions:
        conclusion.triangulation = analysis.triangulation(conclusion)
    context = {
        "membership": membership,
        "project": membership.project,
        "conclusions": conclusions,
    }
    return render(request, "coding/analysis/conclusion_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def conclusion_create(request, slug):
    membership = get_membership(request, slug, allow=can_code)
    form = ConclusionForm(request.POST or None)
    if form.is_valid():
        conclusion = form.save(commit=False)
        conclusion.project = membership.project
        conclusion.author = request.user
        conclusion.order = Conclusion.objects.filter(project=membership.project).count()
        conclusion.save()
        messages.success(
            request,
            _("Conclusion drafted. Add evidence from the reduction screen or the coding page."),
        )
        return redirect("coding:conclusion_detail", slug, conclusion.pk)
    context = {"membership": membership, "project": membership.project, "form": form}
    return render(request, "coding/analysis/conclusion_form.html", context)


@login_required
@require_GET
def conclusion_detail(request, slug, conclusion_id):
    membership = get_membership(request, slug)
    conclusion = _conclusion(membership, conclusion_id)
    cited = conclusion.evidence.all()
    coder_ids = membership.visible_coder_ids()
    shown = cited if coder_ids is None else cited.filter(coding__coder_id__in=coder_ids)
    evidence = list(
        shown.select_related("coding__code", "coding__coder", "coding__source")
        .defer("coding__source__text")
        .order_by("stance", "coding__source__kind", "coding__source__title", "coding__start")
    )
    cases = analysis.cases_by_source(item.coding.source_id for item in evidence)
    cite_codings(item.coding for item in evidence)
    for item in evidence:
        item.cases = cases.get(item.coding.source_id, [])
    context = {
        "membership": membership,
        "project": membership.project,
        "conclusion": conclusion,
        "evidence": evidence,
        "hidden_evidence": 0 if coder_ids is None else cited.count() - len(evidence),
        "triangulation": analysis.triangulation(conclusion),
        "return_form": ReturnForm(),
        "can_edit": membership.can_code
        and conclusion.status in {Conclusion.Status.DRAFT, Conclusion.Status.RETURNED},
    }
    return render(request, "coding/analysis/conclusion_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@transaction.atomic
def conclusion_edit(request, slug, conclusion_id):
    """Only drafts and returned conclusions change: what a supervisor verified stays as it was."""
    membership = get_membership(request, slug, allow=can_code)
    conclusion = _conclusion(membership, conclusion_id)
    if request.method == "POST":
        # Locked, so that a verification arriving meanwhile cannot be overtaken.
        conclusion = Conclusion.objects.select_for_update().get(pk=conclusion.pk)
    if not conclusion.is_open:
        messages.error(
            request,
            _(
                "This conclusion is “%(status)s”: only drafts and returned conclusions can be "
                "edited. Reopen it as a draft first."
            )
            % {"status": conclusion.get_status_display()},
        )
        return redirect("coding:conclusion_detail", slug, conclusion.pk)
    form = ConclusionForm(request.POST or None, instance=conclusion)
    if form.is_valid():
        form.save()
        messages.success(request, _("Conclusion saved."))
        return redirect("coding:conclusion_detail", slug, conclusion.pk)
    context = {
        "membership": membership,
        "project": membership.project,
        "form": form,
        "conclusion": conclusion,
    }
    return render(request, "coding/analysis/conclusion_form.html", context)


@login_required
@require_POST
@transaction.atomic
def conclusion_status(request, slug, conclusion_id):
    """Move a conclusion along draft → submitted → verified, or back with a comment."""
    membership = get_membership(request, slug)
    conclusion = _conclusion(membership, conclusion_id)
    conclusion = Conclusion.objects.select_for_update().get(pk=conclusion.pk)
    action = request.POST.get("action")
    Status = Conclusion.Status
    if action == "submit" and membership.can_code and conclusion.is_open:
        if not conclusion.evidence.exists():
            messages.error(request, _("Add evidence before submitting the conclusion."))
            return redirect("coding:conclusion_detail", slug, conclusion.pk)
        conclusion.status = Status.SUBMITTED
        message = _("Submitted for verification.")
    elif action == "verify" and membership.can_review and conclusion.status == Status.SUBMITTED:
        conclusion.status = Status.VERIFIED
        message = _("Conclusion verified.")
    elif action == "return" and membership.can_review and conclusion.status == Status.SUBMITTED:
        form = ReturnForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Say what needs more work when you return a conclusion."))
            return redirect("coding:conclusion_detail", slug, conclusion.pk)
        conclusion.status = Status.RETURNED
        conclusion.review_comment = form.cleaned_data["comment"]
        message = _("Returned to the researchers with your comment.")
    elif action == "reopen" and membership.can_code and conclusion.status == Status.VERIFIED:
        conclusion.status = Status.DRAFT
        message = _("The conclusion is a draft again.")
    else:
        raise PermissionDenied
    if action in {"verify", "return"}:
        conclusion.reviewer = request.user
        conclusion.reviewed_at = timezone.now()
    conclusion.save()
    messages.success(request, message)
    return redirect("coding:conclusion_detail", slug, conclusion.pk)


@login_required
@require_POST
def conclusion_delete(request, slug, conclusion_id):
    membership = get_membership(request, slug, allow=can_code)
    conclusion = _conclusion(membership, conclusion_id)
    if not (membership.is_admin or conclusion.author_id == request.user.pk):
        raise PermissionDenied
    conclusion.delete()
    messages.success(request, _("Conclusion deleted."))
    return redirect("coding:conclusion_list", slug)


@login_required
@require_POST
def evidence_add(request, slug):
    """Cite a coding as evidence (from the reduction screen or the coding page)."""
    membership = get_membership(request, slug, allow=can_code)
    form = EvidenceForm(request.POST, membership=membership)
    if form.is_valid() and not form.cleaned_data["conclusion"].is_open:
        form.add_error("conclusion", _("Reopen the conclusion as a draft to change its evidence."))
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                Evidence.objects.create(
                    conclusion=data["conclusion"],
                    coding=data["coding"],
                    stance=data["stance"],
                    note=data["note"],
                    added_by=request.user,
                )
        except IntegrityError:
            Evidence.objects.filter(conclusion=data["conclusion"], coding=data["coding"]).update(
                stance=data["stance"]
            )
        added = _("Added to “%(statement)s”.") % {"statement": data["conclusion"].statement[:60]}
    else:
        added = " ".join(e for errors in form.errors.values() for e in errors)
    if request.POST.get("chooser") == "page":  # the one chooser of the retrieval page
        if request.htmx:
            return HttpResponse(escape(added))
        messages.info(request, added)
        back = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            return redirect(back)
        return redirect("coding:retrieval", slug)
    if request.htmx:
        context = {
            "membership": membership,
            "project": membership.project,
            "coding": form.cleaned_data.get("coding") if form.is_valid() else None,
            "conclusions": Conclusion.objects.open().filter(project=membership.project),
            "added": added,
            "chosen": request.POST.get("conclusion", ""),
            "stance": request.POST.get("stance", ""),
        }
        if context["coding"] is None:
            context["coding"] = {"pk": request.POST.get("coding", "")}
        return render(request, "coding/analysis/_add_evidence.html", context)
    messages.info(request, added)
    if form.is_valid():
        return redirect("coding:conclusion_detail", slug, form.cleaned_data["conclusion"].pk)
    return redirect("coding:conclusion_list", slug)


@login_required
@require_POST
def evidence_remove(request, slug, conclusion_id):
    membership = get_membership(request, slug, allow=can_code)
    conclusion = _conclusion(membership, conclusion_id)
    if not conclusion.is_open:
        raise PermissionDenied
    conclusion.evidence.filter(pk=request.POST.get("evidence")).delete()
    messages.success(request, _("Evidence removed."))
    return redirect("coding:conclusion_detail", slug, conclusion.pk)
