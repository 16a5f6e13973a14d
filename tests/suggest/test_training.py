"""Training on a generated corpus: honest figures, grouped folds, codes that get no classifier."""

import subprocess
import sys

import numpy as np
import pytest

from coding.services import apply_code
from coding.suggest import training
from coding.suggest.models import SourcePrediction, SuggestionModel
from coding.suggest.training import NothingToLearn, train_project_model

from ..conftest import make_source
from .conftest import RARE


def test_every_code_with_twenty_examples_reaches_f1_of_0_8(trained):
    model = trained["model"]
    index = model.params["thresholds"].index(model.threshold)
    checked = 0
    for name, code in trained["codes"].items():
        row = model.figures[str(code.pk)]
        assert row["passages"] == trained["counts"][name]
        if row["passages"] >= 20:
            precision, recall, f1 = row["grid"][index]
            assert f1 >= 0.8, (name, precision, recall, f1)
            checked += 1
    assert checked == len(trained["codes"]) - 1


def test_a_code_with_too_few_passages_gets_no_classifier(trained):
    model = trained["model"]
    rare = trained["codes"][RARE]
    row = model.figures[str(rare.pk)]
    assert row["status"] == "too_few" and row["passages"] == 5 and row["grid"] == []
    assert rare.pk not in model.code_ids
    stored = SourcePrediction.objects.filter(model=model)
    assert not any(unit[2] == rare.pk for row in stored for unit in row.units)


def test_a_version_records_what_it_was_made_of(trained, researcher):
    model = trained["model"]
    assert model.number == 1 and model.trained_by == researcher
    assert model.sources == 10 and model.passages == sum(trained["counts"].values())
    assert model.units > model.passages
    assert model.versions["scikit-learn"] and model.versions["numpy"]
    assert model.params["cv"] == "GroupKFold by source" and model.params["min_passages"] == 8
    assert len(bytes(model.estimator)) > 1000
    assert SourcePrediction.objects.filter(model=model).count() == 10
    again = train_project_model(project_id=model.project_id)
    assert again.number == 2


def test_grouped_folds_never_share_a_source():
    groups = np.array([1, 1, 2, 2, 2, 3, 4, 4, 5, 6, 6, 6, 7])
    folds = training.grouped_folds(groups)
    assert len(folds) == 5
    tested = []
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test])
        tested += test.tolist()
    assert sorted(tested) == list(range(len(groups)))  # each unit is tested once
    assert training.grouped_folds(np.array([3, 3, 3])) == []


def test_training_cross_validates_by_source(generated, project, monkeypatch):
    seen = []
    real = training.grouped_folds

    def recording(groups):
        folds = real(groups)
        seen.append((groups, folds))
        return folds

    monkeypatch.setattr(training, "grouped_folds", recording)
    train_project_model(project_id=project.pk)
    [(groups, folds)] = seen
    assert len(set(groups.tolist())) == 10 and len(folds) == 5
    for train, test in folds:
        assert not set(groups[train].tolist()) & set(groups[test].tolist())


def test_nothing_to_learn_says_what_is_missing(project, researcher, source):
    from coding.services import create_code

    code = create_code(project=project, name="Forum")
    apply_code(
        source=source, start=13, end=22, passage=source.text[13:22], code=code, coder=researcher
    )
    with pytest.raises(NothingToLearn, match="8 coded passages in at least two sources"):
        train_project_model(project_id=project.pk)
    assert not SuggestionModel.objects.exists()


def test_a_code_coded_in_one_source_only_cannot_be_measured(project, researcher):
    from coding.services import create_code

    text = " ".join(f"Kalimat nomor {i} tentang rapat." for i in range(10))
    source = make_source(project, text=f"Ibu Maria: {text}")
    code = create_code(project=project, name="Forum")
    for unit in training.text_units(source.text):
        passage = source.text[unit.start : unit.end]
        apply_code(
            source=source,
            start=unit.start,
            end=unit.end,
            passage=passage,
            code=code,
            coder=researcher,
        )
    with pytest.raises(NothingToLearn):
        train_project_model(project_id=project.pk)


def test_reading_suggestions_does_not_load_scikit_learn():
    script = (
        "import django, os, sys; os.environ['DJANGO_SETTINGS_MODULE'] = 'tests.settings';"
        "django.setup();"
        "import coding.suggest.views, coding.suggest.queries, coding.suggest.services;"
        "from django.urls import reverse; reverse('coding:suggestions', args=['x']);"
        "sys.exit('sklearn' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", script], check=False).returncode == 0
