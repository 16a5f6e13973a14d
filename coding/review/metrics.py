"""Agreement statistics as pure functions: no Django, no numpy, exact where it matters.

Units are whatever the caller counts. The agreement pages count *characters*:
every character of every chosen source is one unit, and for one code each coder
either coded it (1) or did not (0). The counts of that 2×2 table come from
interval arithmetic on the coders' passages (`union`, `covered`, `overlap`),
never from a loop over characters.

Formulas and their sources:

- Percent agreement: p_o = (units both coded + units neither coded) / units.
- Cohen's kappa (Cohen 1960, "A coefficient of agreement for nominal scales",
  Educational and Psychological Measurement 20(1): 37–46):
  κ = (p_o − p_e) / (1 − p_e), with chance agreement p_e = Σ_c p_A(c) · p_B(c),
  the product of each coder's own share of category c, summed over categories.
  Undefined when p_e = 1 (both coders gave every unit the same single value).
- Krippendorff's alpha for nominal data (Krippendorff 2011, "Computing
  Krippendorff's Alpha-Reliability", Annenberg School for Communication,
  University of Pennsylvania, https://repository.upenn.edu/asc_papers/43):
  from the coincidence matrix o_ck (each pairable value pair within a unit,
  counted both ways and weighted 1/(m_u − 1) for a unit with m_u values),
  n_c = Σ_k o_ck, n = Σ_c n_c,
  α = 1 − (n − 1) · Σ_{c≠k} o_ck / Σ_{c≠k} n_c · n_k.
  Chance is estimated from the pooled values of both coders (not each coder's
  own distribution, as kappa does), with a small-sample correction (n − 1).
  Undefined when only one value occurs at all (Σ_{c≠k} n_c · n_k = 0).

Undefined results are None, never NaN: the page shows them as "—".
"""

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

Span = tuple[int, int]  # half-open [start, end)


# Interval arithmetic (spans are half-open code-point ranges)


