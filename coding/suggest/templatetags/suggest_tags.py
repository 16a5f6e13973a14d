"""The link to suggestions in the project navigation, only where the feature is on."""

from django import template

from ..access import project_enabled, site_enabled

register = template.Library()


@register.inclusion_tag("coding/suggest/_nav.html", takes_context=True)
def suggestions_nav(context):
    """Shown when the site and the project have suggestions on (admins: also when off here)."""
    project, membership = context.get("project"), context.get("membership")
    shown = (
        site_enabled()
        and project is not None
        and membership is not None
        and (membership.is_admin or project_enabled(project))
    )
    request = context.get("request")
    name = request.resolver_match.url_name if request and request.resolver_match else ""
    return {"shown": shown, "project": project, "current": name.startswith("suggestion")}
