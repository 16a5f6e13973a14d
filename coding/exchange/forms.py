from pathlib import PurePath

from django import forms
from django.utils.translation import gettext_lazy as _

from interviews.importers.base import max_upload_bytes, size_text
from interviews.models import Membership


class UploadForm(forms.Form):
    """One file, of one of `extensions`, within the upload limit."""

    file = forms.FileField(label=_("File"))

    def __init__(self, *args, extensions: tuple[str, ...], label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.extensions = extensions
        if label:
            self.fields["file"].label = label
        self.fields["file"].widget.attrs["accept"] = ",".join(extensions)
        self.fields["file"].help_text = _("%(extensions)s, at most %(limit)s.") % {
            "extensions": ", ".join(extensions),
            "limit": size_text(max_upload_bytes()),
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        extension = PurePath(upload.name).suffix.lower()
        if extension not in self.extensions:
            raise forms.ValidationError(
                _("Choose a file ending in %(extensions)s.")
                % {"extensions": ", ".join(self.extensions)}
            )
        if upload.size > max_upload_bytes():
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s.")
                % {"size": size_text(upload.size), "limit": size_text(max_upload_bytes())}
            )
        return upload


class ConfirmForm(forms.Form):
    token = forms.RegexField(regex=r"^[A-Za-z0-9_-]{20,64}$")
    format = forms.ChoiceField(choices=[(f, f) for f in ("qdc", "csv", "tsv", "qdpx", "taguette")])
    action = forms.ChoiceField(choices=[("confirm", "confirm"), ("cancel", "cancel")])


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        name = obj.user.get_full_name().strip()
        username = obj.user.get_username()
        return f"{name} ({username})" if name and name != username else username


class HandOverForm(forms.Form):
    """Whose imported work (a placeholder coder) goes to which member."""

    placeholder = MemberChoice(queryset=Membership.objects.none(), label=_("The work of"))
    member = MemberChoice(queryset=Membership.objects.none(), label=_("Hand it over to"))

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        memberships = Membership.objects.filter(project=project).select_related("user")
        self.fields["placeholder"].queryset = memberships.filter(placeholder_guid__isnull=False)
        self.fields["member"].queryset = memberships.filter(
            placeholder_guid__isnull=True, user__is_active=True
        )
