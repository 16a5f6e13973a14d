"""Whether the site has suggestions on, for the templates that show them."""

from django import template

from ..access import site_enabled

register = template.Library()


@register.simple_tag
def suggestions_site_on() -> bool:
    """SUGGESTIONS_ENABLED, for the coding page's toggle (a setting, not a query)."""
    return site_enabled()
