"""Forms of the analysis stages: the shared filters, summaries, conclusions and evidence."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from coding.models import Code, Coding, Conclusion, Evidence
from coding.queries import code_paths, codebook_rows, seen_by
from interviews.models import Attribute, Case, Source

from .queries import Filters, code_filter


class AnalysisFilterForm(forms.Form):
    """The filters shared by retrieval and the displays (a GET form)."""

    code = forms.ModelChoiceField(queryset=Code.objects.none(), required=False, label=_("Code"))
    subcodes = forms.BooleanField(required=False, label=_("with its sub-codes"))
    case = forms.ModelChoiceField(queryset=None, required=False, label=_("Case"))
    attribute = forms.ModelChoiceField(queryset=None, required=False, label=_("Attribute"))
    value = forms.CharField(required=False, label=_("is"), max_length=200)
    kind = forms.ChoiceField(required=False, label=_("Kind of source"))
    coder = forms.ModelChoiceField(queryset=None, required=False, label=_("Coder"))
    date_from = forms.DateField(
        required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"})
    )
    review = forms.ChoiceField(required=False, label=_("Review"))

    def __init__(self, *args, project, paths, visible_coders=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.visible_coders = visible_coders
        codes = sorted(Code.objects.filter(project=project), key=lambda c: paths.get(c.pk, ""))
        self.fields["code"].queryset = Code.objects.filter(project=project)
        self.fields["code"].choices = [("", _("(every code)"))] + [
            (c.pk, paths.get(c.pk, c.name)) for c in codes
        ]
        self.fields["case"].queryset = Case.objects.filter(project=project)
        self.fields["case"].empty_label = _("(every case)")
        self.fields["attribute"].queryset = Attribute.objects.filter(project=project)
        self.fields["attribute"].empty_label = "—"
        self.fields["kind"].choices = [("", _("(every kind)")), *Source.Kind.choices]
        coders = get_user_model().objects.filter(memberships__project=project)
        if visible_coders is not None:
            coders = coders.filter(pk__in=visible_coders)
        self.fields["coder"].queryset = coders.order_by("username")
        self.fields["coder"].empty_label = _("(every coder)")
        self.fields["review"].choices = [("", _("(any)")), *Coding.Review.choices]

    def filters(self, *, with_code: bool = True) -> Filters:
        data = self.cleaned_data if self.is_valid() else {}
        code = data.get("code")
        return Filters(
            codes=code_filter(code, with_subcodes=data.get("subcodes", False))
            if code and with_code
            else None,
            case=data.get("case"),
            attribute_id=data["attribute"].pk if data.get("attribute") else None,
            attribute_value=data.get("value", ""),
            kind=data.get("kind", ""),
            coder_id=data["coder"].pk if data.get("coder") else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            review=data.get("review", ""),
            visible_coders=self.visible_coders,
        )


class SummaryForm(forms.Form):
    code = forms.ModelChoiceField(queryset=Code.objects.none())
    case = forms.ModelChoiceField(queryset=None, required=False)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False, strip=True)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].queryset = Code.objects.filter(project=project)
        self.fields["case"].queryset = Case.objects.filter(project=project)


class ConclusionForm(forms.ModelForm):
    class Meta:
        model = Conclusion
        fields = ["statement", "text"]
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 2}),
            "text": forms.Textarea(attrs={"rows": 8}),
        }


class EvidenceForm(forms.Form):
    conclusion = forms.ModelChoiceField(queryset=Conclusion.objects.none())
    coding = forms.ModelChoiceField(queryset=Coding.objects.none())
    stance = forms.ChoiceField(choices=Evidence.Stance.choices)
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        project = membership.project
        self.fields["conclusion"].queryset = Conclusion.objects.filter(project=project)
        self.fields["coding"].queryset = seen_by(
            membership, Coding.objects.filter(source__project=project)
        )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What needs more work?"), widget=forms.Textarea(attrs={"rows": 3})
    )


def filter_form(request, membership, rows=None) -> AnalysisFilterForm:
    """The shared filter form, bound to the query string; `rows` from codebook_rows if known.

    Its filters keep to the codings `membership` may see (blind coding).
    """
    project = membership.project
    rows = rows if rows is not None else codebook_rows(project)
    return AnalysisFilterForm(
        request.GET or None,
        project=project,
        paths=code_paths(rows),
        visible_coders=membership.visible_coder_ids(),
    )
