"""Training on a generated corpus: honest figures, grouped folds, codes that get no classifier."""

import numpy as np

from coding.suggest import training
from coding.suggest.models import SourcePrediction

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
