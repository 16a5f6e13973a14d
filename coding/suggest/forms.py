"""Input of the suggestion pages."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .estimator import THRESHOLDS
from .models import SuggestionDecision


def threshold_choices() -> list[tuple[str, str]]:
    return [(f"{value:.2f}", f"{value:.2f}") for value in THRESHOLDS]


def read_threshold(raw: str | None, default: float) -> float:
    """One of THRESHOLDS: the one asked for, else the one nearest `default`."""
    try:
        wanted = float(raw) if raw else default
    except ValueError:
        wanted = default
    return min(THRESHOLDS, key=lambda value: abs(value - wanted))


class DecisionForm(forms.Form):
    """Accept or reject one suggested passage of one model version."""

    version = forms.IntegerField(min_value=1)
    code = forms.IntegerField(min_value=1)
    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=1)
    verdict = forms.ChoiceField(choices=SuggestionDecision.Verdict.choices)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and start >= end:
            raise ValidationError(_("The suggested passage is empty."))
        return data


class AcceptAllForm(forms.Form):
    version = forms.IntegerField(min_value=1)
    threshold = forms.TypedChoiceField(choices=threshold_choices, coerce=float)


class UndoForm(forms.Form):
    batch = forms.UUIDField()


class SettingsForm(forms.Form):
    enabled = forms.BooleanField(
        label=_("Suggest codes in this project"),
        required=False,
        help_text=_(
            "Off: nobody in this project can train a model or see suggestions. "
            "Models and decisions already recorded are kept."
        ),
    )
