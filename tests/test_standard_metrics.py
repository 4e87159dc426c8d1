"""Every shipped standard metric (configs/standard/*.yaml) against numbers computed by hand.

The fixtures in tests/data/standard/ are small enough to count on paper; each expected value
below says how it was counted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from csperf.api import run_score

CONFIG = Path(__file__).parent / "data" / "standard" / "standard.yaml"


@pytest.fixture(scope="module")
def metrics() -> dict[str, dict[str, object]]:
    result = run_score(CONFIG)
    return {row["agent_id"]: row for row in result.agents.to_dicts()}


# (agent, metric, expected) — None means "no value" (zero denominator or no data).
HAND_COMPUTED = [
    # calls A: 5 offered, answered rows 1,2,5; waits 10+25+5 = 40 over 3 answered
    ("A", "asa", 40 / 3),
    # handle (100+20+30) + (200+0+40) + (60+10+20) = 480 over 3 answered
    ("A", "aht", 160.0),
    # answered within 20 s: rows 1 and 5 = 2; offered 5 minus 1 short abandon (3 s wait)
    ("A", "service_level", 2 / 4),
    # abandoned 2, of which 1 short: (2 - 1) / (5 - 1)
    ("A", "abandon_rate", 1 / 4),
    # resolved in the first contact among answered: rows 1 and 5
    ("A", "fcr", 2 / 3),
    # B: two short abandons only -> every denominator is zero
    ("B", "asa", None),
    ("B", "aht", None),
    ("B", "service_level", None),
    ("B", "abandon_rate", None),
    ("B", "fcr", None),
    # C: one call answered after exactly 20 s (inside the service level), handle 300 + 60 + 0
    ("C", "asa", 20.0),
    ("C", "aht", 360.0),
    ("C", "service_level", 1.0),
    ("C", "abandon_rate", 0.0),
    ("C", "fcr", 1.0),
    # dials A: 4 dials, 3 connected, 2 successes among connected, on 2 distinct days
    ("A", "connect_rate", 3 / 4),
    ("A", "conversion_rate", 2 / 3),
    ("A", "daily_volume", 2.0),
    # B: 1 dial not connected -> conversion has a zero denominator
    ("B", "connect_rate", 0.0),
    ("B", "conversion_rate", None),
    ("B", "daily_volume", 1.0),
    # C never dialed
    ("C", "connect_rate", None),
    # surveys A: csat 5,4,2,3 -> mean 3.5, top-2 = 2/4; nps 10,9,3,6 -> (2 - 2) / 4
    ("A", "csat_mean", 3.5),
    ("A", "csat_top2", 0.5),
    ("A", "nps", 0.0),
    # C: csat 1,1,1,5,5,5 -> 3.0 and 3/6; nps 0,1,2,7,8,10 -> promoters 1, detractors 3, passives 2
    ("C", "csat_mean", 3.0),
    ("C", "csat_top2", 0.5),
    ("C", "nps", 100 * (1 - 3) / 6),
    ("B", "nps", None),
    # tickets A (minutes): first replies 1, 3, 2 -> mean 2 min = 120 s, median 120 s;
    # resolutions 60 and 120 min over 2 solved -> 90 min = 5400 s
    ("A", "first_response_time", 120.0),
    ("A", "first_response_median", 120.0),
    ("A", "resolution_time", 5400.0),
    ("B", "first_response_time", None),
    ("B", "resolution_time", None),
    # complaints: A 1 valid over 3 handled; B 1 valid over 0 handled; C none over 1
    ("A", "complaint_rate", 1 / 3),
    ("B", "complaint_rate", None),
    ("C", "complaint_rate", 0.0),
]


@pytest.mark.parametrize(("agent", "metric", "expected"), HAND_COMPUTED)
def test_standard_metric(
    metrics: dict[str, dict[str, object]], agent: str, metric: str, expected: float | None
) -> None:
    value = metrics[agent][metric]
    if expected is None:
        assert value is None
    else:
        assert value == pytest.approx(expected, rel=1e-12)


def test_nps_is_negative_and_counts_are_signed(metrics: dict[str, dict[str, object]]) -> None:
    # Counts subtracted from each other must not wrap around as unsigned integers.
    assert metrics["C"]["nps"] == pytest.approx(-33.333333333333336)
    assert metrics["C"]["nps_promoters"] - metrics["C"]["nps_detractors"] == -2  # type: ignore[operator]


def test_min_volume_marks_small_samples(metrics: dict[str, dict[str, object]]) -> None:
    # A has 4 CSAT answers (< 5): the value exists but is flagged as insufficient; C has 6.
    assert metrics["A"]["csat_mean__insufficient"] is True
    assert metrics["C"]["csat_mean__insufficient"] is False
