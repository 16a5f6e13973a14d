"""The stored form of a trained model: the vectorizer and stacked coefficients, and
what running it gives. numpy, scipy and scikit-learn load only when it runs."""

import hashlib
import io
import platform

from .models import SuggestionModel
from .units import Unit

# Thresholds offered on the pages; the figures are measured at each, and a unit's
# probability is stored when it reaches the lowest.
THRESHOLDS = [round(0.05 * step, 2) for step in range(1, 20)]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def library_versions() -> dict[str, str]:
    import joblib
    import numpy
    import scipy
    import sklearn

    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
    }


def dump_estimator(estimator: dict) -> bytes:
    import joblib

    buffer = io.BytesIO()
    joblib.dump(estimator, buffer, compress=3)
    return buffer.getvalue()


def load_estimator(model: SuggestionModel) -> dict:
    # Only this server writes `estimator` (never an upload), so unpickling it is safe.
    import joblib

    return joblib.load(io.BytesIO(bytes(model.estimator)))


def probabilities(estimator: dict, matrix):
    """Units × codes probabilities from the stacked coefficients."""
    from scipy.special import expit

    return expit(matrix @ estimator["coef"].T + estimator["intercept"])


def prediction_rows(units: list[Unit], probs, code_ids: list[int]) -> list[list]:
    """[start, end, code id, p, paragraph, unit number] for every unit and code whose
    probability p reaches the lowest threshold offered."""
    import numpy as np

    floor = THRESHOLDS[0]
    rows = []
    unit_index, code_index = np.nonzero(probs >= floor)
    for i, j in zip(unit_index.tolist(), code_index.tolist(), strict=True):
        unit = units[i]
        p = round(float(probs[i, j]), 4)
        rows.append([unit.start, unit.end, code_ids[j], p, unit.paragraph, i])
    return rows