def union(spans: Iterable[Span]) -> list[Span]:
    """The spans merged into disjoint, sorted spans covering the same characters."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def covered(merged: Sequence[Span]) -> int:
    """Characters covered by disjoint spans (as `union` returns them)."""
    return sum(end - start for start, end in merged)


def overlap(first: Sequence[Span], second: Sequence[Span]) -> int:
    """Characters covered by both of two disjoint, sorted span lists (a two-pointer walk)."""
    total = i = j = 0
    while i < len(first) and j < len(second):
        low = max(first[i][0], second[j][0])
        high = min(first[i][1], second[j][1])
        if low < high:
            total += high - low
        if first[i][1] <= second[j][1]:
            i += 1
        else:
            j += 1
    return total


def matched(spans: Sequence[Span], others: Sequence[Span], threshold: Fraction) -> list[bool]:
    """For each span, whether one of `others` covers at least `threshold` of it.

    The share is measured on the span being judged: |p ∩ q| / |p| ≥ threshold
    for some single q of the other coder. A sweep over both lists sorted by
    start keeps only the others still open, so the cost follows the overlaps,
    not the product of the two lists.
    """
    order = sorted(range(len(spans)), key=lambda i: spans[i])
    pending = sorted(others)
    # overlap / length >= num / den, in whole numbers (Fractions are slow in the inner loop).
    num, den = threshold.numerator, threshold.denominator
    result = [False] * len(spans)
    active: list[Span] = []
    next_other = 0
    for i in order:
        start, end = spans[i]
        while next_other < len(pending) and pending[next_other][0] < end:
            active.append(pending[next_other])
            next_other += 1
        active = [other for other in active if other[1] > start]
        need = num * (end - start)
        result[i] = any(
            (min(end, other_end) - max(start, other_start)) * den >= need
            for other_start, other_end in active
            if other_start < end
        )
    return result


# The statistics


def percent_agreement(matrix: Mapping[tuple[Hashable, Hashable], int]) -> float | None:
    """Share of units on which both coders chose the same category (None without units).

    `matrix[(c, k)]` counts units coder A put in c and coder B in k.
    """
    total = sum(matrix.values())
    if not total:
        return None
    return sum(n for (c, k), n in matrix.items() if c == k) / total


def cohen_kappa(matrix: Mapping[tuple[Hashable, Hashable], int]) -> float | None:
    """Cohen's (1960) kappa from a two-coder contingency table; None when undefined.

    κ = (p_o − p_e) / (1 − p_e), p_e = Σ_c (row_c / n)(col_c / n). Computed in
    whole numbers, κ = (n · agree − Σ row_c · col_c) / (n² − Σ row_c · col_c),
    so "p_e = 1" is an exact test, not a float comparison.
    """
    rows: dict[Hashable, int] = defaultdict(int)
    cols: dict[Hashable, int] = defaultdict(int)
    agree = 0
    for (c, k), count in matrix.items():
        rows[c] += count
        cols[k] += count
        if c == k:
            agree += count
    n = sum(rows.values())
    chance = sum(rows[c] * cols.get(c, 0) for c in rows)
    denominator = n * n - chance
    if n == 0 or denominator == 0:
        return None
    return (n * agree - chance) / denominator


def coincidences(units: Iterable[Sequence[Hashable | None]]) -> dict[tuple, Fraction]:
    """Krippendorff's (2011) coincidence matrix from reliability data.

    Each unit is the sequence of values the coders gave it (None: missing).
    Units with fewer than two values are not pairable and drop out.
    """
    matrix: dict[tuple, Fraction] = defaultdict(Fraction)
    for unit in units:
        values = [value for value in unit if value is not None]
        m = len(values)
        if m < 2:
            continue
        weight = Fraction(1, m - 1)
        for i, c in enumerate(values):
            for j, k in enumerate(values):
                if i != j:
                    matrix[(c, k)] += weight
    return matrix


def two_coder_coincidences(matrix: Mapping[tuple[Hashable, Hashable], int]) -> dict[tuple, int]:
    """The coincidence matrix of two coders without missing values: o = table + transpose."""
    result: dict[tuple, int] = defaultdict(int)
    for (c, k), count in matrix.items():
        result[(c, k)] += count
        result[(k, c)] += count
    return result


def krippendorff_alpha_nominal(coincidence: Mapping[tuple, int | Fraction]) -> float | None:
    """Krippendorff's alpha for nominal data from a coincidence matrix; None when undefined.

    α = 1 − (n − 1) · Σ_{c≠k} o_ck / Σ_{c≠k} n_c · n_k  (Krippendorff 2011, nominal metric).
    """
    totals: dict[Hashable, Fraction] = defaultdict(Fraction)
    disagree = Fraction(0)
    for (c, k), count in coincidence.items():
        totals[c] += count
        if c != k:
            disagree += count
    n = sum(totals.values(), Fraction(0))
    expected = n * n - sum((value * value for value in totals.values()), Fraction(0))
    if n <= 1 or expected == 0:
        return None
    return float(1 - (n - 1) * disagree / expected)


def alpha_from_units(units: Iterable[Sequence[Hashable | None]]) -> float | None:
    """Krippendorff's alpha (nominal) straight from reliability data (any coders, missing ok)."""
    return krippendorff_alpha_nominal(coincidences(units))


# The two-coder, binary case the agreement pages use


@dataclass(frozen=True, slots=True)
class Binary:
    """A 2×2 table of units: coded by both, by A only, by B only, by neither."""

    both: int = 0
    only_a: int = 0
    only_b: int = 0
    neither: int = 0

    @classmethod
    def from_coverage(cls, *, units: int, a: int, b: int, both: int) -> "Binary":
        """From the units in all, those A coded, those B coded and those both coded."""
        return cls(both, a - both, b - both, units - a - b + both)

    def __add__(self, other: "Binary") -> "Binary":
        return Binary(
            self.both + other.both,
            self.only_a + other.only_a,
            self.only_b + other.only_b,
            self.neither + other.neither,
        )

    @property
    def units(self) -> int:
        return self.both + self.only_a + self.only_b + self.neither

    @property
    def a(self) -> int:
        return self.both + self.only_a

    @property
    def b(self) -> int:
        return self.both + self.only_b

    def matrix(self) -> dict[tuple[int, int], int]:
        return {(1, 1): self.both, (1, 0): self.only_a, (0, 1): self.only_b, (0, 0): self.neither}

    def percent(self) -> float | None:
        return percent_agreement(self.matrix())

    def kappa(self) -> float | None:
        return cohen_kappa(self.matrix())

    def alpha(self) -> float | None:
        return krippendorff_alpha_nominal(two_coder_coincidences(self.matrix()))
