"""A form renderer that writes the common widgets in Python.

Django renders each widget through its templates: a select includes a template per
option and another for each option's attributes, so the filter form of the analysis
pages (ten fields, some forty options) cost more than the fifty passages beside it.
`QuickRenderer` writes the same markup as Django's templates for `<select>`,
`<input>` and `<textarea>` and hands every other template (radio lists, the form
layouts, anything overridden) to Django. Every name, value and label goes through
`conditional_escape`, as the templates' autoescaping would.

A form opts in with `default_renderer = QUICK` (one instance: it keeps its engine).
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape

WIDGETS = "django/forms/widgets/"
INPUTS = {
    f"{WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "search",
        "date",
        "time",
        "datetime",
        "number",
        "email",
        "url",
        "tel",
        "password",
        "hidden",
        "color",
        "checkbox",
    )
}


def attributes(attrs) -> str:
    """As `django/forms/widgets/attrs.html`: False left out, True as a bare name."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def input_html(widget) -> str:
    value = widget["value"]
    shown = f' value="{conditional_escape(str(value))}"' if value is not None else ""
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{attributes(widget["attrs"])}>'
    )


def select_html(widget) -> str:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{attributes(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'<optgroup label="{conditional_escape(group_name)}">')
        parts.extend(
            f'<option value="{conditional_escape(str(option["value"]))}"'
            f"{attributes(option['attrs'])}>{conditional_escape(option['label'])}</option>"
            for option in options
        )
        if group_name:
            parts.append("</optgroup>")
    parts.append("</select>")
    return "\n".join(parts)


def textarea_html(widget) -> str:
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"'
        f"{attributes(widget['attrs'])}>\n{value}</textarea>"
    )


class QuickRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if widget is not None and widget.get("template_name") == template_name:
            if template_name in INPUTS:
                return input_html(widget)
            if template_name == f"{WIDGETS}select.html":
                return select_html(widget)
            if template_name == f"{WIDGETS}textarea.html":
                return textarea_html(widget)
        return super().render(template_name, context, request)


# One instance for every form: a renderer builds its template engine once.
QUICK = QuickRenderer()


def field_html(field) -> str:
    """A bound field as `templates/_field.html` lays it out: label, widget, help, errors."""
    errors = "".join(f'<p class="error">{conditional_escape(e)}</p>' for e in field.errors)
    help_text = (
        f'<small class="help">{conditional_escape(field.help_text)}</small>'
        if field.help_text
        else ""
    )
    return (
        f'<div class="field{" has-error" if field.errors else ""}">'
        f'<label for="{conditional_escape(field.id_for_label)}">'
        f"{conditional_escape(field.label)}</label>"
        f"{field}{help_text}{errors}</div>"
    )
