"""Input of the agreement pages: which coders, sources, codes and overlap; which settlement."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .queries import DEFAULT_THRESHOLD


class PairForm(forms.Form):
    """Two coders and the overlap a passage needs to count as agreed (a GET form)."""

    a = forms.TypedChoiceField(label=_("Coder A"), coerce=int)
    b = forms.TypedChoiceField(label=_("Coder B"), coerce=int)
    threshold = forms.IntegerField(
        label=_("Passage overlap (%)"),
        min_value=1,
        max_value=100,
        required=False,
        help_text=_(
            "A passage agrees when one passage of the other coder with the same code "
            "covers at least this share of it."
        ),
    )

    def __init__(self, data, *, coders, **kwargs):
        super().__init__(data, **kwargs)
        choices = [(coder.id, coder.username) for coder in coders]
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices

    def clean_threshold(self) -> int:
        return self.cleaned_data["threshold"] or DEFAULT_THRESHOLD

    def clean(self):
        data = super().clean()
        if data.get("a") is not None and data.get("a") == data.get("b"):
            raise ValidationError(_("Choose two different coders."))
        return data


class AgreementForm(PairForm):
    sources = forms.TypedMultipleChoiceField(label=_("Sources"), coerce=int, required=False)
    codes = forms.TypedMultipleChoiceField(label=_("Codes"), coerce=int, required=False)

    def __init__(self, data, *, coders, source_ids, code_ids, **kwargs):
        super().__init__(data, coders=coders, **kwargs)
        self.fields["sources"].choices = [(pk, pk) for pk in source_ids]
        self.fields["codes"].choices = [(pk, pk) for pk in code_ids]


class CompareForm(PairForm):
    only = forms.BooleanField(label=_("Only paragraphs with open disagreements"), required=False)


class IdListField(forms.Field):
    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        try:
            return sorted({int(v) for v in values})
        except (TypeError, ValueError):
            raise ValidationError(_("That change could not be read.")) from None


class ReconcileForm(forms.Form):
    # Button values, never shown as text: the page labels the buttons with the coders' names.
    action = forms.ChoiceField(choices=[(a, a) for a in ("accept_a", "accept_b", "keep", "merge")])
    codings = IdListField()
    # "merge": a span offered on the page ("120:260") or "custom" with start and end.
    span = forms.CharField(required=False, max_length=40)
    start = forms.IntegerField(required=False, min_value=0)
    end = forms.IntegerField(required=False, min_value=1)

    def clean(self):
        data = super().clean()
        if data.get("action") != "merge":
            return data
        span = data.get("span") or ""
        if span == "custom":
            start, end = data.get("start"), data.get("end")
        else:
            try:
                start, end = (int(part) for part in span.split(":"))
            except ValueError:
                start = end = None
        if start is None or end is None or start >= end:
            raise ValidationError(_("Choose the span the merged coding should cover."))
        data["start"], data["end"] = start, end
        return data
