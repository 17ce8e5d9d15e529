"""Statistics of a paired comparison: the mean difference, its 95% CI, tests and power.

Two scenarios run on the same per-replication seeds face the same faults (common random
numbers), so replication k of A and of B form a pair and only the differences
``b_k - a_k`` matter: their spread is usually far smaller than either arm's, which is
what lets a few dozen replications resolve an effect.

One method decides: the paired t-test. The table and the sentence report the *mean*
difference, and the t-interval, the t-test and the power computation all speak of that
mean, so the interval excludes zero exactly when p < 0.05 and a reader never sees a
p-value from one test next to an interval from another. The Wilcoxon signed-rank test is
computed beside it as a check (drill KPIs are skewed, reference/anchors.md §5): it asks
whether the *typical* pair differs, a different question, so it never decides the
verdict; when the two disagree the comparison says so in words. The power computation
answers the question §5.1 raises: were there enough replications to detect the
difference we saw?
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

ALPHA = 0.05
POWER = 0.80
WILCOXON_MIN = 10
"""Fewer pairs than this and the signed-rank test cannot reach small p-values (its least
two-sided p at 5 pairs is 0.0625), so its disagreement with the t-test is not reported."""
MAX_NEEDED = 1_000_000
"""Beyond this the effect is, for a drill, not there: report it as unreachable."""


@dataclass(frozen=True, slots=True)
class PairedResult:
    """The paired difference ``B - A`` of one KPI over the replications where both exist."""

    n: int
    mean_a: float | None
    mean_b: float | None
    mean_diff: float | None
    sd_diff: float | None
    ci_low: float | None
    ci_high: float | None
    t_p: float | None
    """Two-sided p-value of the paired t-test (0 or 1 when every difference is equal)."""
    wilcoxon_p: float | None
    """Two-sided p-value of the Wilcoxon signed-rank test, a check of the typical pair
    that never decides the verdict (None below 2 non-zero pairs)."""
    normal_p: float | None
    """Shapiro-Wilk p-value of the differences (None when it cannot be computed)."""
    test: str
    """How :attr:`p` and the interval were obtained: ``t`` (paired t-test and t-interval),
    ``exact`` (every pair differs equally) or ``none`` (fewer than 2 pairs)."""
    p: float | None
    needed: int | None
    """Replications for 80% power at the observed mean and SD (None if not computable)."""

    @property
    def significant(self) -> bool:
        """The difference is distinguishable from zero at the 5% level."""
        return self.p is not None and self.p < ALPHA

    @property
    def clear(self) -> bool:
        """Significant and its 95% CI excludes zero: what a sentence may state as a
        difference. The interval and p-value come from the same test, so this is the
        same as :attr:`significant` (kept as its own name for --json readers)."""
        return (
            self.significant
            and self.ci_low is not None
            and self.ci_high is not None
            and (self.ci_low > 0 or self.ci_high < 0)
        )

    @property
    def power(self) -> float | None:
        """Power of the paired t-test with these n pairs to detect a true difference the
        size of the observed one, at the observed SD (None when undefined)."""
        if self.n < 2 or not self.mean_diff or not self.sd_diff:
            return None
        return paired_t_power(self.mean_diff / self.sd_diff, self.n)

    @property
    def typical_disagrees(self) -> bool:
        """The signed-rank test and the t-test reach different verdicts (from
        :data:`WILCOXON_MIN` pairs on, where the signed-rank test can reach 5%)."""
        if self.test != "t" or self.wilcoxon_p is None or self.n < WILCOXON_MIN:
            return False
        return (self.wilcoxon_p < ALPHA) != self.significant

    @property
    def underpowered(self) -> bool:
        """Too few replications to detect the observed difference with 80% power."""
        if self.n < 2 or self.mean_diff is None:
            return True
        if self.sd_diff == 0:
            return False
        return self.needed is None or self.needed > self.n

    def to_dict(self) -> dict[str, Any]:
        """Plain data for --json."""
        return {
            **asdict(self),
            "significant": self.significant,
            "clear": self.clear,
            "underpowered": self.underpowered,
            "power": self.power,
            "typical_disagrees": self.typical_disagrees,
        }


def _mean(xs: Sequence[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def paired(a: Sequence[float | None], b: Sequence[float | None]) -> PairedResult:
    """Compare B with A pair by pair; a pair where either value is None is left out."""
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    xs = [x for x, _ in pairs]
    ys = [y for _, y in pairs]
    d = [y - x for x, y in pairs]
    n = len(d)
    mean_d = _mean(d)
    base: dict[str, Any] = {"n": n, "mean_a": _mean(xs), "mean_b": _mean(ys), "mean_diff": mean_d}
    if n < 2 or mean_d is None:
        return PairedResult(
            **base,
            sd_diff=None,
            ci_low=None,
            ci_high=None,
            t_p=None,
            wilcoxon_p=None,
            normal_p=None,
            test="none",
            p=None,
            needed=None,
        )
    sd = math.sqrt(sum((x - mean_d) ** 2 for x in d) / (n - 1))
    if sd <= 1e-12 * max(1.0, abs(mean_d)):
        # Every pair differs by the same amount: a deterministic drill, no sampling error.
        exact_p = 1.0 if mean_d == 0 else 0.0
        return PairedResult(
            **base,
            sd_diff=0.0,
            ci_low=mean_d,
            ci_high=mean_d,
            t_p=exact_p,
            wilcoxon_p=None,
            normal_p=None,
            test="exact",
            p=exact_p,
            needed=n if mean_d != 0 else None,
        )
    from scipy import stats

    half = float(stats.t.ppf(1 - ALPHA / 2, n - 1)) * sd / math.sqrt(n)
    t_p = float(2 * stats.t.sf(abs(mean_d) / (sd / math.sqrt(n)), n - 1))
    nonzero = [x for x in d if x != 0]
    wilcoxon_p = float(stats.wilcoxon(nonzero).pvalue) if len(nonzero) >= 2 else None
    normal_p = float(stats.shapiro(d).pvalue) if n >= 3 else None
    return PairedResult(
        **base,
        sd_diff=sd,
        ci_low=mean_d - half,
        ci_high=mean_d + half,
        t_p=t_p,
        wilcoxon_p=wilcoxon_p,
        normal_p=normal_p,
        test="t",
        p=t_p,
        needed=replications_needed(mean_d, sd),
    )


def paired_t_power(effect: float, n: int, alpha: float = ALPHA) -> float:
    """Power of the two-sided paired t-test with ``n`` pairs at standardised effect
    ``mean / sd`` (exact, from the noncentral t distribution)."""
    if n < 2:
        return 0.0
    from scipy import stats

    dof = n - 1
    crit = float(stats.t.ppf(1 - alpha / 2, dof))
    nc = abs(effect) * math.sqrt(n)
    return float(stats.nct.sf(crit, dof, nc) + stats.nct.cdf(-crit, dof, nc))


def replications_needed(
    mean_diff: float, sd_diff: float, power: float = POWER, alpha: float = ALPHA
) -> int | None:
    """Fewest pairs giving the paired t-test ``power`` at the observed effect.

    Starts from the normal approximation ``((z_a + z_b) sd / mean)^2`` and walks to the
    exact (noncentral t) answer. None for no effect or beyond :data:`MAX_NEEDED`.
    """
    if mean_diff == 0 or not math.isfinite(mean_diff):
        return None
    if sd_diff == 0:
        return 2
    from scipy import stats

    effect = abs(mean_diff) / sd_diff
    z = float(stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power))
    n = max(2, math.ceil((z / effect) ** 2))
    if n > MAX_NEEDED:
        return None
    while n > 2 and paired_t_power(effect, n - 1, alpha) >= power:
        n -= 1
    while paired_t_power(effect, n, alpha) < power:
        n += 1
    return n
