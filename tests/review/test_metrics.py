"""The statistics against published worked examples, the krippendorff package and brute force."""

import itertools
import math
import random
from fractions import Fraction

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coding.review import metrics


def test_krippendorff_binary_example_two_coders_no_missing_data():
    """Krippendorff (2011), section A: ten units, two observers, α = 0.095."""
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    assert metrics.alpha_from_units(zip(a, b, strict=True)) == pytest.approx(1 - 19 * 4 / (14 * 6))
    assert round(metrics.alpha_from_units(zip(a, b, strict=True)), 3) == 0.095


def test_krippendorff_nominal_example_two_coders_no_missing_data():
    """Krippendorff (2011), section B: twelve units, values a–e, α = 0.692."""
    a = ["a", "a", "b", "b", "d", "c", "c", "c", "e", "d", "d", "a"]
    b = ["b", "a", "b", "b", "b", "c", "c", "c", "e", "d", "d", "d"]
    assert round(metrics.alpha_from_units(zip(a, b, strict=True)), 3) == 0.692


def test_krippendorff_nominal_example_four_coders_with_missing_data():
    """Krippendorff (2011), section C: four observers, twelve units, gaps, α = 0.743."""
    n = None
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
        [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n],
    ]
    assert round(metrics.alpha_from_units(zip(*data, strict=True)), 3) == 0.743


def test_cohen_kappa_textbook_example():
    """Two readers of 50 grant proposals: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no.

    p_o = 0.70, p_e = 0.5 · 0.6 + 0.5 · 0.4 = 0.50, κ = 0.40.
    """
    table = {("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15}
    assert metrics.percent_agreement(table) == pytest.approx(0.70)
    assert metrics.cohen_kappa(table) == pytest.approx(0.40)


@pytest.mark.parametrize(
    ("table", "kappa"),
    [
        # Same observed agreement (60%), different marginals, different kappa.
        ({(1, 1): 45, (1, 0): 15, (0, 1): 25, (0, 0): 15}, 0.1304),
        ({(1, 1): 25, (1, 0): 35, (0, 1): 5, (0, 0): 35}, 0.2593),
    ],
)
def test_kappa_depends_on_the_marginals(table, kappa):
    assert metrics.percent_agreement(table) == pytest.approx(0.60)
    assert metrics.cohen_kappa(table) == pytest.approx(kappa, abs=5e-5)


def test_undefined_values_are_none_never_nan():
    nobody = metrics.Binary(neither=100)
    assert nobody.percent() == 1.0
    assert nobody.kappa() is None
    assert nobody.alpha() is None
    everybody = metrics.Binary(both=100)
    assert everybody.kappa() is None
    assert everybody.alpha() is None
    empty = metrics.Binary()
    assert (empty.percent(), empty.kappa(), empty.alpha()) == (None, None, None)
    assert metrics.alpha_from_units([[1], [2, None]]) is None


def test_opposite_coders_have_kappa_minus_one():
    table = metrics.Binary(only_a=50, only_b=50)
    assert table.kappa() == -1.0
    assert table.alpha() < -0.9


def _reference_alpha(rows):
    data = np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=float)
    return krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")


@pytest.mark.parametrize("seed", range(20))
def test_alpha_equals_the_krippendorff_package_on_random_data(seed):
    rng = random.Random(seed)
    coders = rng.randint(2, 5)
    units = rng.randint(5, 60)
    categories = rng.randint(2, 5)
    rows = [
        [None if rng.random() < 0.15 else rng.randrange(categories) for _ in range(units)]
        for _ in range(coders)
    ]
    ours = metrics.alpha_from_units(zip(*rows, strict=True))
    theirs = _reference_alpha(rows)
    if ours is None:
        assert math.isnan(theirs) or theirs == pytest.approx(1.0)
    else:
        assert ours == pytest.approx(theirs, abs=1e-9)


@pytest.mark.parametrize("seed", range(20))
def test_two_coder_binary_table_equals_the_package_and_a_direct_kappa(seed):
    rng = random.Random(1000 + seed)
    n = rng.randint(10, 400)
    share_a, share_b = rng.random(), rng.random()
    a = [int(rng.random() < share_a) for _ in range(n)]
    b = [int(rng.random() < share_b) for _ in range(n)]
    table = metrics.Binary(
        both=sum(x & y for x, y in zip(a, b, strict=True)),
        only_a=sum(x & (1 - y) for x, y in zip(a, b, strict=True)),
        only_b=sum((1 - x) & y for x, y in zip(a, b, strict=True)),
        neither=sum((1 - x) & (1 - y) for x, y in zip(a, b, strict=True)),
    )
    p_o = sum(x == y for x, y in zip(a, b, strict=True)) / n
    p_e = (sum(a) / n) * (sum(b) / n) + (1 - sum(a) / n) * (1 - sum(b) / n)
    assert table.percent() == pytest.approx(p_o)
    if p_e < 1:
        assert table.kappa() == pytest.approx((p_o - p_e) / (1 - p_e))
        assert table.alpha() == pytest.approx(_reference_alpha([a, b]), abs=1e-9)


spans = st.lists(
    st.tuples(st.integers(0, 60), st.integers(1, 25)).map(lambda t: (t[0], t[0] + t[1])),
    max_size=12,
)


def _chars(span_list):
    return {i for start, end in span_list for i in range(start, end)}


@settings(max_examples=200, deadline=None)
@given(spans, spans)
def test_interval_arithmetic_equals_counting_characters(first, second):
    a, b = metrics.union(first), metrics.union(second)
    assert metrics.covered(a) == len(_chars(first))
    assert metrics.overlap(a, b) == len(_chars(first) & _chars(second))
    assert all(x[1] < y[0] for x, y in itertools.pairwise(a))  # disjoint, sorted


@settings(max_examples=200, deadline=None)
@given(spans, spans, st.integers(1, 100))
def test_matched_equals_a_pairwise_check(first, second, percent):
    share = Fraction(percent, 100)
    expected = [
        any(
            max(0, min(end, other_end) - max(start, other_start)) >= share * (end - start)
            for other_start, other_end in second
        )
        for start, end in first
    ]
    assert metrics.matched(first, second, share) == expected
