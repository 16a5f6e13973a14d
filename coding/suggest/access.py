"""Who may see suggestions, and the two off switches (site and project)."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import Http404

from interviews.access import get_membership
from interviews.models import Membership, Project

from .models import SuggestionModel, SuggestionSettings


def site_enabled() -> bool:
    return bool(getattr(settings, "SUGGESTIONS_ENABLED", True))


def project_enabled(project: Project) -> bool:
    row = SuggestionSettings.objects.filter(project=project).values_list("enabled", flat=True)
    return next(iter(row), True)


def suggestions_on(view):
    """With SUGGESTIONS_ENABLED=0 every suggestion URL answers 404, to anyone."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not site_enabled():
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def get_suggest_membership(
    request, slug: str, *, allow: Callable[[Membership], bool] | None = None
) -> Membership:
    """The membership, for a project whose suggestions are on (else 404)."""
    membership = get_membership(request, slug, allow=allow)
    if not project_enabled(membership.project):
        raise Http404
    return membership


def visible_coder_ids(membership: Membership) -> list[int] | None:
    """Whose codings this member may see (the one rule: Membership.visible_coder_ids)."""
    return membership.visible_coder_ids()


def may_see_model(model: SuggestionModel, visible: list[int] | None) -> bool:
    """A model shows only what its training codings tell; it is visible to whoever sees them."""
    if visible is None:
        return True
    return model.coder_ids is not None and set(model.coder_ids) <= set(visible)


def visible_models(membership: Membership) -> list[SuggestionModel]:
    """The project's model versions this member may see, newest first (without the blob)."""
    visible = visible_coder_ids(membership)
    models = (
        SuggestionModel.objects.filter(project=membership.project)
        .select_related("trained_by")
        .defer("estimator")
    )
    return [model for model in models.order_by("-number") if may_see_model(model, visible)]
