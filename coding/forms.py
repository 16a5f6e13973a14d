from django import forms
from django.utils.translation import gettext_lazy as _

from .form_html import QUICK
from .models import Code, Memo


class CodeChoiceField(forms.ModelChoiceField):
    """A code of the project; with `known` (the codes the view has read already), the
    chosen one is found among them instead of by another query."""

    def __init__(self, *args, paths: dict[int, str] | None = None, known=None, **kwargs):
        self.paths = paths or {}
        self.known = known
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return self.paths.get(obj.pk, obj.name)

    def to_python(self, value):
        if self.known is None or value in self.empty_values:
            return super().to_python(value)
        try:
            return self.known[str(value)]
        except KeyError:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


def _code_field(
    project, paths, *, label, required=True, exclude=None, empty_label="---------", codes=None
):
    """A choice of the project's codes by path; `codes`, if given, are those codes read
    already (codebook_rows), so that neither the choices nor the choice need a query."""
    queryset = Code.objects.filter(project=project)
    if exclude:
        queryset = queryset.exclude(pk__in=exclude)
    if codes is None:
        codes = list(queryset)
    else:
        codes = [code for code in codes if code.pk not in set(exclude or ())]
    ordered = sorted(codes, key=lambda code: paths.get(code.pk, code.name).lower())
    field = CodeChoiceField(
        queryset=queryset,
        paths=paths,
        label=label,
        required=required,
        empty_label=empty_label,
        known={str(code.pk): code for code in codes},
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

    default_renderer = QUICK  # its widgets written in Python (coding/form_html.py)

    def __init__(self, *args, project, paths, exclude=(), codes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"] = _code_field(
            project,
            paths,
            label=_("Under"),
            required=False,
            exclude=exclude,
            empty_label=_("(top level)"),
            codes=codes,
        )


# A page open for a while may offer a code that a colleague has deleted since.
CODE_GONE = _(
    "A code you chose no longer exists (someone deleted it). "
    "Reload the page to see the codebook as it is now."
)


class CodingCreateForm(forms.Form):
    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=1)
    passage = forms.CharField(strip=False)
    codes = forms.ModelMultipleChoiceField(
        queryset=Code.objects.none(),
        required=False,
        error_messages={"invalid_choice": CODE_GONE},
    )
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
    code = forms.ModelChoiceField(
        queryset=Code.objects.none(), required=False, error_messages={"invalid_choice": CODE_GONE}
    )
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


class CodingMemoForm(forms.ModelForm):
    """A memo written in a coding's details: its text only (a title stays as it was)."""

    class Meta:
        model = Memo
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


class MergeForm(forms.Form):
    def __init__(self, *args, project, paths, code, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"] = _code_field(project, paths, label=_("Merge into"), exclude=[code.pk])


class MoveForm(forms.Form):
    direction = forms.ChoiceField(
        choices=[("up", "up"), ("down", "down"), ("out", "out"), ("in", "in")], required=False
    )
