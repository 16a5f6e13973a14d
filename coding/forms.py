from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from interviews.models import Attribute, Case, Source

from .analysis import Filters, code_filter
from .models import Code, Coding, Conclusion, Evidence, Memo


class CodeChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, paths: dict[int, str] | None = None, **kwargs):
        self.paths = paths or {}
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return self.paths.get(obj.pk, obj.name)


def _code_field(project, paths, *, label, required=True, exclude=None, empty_label="---------"):
    codes = Code.objects.filter(project=project)
    if exclude:
        codes = codes.exclude(pk__in=exclude)
    ordered = sorted(codes, key=lambda code: paths.get(code.pk, code.name).lower())
    field = CodeChoiceField(
        queryset=codes, paths=paths, label=label, required=required, empty_label=empty_label
    )
    field.choices = [("", empty_label), *((c.pk, paths.get(c.pk, c.name)) for c in ordered)]
    return field


class CodeForm(forms.ModelForm):
    class Meta:
        model = Code
        fields = ["name", "parent", "colour", "definition", "inclusion", "exclusion", "example"]
        widgets = {
            "colour": forms.TextInput(attrs={"type": "color"}),
            "definition": forms.Textarea(attrs={"rows": 3}),
            "inclusion": forms.Textarea(attrs={"rows": 2}),
            "exclusion": forms.Textarea(attrs={"rows": 2}),
            "example": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, project, paths, exclude=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"] = _code_field(
            project,
            paths,
            label=_("Under"),
            required=False,
            exclude=exclude,
            empty_label=_("(top level)"),
        )


class CodingCreateForm(forms.Form):
    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=1)
    passage = forms.CharField(strip=False)
    codes = forms.ModelMultipleChoiceField(queryset=Code.objects.none(), required=False)
    in_vivo = forms.BooleanField(required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["codes"].queryset = Code.objects.filter(project=project)

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("codes") and not data.get("in_vivo"):
            raise forms.ValidationError(_("Choose a code to apply."))
        return data


class CodingChangeForm(forms.Form):
    ACTIONS = ["code", "adjust", "span", "remove"]
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    code = forms.ModelChoiceField(queryset=Code.objects.none(), required=False)
    edge = forms.ChoiceField(choices=[("start", "start"), ("end", "end")], required=False)
    step = forms.TypedChoiceField(choices=[("-1", "-1"), ("1", "1")], coerce=int, required=False)
    start = forms.IntegerField(min_value=0, required=False)
    end = forms.IntegerField(min_value=1, required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].queryset = Code.objects.filter(project=project)


class MemoForm(forms.ModelForm):
    class Meta:
        model = Memo
        fields = ["title", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}


class MergeForm(forms.Form):
    def __init__(self, *args, project, paths, code, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"] = _code_field(project, paths, label=_("Merge into"), exclude=[code.pk])


class MoveForm(forms.Form):
    direction = forms.ChoiceField(
        choices=[("up", "up"), ("down", "down"), ("out", "out"), ("in", "in")], required=False
    )


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

    def __init__(self, *args, project, paths, **kwargs):
        super().__init__(*args, **kwargs)
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
        self.fields["coder"].queryset = (
            get_user_model().objects.filter(memberships__project=project).order_by("username")
        )
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

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conclusion"].queryset = Conclusion.objects.filter(project=project)
        self.fields["coding"].queryset = Coding.objects.filter(source__project=project)


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What needs more work?"), widget=forms.Textarea(attrs={"rows": 3})
    )
