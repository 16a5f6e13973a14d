"""`{% slot %}` and `{% link %}`: the places where other apps add to the study's pages."""

from django import template
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from .. import extensions

register = template.Library()


@register.simple_tag(takes_context=True)
def slot(context, place: str):
    """Every fragment registered for `place`, rendered with this page's context."""
    request = context.get("request")
    membership = context.get("membership")
    parts = []
    for fragment in extensions.fragments(place):
        extra = fragment.context(request, membership) if fragment.context else {}
        with context.push(**extra):
            parts.append(get_template(fragment.template).template.render(context))
    # Each part is a rendered Django template (autoescaped), not user input.
    return mark_safe("".join(parts))  # noqa: S308


@register.simple_tag
def link(kind: str, *args) -> str:
    return extensions.link(kind, *args)
