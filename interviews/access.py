"""Who may see what: the helper every project view calls first."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from .models import Membership


def get_membership(
    request: HttpRequest,
    slug: str,
    *,
    allow: Callable[[Membership], bool] | None = None,
) -> Membership:
    """The signed-in user's membership of project `slug`, with the project loaded.

    Non-members get 404 (never a page that confirms the project exists);
    members whose role lacks `allow` get 403.
    """
    try:
        membership = Membership.objects.select_related("project").get(
            project__slug=slug, user=request.user
        )
    except Membership.DoesNotExist:
        raise Http404 from None
    if allow is not None and not allow(membership):
        raise PermissionDenied
    return membership


def is_admin(membership: Membership) -> bool:
    return membership.is_admin


def can_code(membership: Membership) -> bool:
    return membership.can_code


def can_review(membership: Membership) -> bool:
    return membership.can_review
