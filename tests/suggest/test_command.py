"""`manage.py train_suggestions <project>`."""

import io

import pytest
from django.core.management import CommandError, call_command

from coding.suggest.models import SuggestionModel


def test_the_command_trains_a_version_and_prints_its_figures(generated, project):
    out = io.StringIO()
    call_command("train_suggestions", project.slug, stdout=out)
    model = SuggestionModel.objects.get(project=project)
    text = out.getvalue()
    assert f"Model v1 of “{project.slug}”" in text
    assert "Jarang" in text and "no classifier (too_few)" in text
    row = model.figures[str(generated["codes"]["Forum"].pk)]
    f1 = row["grid"][model.params["thresholds"].index(model.threshold)][2]
    assert f"F1 {f1:.2f}" in text


def test_the_command_names_what_is_wrong(project, settings):
    with pytest.raises(CommandError, match="No project “nope”"):
        call_command("train_suggestions", "nope")
    with pytest.raises(CommandError, match="8 coded passages"):
        call_command("train_suggestions", project.slug)
    settings.SUGGESTIONS_ENABLED = False
    with pytest.raises(CommandError, match="Suggestions are off"):
        call_command("train_suggestions", project.slug)
