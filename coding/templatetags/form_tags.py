"""Form fields written in Python (`coding.form_html`), for forms rendered on every view."""

from django import template
from django.utils.safestring import mark_safe

from ..form_html import field_html

register = template.Library()


@register.simple_tag
def form_fields(form, skip=""):
    """Each field of `form` as `_field.html` lays it out, but those named in `skip`."""
    html = "\n".join(field_html(field) for field in form if field.name not in skip)
    return mark_safe(html)  # noqa: S308 - every label, help text and error escaped
