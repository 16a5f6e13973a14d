import datetime as dt
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .importers import ImportFailed, check_source_length, normalise_text
from .models import Attribute, Case, Membership, Project, Source


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["name", "description", "language", "blind_coding"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class MemberAddForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise forms.ValidationError(
                _("There is no user called “%(name)s”."), params={"name": username}
            ) from None


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class AttributeForm(forms.ModelForm):
    class Meta:
        model = Attribute
        fields = ["name", "type"]

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Attribute.objects.filter(project=self.project, name__iexact=name).exists():
            raise forms.ValidationError(_("This attribute already exists."))
        return name


_VALUE_FIELDS = {
    Attribute.Type.TEXT: lambda label: forms.CharField(label=label, required=False, max_length=500),
    Attribute.Type.INTEGER: lambda label: forms.IntegerField(label=label, required=False),
    Attribute.Type.FLOAT: lambda label: forms.DecimalField(label=label, required=False),
    Attribute.Type.BOOLEAN: lambda label: forms.NullBooleanField(
        label=label, required=False, widget=forms.NullBooleanSelect
    ),
    Attribute.Type.DATE: lambda label: forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
    ),
}


def value_to_text(value) -> str:
    """Canonical text form of a typed attribute value (what CaseValue stores)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value).strip()


def text_to_initial(attribute: Attribute, text: str):
    if attribute.type == Attribute.Type.BOOLEAN:
        return {"true": True, "false": False}.get(text)
    return text


class CaseForm(forms.ModelForm):
    """A case's name and description, plus one field per project attribute."""

    class Meta:
        model = Case
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, project: Project, attributes, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.attributes = list(attributes)
        current = {}
        if self.instance.pk:
            current = {v.attribute_id: v.value for v in self.instance.values.all()}
        for attribute in self.attributes:
            field = _VALUE_FIELDS[attribute.type](attribute.name)
            field.initial = text_to_initial(attribute, current.get(attribute.pk, ""))
            self.fields[f"attr_{attribute.pk}"] = field

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = Case.objects.filter(project=self.project, name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("A case with this name already exists."))
        return name

    def attribute_values(self) -> dict[Attribute, str]:
        return {a: value_to_text(self.cleaned_data.get(f"attr_{a.pk}")) for a in self.attributes}

    def attribute_fields(self):
        return [self[f"attr_{a.pk}"] for a in self.attributes]


class SourceMetaForm(forms.ModelForm):
    class Meta:
        model = Source
        fields = ["title", "kind", "date", "place", "author", "cases"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "cases": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.fields["cases"].queryset = Case.objects.filter(project=membership.project)
        self.fields["kind"].choices = [
            (value, label)
            for value, label in Source.Kind.choices
            if membership.can_add_source(value) or value == self.instance.kind
        ]


class SourcePasteForm(SourceMetaForm):
    class Meta(SourceMetaForm.Meta):
        fields = [*SourceMetaForm.Meta.fields, "text"]
        widgets = {**SourceMetaForm.Meta.widgets, "text": forms.Textarea(attrs={"rows": 16})}

    def clean_text(self):
        text = self.cleaned_data["text"]
        try:
            check_source_length(normalise_text(text))
        except ImportFailed as failure:
            raise forms.ValidationError(failure.message) from None
        return text


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        # Each file is checked on its own by the importer, so that one bad file
        # gets its own message while the others still go in.
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not files:
            raise forms.ValidationError(_("Choose at least one file."))
        return files


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"))
    files = MultipleFileField(label=_("Files"))

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (value, label)
            for value, label in Source.Kind.choices
            if membership.can_add_source(value)
        ]
