"""The link to suggestions in the project navigation, only where the feature is on."""

from django import template

from ..access import site_enabled

register = template.Library()


@register.inclusion_tag("coding/suggest/_nav.html", takes_context=True)
def suggestions_nav(context):
    """Shown unless the site has suggestions off. No query: the project switch is read by
    the page itself, which says when a project has them off (every page would pay)."""
    project, membership = context.get("project"), context.get("membership")
    shown = site_enabled() and project is not None and membership is not None
    request = context.get("request")
    name = request.resolver_match.url_name if request and request.resolver_match else ""
    return {"shown": shown, "project": project, "current": name.startswith("suggestion")}


@register.simple_tag
def suggestions_site_on() -> bool:
    """SUGGESTIONS_ENABLED, for the coding page's toggle (a setting, not a query)."""
    return site_enabled()
