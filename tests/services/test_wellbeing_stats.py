"""Paired change in wellbeing, against figures worked by hand and a textbook example."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from lr_desk.services import wellbeing
from lr_desk.services.wellbeing_stats import (
    T975,
    item_change,
    mean_ci,
    paired_change,
    pairing,
    t975,
)

D0 = date(2024, 3, 4)


def days(*offsets: int) -> list[date]:
    return [D0 + timedelta(days=n) for n in offsets]


def test_a_score_41_days_on_does_not_pair_and_42_does():
    assert pairing(days(0, 41)) == (0, 1, False)
    assert pairing(days(0, 42)) == (0, 1, True)
    assert pairing(days(0)) == (0, 0, False)  # a baseline only


def test_the_latest_at_least_six_weeks_on_is_used():
    assert pairing(days(0, 10, 50, 90)) == (0, 3, True)
    # the latest pairs whenever any later score does: 50 days on, then 55
    assert pairing(days(0, 50, 55)) == (0, 2, True)


def test_no_scores_no_baseline():
    with pytest.raises(ValueError):
        pairing([])


def test_paired_change_worked_by_hand():
    # metric scores of four people: changes +3.30, 0, -1.67, +5.17
    pairs = [(17.43, 20.73), (19.25, 19.25), (23.21, 21.54), (14.08, 19.25)]
    got = paired_change(pairs, baseline_only=3)
    assert (got.n_paired, got.n_baseline_only) == (4, 3)
    assert got.mean_baseline == 18.49  # 73.97 / 4 = 18.4925
    assert got.mean_latest == 20.19  # 80.77 / 4 = 20.1925
    assert got.mean_change == 1.70  # 6.80 / 4
    # sd: sqrt((1.60^2 + 1.70^2 + 3.37^2 + 3.47^2) / 3) = sqrt(28.8478 / 3) = 3.100957;
    # half width: t(3) 3.182446 * 3.100957 / 2 = 4.934289
    assert (got.ci_low, got.ci_high) == (-3.23, 6.63)
    assert (got.n_improved, got.n_same, got.n_worse) == (2, 1, 1)
    assert got.n_meaningful == 2  # +3.30 and +5.17
    assert got.share_improved == 50.0 and got.share_meaningful == 50.0


def test_a_change_of_exactly_three_points_is_meaningful():
    base, latest = 13.33, 16.33  # 2.9999999999999982 in floating point
    assert latest - base < 3
    got = paired_change([(base, latest), (10.0, 12.99)])
    assert got.n_meaningful == 1 and got.n_improved == 2


def test_no_pairs_no_means():
    got = paired_change([], baseline_only=5)
    assert (got.n_paired, got.n_baseline_only) == (0, 5)
    assert got.mean_change is None and got.ci_low is None and got.share_improved is None
    one = paired_change([(15.0, 18.0)])
    assert one.mean_change == 3.0 and one.ci_low is None and one.ci_high is None


def test_ci_as_the_textbook_paired_example():
    # Student (1908) / Cushny & Peebles: extra hours of sleep, drug 2 minus drug 1 for ten
    # patients. R's t.test(extra ~ group, data = sleep, paired = TRUE) gives the mean
    # difference 1.58 with 95 per cent confidence interval 0.7001142 to 2.4598858.
    diffs = [1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4]
    mean, low, high = mean_ci(diffs)
    assert mean == pytest.approx(1.58)
    assert low == pytest.approx(0.7001142, abs=1e-6)
    assert high == pytest.approx(2.4598858, abs=1e-6)


def _t_cdf(x: float, df: int, steps: int = 4000) -> float:
    """Student's t distribution function at ``x`` > 0, by Simpson's rule on its density."""
    log_c = (math.lgamma((df + 1) / 2) - math.lgamma(df / 2)
             - 0.5 * math.log(df * math.pi))

    def density(u: float) -> float:
        return math.exp(log_c - (df + 1) / 2 * math.log1p(u * u / df))

    h = x / steps
    total = density(0) + density(x) + sum((4 if i % 2 else 2) * density(i * h)
                                          for i in range(1, steps))
    return 0.5 + total * h / 3


@pytest.mark.parametrize("df", [*range(1, 31), 31, 35, 40, 60, 100, 250, 1000])
def test_t_quantiles_leave_two_and_a_half_per_cent_above(df):
    assert _t_cdf(t975(df), df) == pytest.approx(0.975, abs=2e-7)


def test_the_t_table_joins_the_expansion_smoothly():
    assert len(T975) == 30
    assert t975(30) > t975(31) > t975(1000) > 1.959964
    with pytest.raises(ValueError):
        t975(0)


def test_ons4_item_change_and_bands_of_the_same_people():
    # life satisfaction of three paired people: 2 -> 6, 5 -> 5, 8 -> 10
    got = item_change("1", [(2, 6), (5, 5), (8, 10)], 1, wellbeing.ons4_band,
                      wellbeing.ons4_bands("1"))
    assert got.change.n_paired == 3 and got.change.n_baseline_only == 1
    assert got.change.mean_baseline == 5.0 and got.change.mean_latest == 7.0
    assert got.change.mean_change == 2.0
    assert got.change.n_meaningful == 0 and got.change.threshold is None
    assert got.bands_baseline == {"Low": 1, "Medium": 1, "High": 1, "Very high": 0}
    assert got.bands_latest == {"Low": 0, "Medium": 2, "High": 0, "Very high": 1}


def test_ons4_anxiety_bands_run_the_other_way():
    got = item_change("4", [(7, 1), (4, 3)], 0, wellbeing.ons4_band,
                      wellbeing.ons4_bands("4"))
    assert got.change.mean_change == -3.5  # less anxious: the better way
    assert got.bands_baseline == {"Very low": 0, "Low": 0, "Medium": 1, "High": 1}
    assert got.bands_latest == {"Very low": 1, "Low": 1, "Medium": 0, "High": 0}
