from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from interviews.access import get_membership
from interviews.models import Source

from .. import queries
from ..forms import MemoForm
from ..models import Code, Coding, Memo

TARGETS = ("project", "source", "code", "coding")


@login_required
@require_GET
def memo_list(request, slug):
    membership = get_membership(request, slug)
    project = membership.project
    target = request.GET.get("target", "")
    target = target if target in TARGETS else ""
    author = request.GET.get("author", "")
    author_id = int(author) if author.isdigit() else None
    coder_ids = membership.visible_coder_ids()
    memos = queries.memo_filter(project, target=target, author_id=author_id, coder_ids=coder_ids)
    page = Paginator(memos, 30).get_page(request.GET.get("page"))
    readable = queries.memo_filter(project, coder_ids=coder_ids)
    authors = get_user_model().objects.filter(memos__in=readable).distinct()
    context = {
        "membership": membership,
        "project": project,
        "page": page,
        "target": target,
        "author_id": author_id,
        "authors": authors,
        "targets": [
            ("project", _("Project")),
            ("source", _("Sources")),
            ("code", _("Codes")),
            ("coding", _("Codings")),
        ],
    }
    return render(request, "coding/memo_list.html", context)


def _target_from(request, membership) -> dict:
    """The memo's object, from ?source= / ?code= / ?coding= (at most one)."""
    project = membership.project
    params = request.POST if request.method == "POST" else request.GET
    if params.get("coding", "").isdigit():
        coding = get_object_or_404(
            queries.seen_by(membership, Coding.objects.select_related("code", "source")).defer(
                "source__text"
            ),
            pk=params["coding"],
            source__project=project,
        )
        return {"coding": coding}
    if params.get("code", "").isdigit():
        return {"code": get_object_or_404(Code, pk=params["code"], project=project)}
    if params.get("source", "").isdigit():
        source = get_object_or_404(
            Source.objects.defer("text"), pk=params["source"], project=project
        )
        return {"source": source}
    return {}


def _back(memo: Memo, slug: str):
    if memo.coding_id:
        return redirect("coding:source_code", slug, memo.coding.source_id)
    if memo.source_id:
        return redirect("coding:source_code", slug, memo.source_id)
    if memo.code_id:
        return redirect("coding:code_detail", slug, memo.code_id)
    return redirect("coding:memo_list", slug)


@login_required
@require_http_methods(["GET", "POST"])
def memo_create(request, slug):
    membership = get_membership(request, slug)
    target = _target_from(request, membership)
    form = MemoForm(request.POST or None)
    if form.is_valid():
        memo = form.save(commit=False)
        memo.project = membership.project
        memo.author = request.user
        for name, value in target.items():
            setattr(memo, name, value)
        memo.save()
        messages.success(request, _("Memo saved."))
        return _back(memo, slug)
    context = {
        "membership": membership,
        "project": membership.project,
        "form": form,
        "target": target,
    }
    return render(request, "coding/memo_form.html", context)


def _own_memo(request, membership, memo_id) -> Memo:
    memo = get_object_or_404(Memo, pk=memo_id, project=membership.project)
    if memo.author_id != request.user.pk and not membership.is_admin:
        raise PermissionDenied
    return memo


@login_required
@require_http_methods(["GET", "POST"])
def memo_edit(request, slug, memo_id):
    membership = get_membership(request, slug)
    memo = _own_memo(request, membership, memo_id)
    form = MemoForm(request.POST or None, instance=memo)
    if form.is_valid():
        form.save()
        messages.success(request, _("Memo saved."))
        return _back(memo, slug)
    context = {
        "membership": membership,
        "project": membership.project,
        "form": form,
        "memo": memo,
        "target": {k: getattr(memo, k) for k in ("source", "code", "coding") if getattr(memo, k)},
    }
    return render(request, "coding/memo_form.html", context)


@login_required
@require_POST
def memo_delete(request, slug, memo_id):
    membership = get_membership(request, slug)
    memo = _own_memo(request, membership, memo_id)
    memo.delete()
    messages.success(request, _("Memo deleted."))
    return redirect("coding:memo_list", slug)
