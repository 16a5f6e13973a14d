from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

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


# The links and forms each row of the tree carries, by URL name.
ROW_URLS = {
    "detail": "coding:code_detail",
    "move": "coding:code_move",
    "edit": "coding:code_edit",
    "merge": "coding:code_merge",
    "delete": "coding:code_delete",
}
_ID = 9_876_543_210  # a code id no project has, marking where each row's id goes


def _with_row_urls(slug: str, rows: list) -> list:
    """Give each code of the tree its URLs as `code.urls`.

    Each name is reversed once and the row's id put in its place: reversing five URLs
    for every row cost more than the rest of the page.
    """
    patterns = {
        key: reverse(name, args=[slug, _ID]).split(str(_ID)) for key, name in ROW_URLS.items()
    }
    for code, _depth in rows:
        code.urls = {key: f"{head}{code.pk}{tail}" for key, (head, tail) in patterns.items()}
    return rows


def _tree_context(membership, rows=None) -> dict:
    """What the code tree needs (the page and the partial that moves answer with)."""
    if rows is None:
        coder_ids = membership.visible_coder_ids()
        rows = codebook_rows(membership.project, with_counts=True, coder_ids=coder_ids)
    return {
        "membership": membership,
        "project": membership.project,
        "rows": _with_row_urls(membership.project.slug, rows),
        "move_actions": [(key, str(label), symbol) for key, label, symbol in MOVE_ACTIONS],
    }


def _code_page_context(membership, **extra) -> dict:
    """The pages of one code (edit, merge, delete, detail) show no tree."""
    return {"membership": membership, "project": membership.project, **extra}


@login_required
@require_http_methods(["GET", "POST"])
def codebook(request, slug):
    """The code tree and the new-code form; by htmx, a new code comes back as its row only."""
    membership = get_membership(request, slug)
    project = membership.project
    if request.method == "POST" and not membership.can_code:
        raise PermissionDenied
    coder_ids = membership.visible_coder_ids()
    # A post that succeeds needs the paths (the form's choices), not the counts.
    counted = request.method == "GET"
    rows = codebook_rows(project, with_counts=counted, coder_ids=coder_ids)
    codes = [code for code, _depth in rows]
    form = CodeForm(request.POST or None, project=project, paths=code_paths(rows), codes=codes)
    if request.method == "POST" and form.is_valid():
        try:
            code = _create_code(project, form.cleaned_data)
        except ValidationError as error:
            form.add_error("name", error)
        else:
            if request.htmx:
                return _code_created(request, membership, code, rows)
            messages.success(request, _("Code “%(name)s” created.") % {"name": code.name})
            return redirect("coding:codebook", slug)
    if request.htmx and request.method == "POST":  # the form again, with its errors
        context = {"membership": membership, "project": project, "form": form}
        return render(request, "coding/codebook.html#new_code", context, status=422)
    if not counted:
        rows = None  # the page again, with the form's errors and the tree's counts
    context = {**_tree_context(membership, rows), "form": form}
    return render(request, "coding/codebook.html", context)


def _create_code(project, data: dict) -> Code:
    return services.create_code(
        project=project,
        name=data["name"],
        parent=data["parent"],
        colour=data["colour"],
        definition=data["definition"],
        inclusion=data["inclusion"],
        exclusion=data["exclusion"],
        example=data["example"],
    )


def _with_new_code(rows: list, code: Code) -> tuple[list, int]:
    """The tree with a new code in its place, and that place's index.

    A new code sorts last among its siblings (services.create_code gives it the next
    `order`), so it follows the last row under its parent, or ends the tree.
    """
    if code.parent_id is None:
        return [*rows, (code, 0)], len(rows)
    parent = next(i for i, (row_code, _depth) in enumerate(rows) if row_code.pk == code.parent_id)
    depth = rows[parent][1]
    end = parent + 1
    while end < len(rows) and rows[end][1] > depth:
        end += 1
    return [*rows[:end], (code, depth + 1), *rows[end:]], end


def _code_created(request, membership, code: Code, rows: list):
    """A fresh form, and the new code's row swapped in after the row that precedes it.

    `rows` is the tree as it was before the code. The first code of a codebook changes
    the page's shape (no more "empty", no default codebook to offer): the page reloads.
    """
    if not rows:
        return HttpResponseClientRefresh()
    rows, index = _with_new_code(rows, code)
    code.coding_count = 0
    project = membership.project
    form = CodeForm(
        None,
        project=project,
        paths=code_paths(rows),
        initial={"parent": code.parent_id},
        codes=[row_code for row_code, _depth in rows],
    )
    form.fields["name"].widget.attrs["autofocus"] = True  # ready for the next code
    context = {
        **_tree_context(membership, [rows[index]]),
        "form": form,
        "created": code,
        "row": rows[index],
        "after": rows[index - 1][0].pk,
    }
    return render(request, "coding/codebook.html#created", context)


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
    context = _code_page_context(membership, code=code, form=form)
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
        return render(request, "coding/codebook.html#tree", _tree_context(membership))
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
    context = _code_page_context(
        membership, code=code, form=form, coding_count=code.codings.count()
    )
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
    context = _code_page_context(
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
    context = _code_page_context(membership, code=code, coding_count=count)
    template = "coding/code_detail.html"
    if request.htmx:
        template += "#card"
    return render(request, template, context)
