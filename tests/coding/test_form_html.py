"""The quick form renderer writes what Django's widget templates write."""

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from coding.form_html import QUICK


class Everything(forms.Form):
    name = forms.CharField(max_length=20, initial='Rapat "koordinasi" <b>')
    colour = forms.CharField(widget=forms.TextInput(attrs={"type": "color"}))
    when = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    count = forms.IntegerField(required=False)
    shown = forms.BooleanField(required=False, initial=True)
    hidden = forms.CharField(widget=forms.HiddenInput, initial="x&y")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), initial="a < b\nc")
    empty_note = forms.CharField(widget=forms.Textarea, required=False)
    kind = forms.ChoiceField(
        choices=[("", "(every kind)"), ("interview", "Wawancara <lisan>"), ("x", "X & Y")],
        initial="interview",
    )
    grouped = forms.ChoiceField(
        choices=[('Tema "A"', [("1", "satu"), ("2", "dua")]), ("3", "tiga")], initial="2"
    )
    many = forms.MultipleChoiceField(choices=[("1", "a"), ("2", "b")], initial=["1", "2"])
    pick = forms.ChoiceField(choices=[("1", "a"), ("2", "b")], widget=forms.RadioSelect)


def squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("data", [None, {"name": "x'<", "kind": "x", "many": ["2"]}])
def test_each_widget_is_written_as_django_writes_it(data):
    django_form = Everything(data, renderer=DjangoTemplates())
    quick_form = Everything(data, renderer=QUICK)
    for name in Everything.base_fields:
        expected = squeeze(str(django_form[name]))
        assert squeeze(str(quick_form[name])) == expected, name


def test_form_fields_lays_out_each_field_as_the_field_template():
    from django.template.loader import render_to_string

    from coding.templatetags.form_tags import form_fields

    class Bad(forms.Form):
        name = forms.CharField(help_text="Nama <kode>", label="Nama & label")
        kind = forms.ChoiceField(choices=[("a", "A")])

    form = Bad({"name": ""}, renderer=QUICK)
    assert not form.is_valid()
    expected = "".join(render_to_string("_field.html", {"field": field}) for field in form)
    assert squeeze(form_fields(form)) == squeeze(expected)
    assert "has-error" in form_fields(form) and "Nama &amp; label" in form_fields(form)
    assert 'name="kind"' not in form_fields(form, "kind")
