from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from interviews.access import can_code, get_membership

from .. import services
from ..forms import CodeForm, MergeForm, MoveForm
from ..models import Code, Coding
from ..queries import code_paths, codebook_rows, seen_by

MOVE_ACTIONS = [
    ("up", gettext_lazy("Move up"), "↑"),
    ("down", gettext_lazy("Move down"), "↓"),
    ("out", gettext_lazy("Move out one level"), "←"),
    ("in", gettext_lazy("Move under the code above"), "→"),
]


def _codebook_context(membership, **extra):
    rows = codebook_rows(
        membership.project, with_counts=True, coder_ids=membership.visible_coder_ids()
    )
    return {
        "membership": membership,
        "project": membership.project,
        "rows": rows,
        "paths": code_paths(rows),
        "move_actions": MOVE_ACTIONS,
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def codebook(request, slug):
    membership = get_membership(request, slug)
    project = membership.project
    rows = codebook_rows(project, with_counts=True, coder_ids=membership.visible_coder_ids())
    paths = code_paths(rows)
    form = CodeForm(request.POST or None, project=project, paths=paths)
    if request.method == "POST":
        if not membership.can_code:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                code = services.create_code(
                    project=project,
                    name=data["name"],
                    parent=data["parent"],
                    colour=data["colour"],
                    definition=data["definition"],
                    inclusion=data["inclusion"],
                    exclusion=data["exclusion"],
                    example=data["example"],
                )
            except ValidationError as error:
                form.add_error("name", error)
            else:
                messages.success(request, _("Code “%(name)s” created.") % {"name": code.name})
                return redirect("coding:codebook", slug)
    context = {
        "membership": membership,
        "project": project,
        "rows": rows,
        "paths": paths,
        "form": form,
        "move_actions": MOVE_ACTIONS,
    }
    return render(request, "coding/codebook.html", context)


@login_required
@require_POST
def codebook_seed(request, slug):
    membership = get_membership(request, slug, allow=lambda m: m.is_admin)
    if Code.objects.filter(project=membership.project).exists():
        messages.error(request, _("The default codebook can only be added to an empty codebook."))
    else:
        services.seed_default_codebook(
            project=membership.project, language=request.POST.get("language")
        )
        messages.success(request, _("The default codebook of the reference study was added."))
    return redirect("coding:codebook", slug)


def _get_code(membership, code_id):
    return get_object_or_404(Code, pk=code_id, project=membership.project)


@login_required
@require_http_methods(["GET", "POST"])
def code_edit(request, slug, code_id):
    membership = get_membership(request, slug, allow=can_code)
    code = _get_code(membership, code_id)
    rows = codebook_rows(membership.project)
    exclude = [code.pk, *services.descendant_ids(code)]
    form = CodeForm(
        request.POST or None,
        instance=code,
        project=membership.project,
        paths=code_paths(rows),
        exclude=exclude,
    )
    if form.is_valid():
        new_parent = form.cleaned_data["parent"]
        name = form.cleaned_data["name"]
        try:
            with transaction.atomic():
                services.check_code_name(code=code, name=name, parent=new_parent)
                if new_parent != code.parent:
                    services.move_code(code=code, parent=new_parent)
                form.save()
        except ValidationError as error:
            form.add_error("name", error)
        except IntegrityError:  # a concurrent request took the name first
            form.add_error("name", services.name_taken(name))
        else:
            messages.success(request, _("Code “%(name)s” saved.") % {"name": code.name})
            return redirect("coding:codebook", slug)
    context = _codebook_context(membership, code=code, form=form)
    return render(request, "coding/code_edit.html", context)


@login_required
@require_POST
def code_move(request, slug, code_id):
    """Reorder (up/down) or re-parent (out: one level up; in: under the previous sibling)."""
    membership = get_membership(request, slug, allow=can_code)
    code = _get_code(membership, code_id)
    form = MoveForm(request.POST)
    siblings = list(Code.objects.filter(project=membership.project, parent=code.parent))
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == code.pk)
    try:
        if form.is_valid():
            direction = form.cleaned_data["direction"]
            if direction == "up" and index > 0:
                services.move_code(code=code, parent=code.parent, position=index - 1)
            elif direction == "down":
                services.move_code(code=code, parent=code.parent, position=index + 1)
            elif direction == "out" and code.parent is not None:
                grandparent = code.parent.parent
                services.move_code(code=code, parent=grandparent)
            elif direction == "in" and index > 0:
                services.move_code(code=code, parent=siblings[index - 1])
    except ValidationError as error:
        messages.error(request, error.messages[0])
    if request.htmx:
        context = _codebook_context(membership)
        return render(request, "coding/codebook.html#tree", context)
    return redirect("coding:codebook", slug)


@login_required
@require_http_methods(["GET", "POST"])
def code_merge(request, slug, code_id):
    membership = get_membership(request, slug, allow=can_code)
    code = _get_code(membership, code_id)
    rows = codebook_rows(membership.project)
    form = MergeForm(
        request.POST or None, project=membership.project, paths=code_paths(rows), code=code
    )
    if form.is_valid():
        into = form.cleaned_data["into"]
        try:
            moved = services.merge_codes(source_code=code, into=into, actor=request.user)
        except ValidationError as error:
            form.add_error("into", error)
        else:
            message = ngettext(
                "“%(old)s” merged into “%(new)s”: %(n)d coding moved.",
                "“%(old)s” merged into “%(new)s”: %(n)d codings moved.",
                moved,
            )
            messages.success(request, message % {"old": code.name, "new": into.name, "n": moved})
            return redirect("coding:codebook", slug)
    context = _codebook_context(membership, code=code, form=form, coding_count=code.codings.count())
    return render(request, "coding/code_merge.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def code_delete(request, slug, code_id):
    membership = get_membership(request, slug, allow=can_code)
    code = _get_code(membership, code_id)
    below = services.descendant_ids(code)
    coding_count = Coding.objects.filter(code_id__in=[code.pk, *below]).count()
    if request.method == "POST":
        name = code.name
        services.delete_code(code=code, actor=request.user)
        messages.success(request, _("Code “%(name)s” deleted.") % {"name": name})
        return redirect("coding:codebook", slug)
    context = _codebook_context(
        membership, code=code, coding_count=coding_count, subcode_count=len(below)
    )
    return render(request, "coding/code_delete.html", context)


@login_required
@require_GET
def code_detail(request, slug, code_id):
    """A code's definition and notes (what the picker and the codebook link to)."""
    membership = get_membership(request, slug)
    code = _get_code(membership, code_id)
    count = seen_by(membership, code.codings.all()).count()
    context = _codebook_context(membership, code=code, coding_count=count)
    template = "coding/code_detail.html"
    if request.htmx:
        template += "#card"
    return render(request, template, context)
