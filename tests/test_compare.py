"""`csperf compare`: variants on one read of the data, rank and tier changes, ρ, τ-b, bonus cost.

The fixture (tests/data/compare) has five agents whose metric points equal their values:

    agent   m1   m2   70/30 (base)   30/70 (variant)
    A       90   10   63 + 3  = 66   27 + 7  = 34
    B       50   50   35 + 15 = 50   15 + 35 = 50
    C       20  100   14 + 30 = 44    6 + 70 = 76
    D      100  100   100            100
    E        0   40    0 + 12 = 12    0 + 28 = 28

Ranks: base D1 A2 B3 C4 E5, variant D1 C2 B3 A4 E5, so A falls 2 places and C rises 2.
Tiers gold ≥ 70 (1000), silver ≥ 45 (400): base D gold, A and B silver (cost 1800); variant D and C
gold, B silver, A none (cost 2400): two tier changes (C up, A down), +600.
Spearman: d = (0, −2, 0, 2, 0), ρ = 1 − 6·8 / (5·24) = 0.6. Kendall: of the 10 pairs only A, B, C
swap among themselves (3 discordant), τ = (7 − 3) / 10 = 0.4. Top-2: {D, A} vs {D, C}: overlap 1.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from typer.testing import CliRunner

from csperf.api import run_score
from csperf.cli import app
from csperf.compare import (
    average_ranks,
    build_variants,
    compare,
    kendall_tau_b,
    rescore,
    shorten,
    spearman,
)
from csperf.config import load_config
from csperf.errors import CsperfError

DATA = Path(__file__).resolve().parent / "data" / "compare"
ROOT = Path(__file__).resolve().parent.parent
BASE = DATA / "base.yaml"
VARIANT = DATA / "variant.yaml"

# agent: (score, rank, tier, bonus), from the table in the module docstring
EXPECTED_BASE = {
    "A": (66.0, 2, "silver", 400.0),
    "B": (50.0, 3, "silver", 400.0),
    "C": (44.0, 4, None, 0.0),
    "D": (100.0, 1, "gold", 1000.0),
    "E": (12.0, 5, None, 0.0),
}
EXPECTED_VARIANT = {
    "A": (34.0, 4, None, 0.0),
    "B": (50.0, 3, "silver", 400.0),
    "C": (76.0, 2, "gold", 1000.0),
    "D": (100.0, 1, "gold", 1000.0),
    "E": (28.0, 5, None, 0.0),
}


def _rows(result, name: str) -> dict[str, tuple[float, int, str | None, float]]:
    table = result.agents
    return {
        row["agent_id"]: (
            round(row[f"score_{name}"], 9),
            row[f"rank_{name}"],
            row[f"tier_{name}"],
            row[f"bonus_{name}"],
        )
        for row in table.iter_rows(named=True)
    }


def test_variant_file_ranks_tiers_and_bonus_by_hand() -> None:
    result = compare(BASE, [VARIANT], top=2)
    assert result.names == ["base", "variant"]
    assert _rows(result, "base") == EXPECTED_BASE
    assert _rows(result, "variant") == EXPECTED_VARIANT
    changes = dict(result.agents.select("agent_id", "rank_change_variant").iter_rows())
    assert changes == {"A": -2, "B": 0, "C": 2, "D": 0, "E": 0}
    tiers = dict(result.agents.select("agent_id", "tier_change_variant").iter_rows())
    assert tiers == {"A": "silver → none", "B": "", "C": "none → gold", "D": "", "E": ""}
    # Sorted by the first variant's rank.
    assert result.agents["agent_id"].to_list() == ["D", "A", "B", "C", "E"]


def test_summary_by_hand() -> None:
    result = compare(BASE, [VARIANT], top=2)
    first, second = result.summary
    assert first.spearman == pytest.approx(1.0) and first.kendall == pytest.approx(1.0)
    assert first.bonus_total == 1800 and first.bonus_diff == 0
    assert second.compared == 5
    assert second.spearman == pytest.approx(0.6)
    assert second.kendall == pytest.approx(0.4)
    assert (second.top_n, second.top_overlap) == (2, 1)
    assert (second.tier_changes, second.tier_up, second.tier_down) == (2, 1, 1)
    assert second.tier_counts == {"gold": 2, "silver": 1, "none": 2}
    assert second.bonus_total == 2400 and second.bonus_diff == 600
    assert second.currency == "CNY"
    assert second.read_separately is None


def test_scorecards_of_one_config_are_variants_too() -> None:
    by_cards = compare(BASE, scorecards=["a_heavy", "b_heavy"], top=2)
    assert by_cards.names == ["a_heavy", "b_heavy"]
    assert _rows(by_cards, "a_heavy") == EXPECTED_BASE
    assert _rows(by_cards, "b_heavy") == EXPECTED_VARIANT
    assert by_cards.summary[1].spearman == pytest.approx(0.6)
    scorecards = set(by_cards.agents["scorecard_b_heavy"].to_list())
    assert scorecards == {"b_heavy"}


def test_weights_table_shows_each_variant() -> None:
    result = compare(BASE, [VARIANT])
    weights = {(r["variant"], r["scorecard"], r["metric"]): r["weight"] for r in result.weights.to_dicts()}
    assert weights[("base", "a_heavy", "m1")] == pytest.approx(70)
    assert weights[("variant", "a_heavy", "m1")] == pytest.approx(30)
    assert weights[("variant", "a_heavy", "m2")] == pytest.approx(70)


def test_variant_with_other_metrics_reads_the_data_itself() -> None:
    result = compare(BASE, [DATA / "variant_extra.yaml"])
    outcome = result.variants[1]
    assert outcome.read_separately is not None and "metrics" in outcome.read_separately
    assert _rows(result, "variant_extra") == EXPECTED_VARIANT
    assert result.summary[1].read_separately == outcome.read_separately


def test_data_is_read_once_for_compatible_variants(monkeypatch: pytest.MonkeyPatch) -> None:
    import csperf.compare as module

    calls: list[str] = []
    original = module.score

    def counting(loaded, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(str(loaded.path))
        return original(loaded, *args, **kwargs)

    monkeypatch.setattr(module, "score", counting)
    compare(BASE, [VARIANT, VARIANT])
    assert len(calls) == 1


def test_rescore_with_the_same_config_reproduces_the_pipeline() -> None:
    """rescore repeats the pipeline's stages after the metrics; this catches the two drifting apart.
    The period leaves A1058 (hired 10-28) without data: such an agent is not scored at all."""
    from csperf.periods import parse_period

    loaded = load_config(ROOT / "configs" / "outbound.yaml")
    result = run_score(loaded, period=parse_period("2026-10-01..2026-10-20"))
    assert result.data_quality.roster_agents_without_data == ["A1058"]
    again = rescore(result, loaded)
    assert again.agents.select("agent_id", "score", "rank", "scorecard_rank").equals(
        result.agents.select("agent_id", "score", "rank", "scorecard_rank")
    )
    assert result.bonus is not None and again.bonus is not None
    assert again.bonus.equals(result.bonus)
    assert again.data_quality.insufficient == result.data_quality.insufficient


def test_shrinkage_is_redone_for_the_variant_scorecards() -> None:
    """shrink.yaml shrinks a rate toward its scorecard's pooled value (k = 5); shrink_one.yaml puts
    everyone on one scorecard. Successes/trials: P1 9/10, P2 2/4, P3 3/10, P4 4/5, so pooled 18/29 and
    P1 = (9 + 5 · 18/29) / (10 + 5) = 0.806897 under the variant (0.861905 with group x: 11/14)."""
    result = compare(DATA / "shrink.yaml", [DATA / "shrink_one.yaml"])
    rates = {name: dict(o.result.agents.select("agent_id", "rate").iter_rows()) for name, o in
             zip(result.names, result.variants, strict=True)}  # fmt: skip
    assert rates["shrink"]["P1"] == pytest.approx((9 + 5 * 11 / 14) / 15)
    assert rates["shrink_one"]["P1"] == pytest.approx((9 + 5 * 18 / 29) / 15)
    assert rates["shrink_one"]["P3"] == pytest.approx((3 + 5 * 18 / 29) / 15)
    # The same as scoring the variant on its own.
    alone = run_score(DATA / "shrink_one.yaml")
    assert dict(alone.agents.select("agent_id", "score").iter_rows()) == pytest.approx(
        dict(result.agents.select("agent_id", "score_shrink_one").iter_rows())
    )


def test_variant_names() -> None:
    assert shorten(["aftersales_normal", "aftersales_promo"]) == ["normal", "promo"]
    assert shorten(["base", "variant"]) == ["base", "variant"]
    assert shorten(["x_a", "x_a"]) == ["x_a", "x_a"]  # nothing would be left to tell them apart
    assert shorten(["promo-2025", "promo-2026"]) == ["2025", "2026"]
    variants = build_variants(BASE, [VARIANT, VARIANT])
    assert [v.name for v in variants] == ["base", "variant", "variant_2"]


def test_errors() -> None:
    with pytest.raises(CsperfError, match="at least two variants"):
        compare(BASE)
    with pytest.raises(CsperfError, match="unknown scorecard c_heavy; the config has: a_heavy, b_heavy"):
        compare(BASE, scorecards=["a_heavy", "c_heavy"])
    with pytest.raises(CsperfError, match="file not found"):
        compare(BASE, [DATA / "missing.yaml"])


# --- rank statistics ------------------------------------------------------------------------------


def test_spearman_and_kendall_by_hand() -> None:
    # The fixture's ranks (see the module docstring).
    assert spearman([1, 2, 3, 4, 5], [1, 4, 3, 2, 5]) == pytest.approx(0.6)
    assert kendall_tau_b([1, 2, 3, 4, 5], [1, 4, 3, 2, 5]) == pytest.approx(0.4)
    assert spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1)
    assert kendall_tau_b([1, 2, 3], [3, 2, 1]) == pytest.approx(-1)
    # Ties: x = (1, 2, 2, 3), y = (1, 3, 2, 4). Pairs: 5 concordant, 0 discordant, 1 tied in x only;
    # τ-b = 5 / √((6 − 1)(6 − 0)) = 5 / √30.
    assert kendall_tau_b([1, 2, 2, 3], [1, 3, 2, 4]) == pytest.approx(5 / math.sqrt(30))
    # Spearman with ties: x ranks (1, 2.5, 2.5, 4) against (1, 3, 2, 4): centred x (−1.5, 0, 0, 1.5),
    # y (−1.5, 0.5, −0.5, 1.5): Σxy = 4.5, Σx² = 4.5, Σy² = 5 → ρ = 4.5 / √22.5.
    assert spearman([1, 2, 2, 3], [1, 3, 2, 4]) == pytest.approx(4.5 / math.sqrt(22.5))
    assert average_ranks([10.0, 30.0, 20.0, 30.0]).tolist() == [1.0, 3.5, 2.0, 3.5]
    assert spearman([1], [1]) is None and kendall_tau_b([1], [1]) is None
    assert spearman([2, 2, 2], [1, 2, 3]) is None and kendall_tau_b([2, 2, 2], [1, 2, 3]) is None


def _tau_b_by_pairs(x: list[int], y: list[int]) -> float | None:
    concordant = discordant = tied_x = tied_y = 0
    for i, j in itertools.combinations(range(len(x)), 2):
        dx, dy = x[i] - x[j], y[i] - y[j]
        if dx == 0:
            tied_x += 1
        if dy == 0:
            tied_y += 1
        if dx * dy > 0:
            concordant += 1
        elif dx * dy < 0:
            discordant += 1
    pairs = len(x) * (len(x) - 1) // 2
    denominator = math.sqrt((pairs - tied_x) * (pairs - tied_y))
    return (concordant - discordant) / denominator if denominator else None


pairs_of_lists = st.integers(min_value=2, max_value=30).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 6), min_size=n, max_size=n),
        st.lists(st.integers(0, 6), min_size=n, max_size=n),
    )
)


@settings(max_examples=60, deadline=None)
@given(pairs_of_lists)
def test_kendall_matches_pair_counting(data: tuple[list[int], list[int]]) -> None:
    x, y = data
    expected = _tau_b_by_pairs(x, y)
    got = kendall_tau_b(x, y, cells=7)  # tiny blocks exercise the chunking
    assert (got is None) == (expected is None)
    if expected is not None:
        assert got == pytest.approx(expected)


@settings(max_examples=40, deadline=None)
@given(pairs_of_lists)
def test_spearman_matches_duckdb_corr_of_average_ranks(data: tuple[list[int], list[int]]) -> None:
    x, y = data
    con = duckdb.connect()
    con.execute("CREATE TABLE t (x INTEGER, y INTEGER)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(zip(x, y, strict=True)))
    # Average rank of a value = its first position + (its number of copies − 1) / 2.
    (expected,) = con.execute(
        """
        SELECT corr(rx, ry) FROM (
          SELECT rank() OVER (ORDER BY x) + (count(*) OVER (PARTITION BY x) - 1) / 2.0 AS rx,
                 rank() OVER (ORDER BY y) + (count(*) OVER (PARTITION BY y) - 1) / 2.0 AS ry
          FROM t)
        """
    ).fetchone()
    got = spearman(x, y)
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        assert got is None
    else:
        assert got == pytest.approx(expected, abs=1e-9)


# --- the command ---------------------------------------------------------------------------------------


def test_cli_compare_prints_and_writes(tmp_path: Path) -> None:
    out_csv, out_json, out_xlsx = tmp_path / "cmp.csv", tmp_path / "cmp.json", tmp_path / "cmp.xlsx"
    result = CliRunner().invoke(
        app,
        [
            "compare",
            str(BASE),
            str(VARIANT),
            "--top",
            "2",
            "-o",
            str(out_csv),
            "-o",
            str(out_json),
            "-o",
            str(out_xlsx),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "base: " in result.output and "variant: " in result.output
    assert "0.600" in result.output and "0.400" in result.output and "1/2" in result.output
    assert "2 (1/1)" in result.output and "+600" in result.output
    assert "silver ↓" not in result.output  # A leaves silver: shown as no tier, marked down
    assert "– ↓" in result.output and "gold ↑" in result.output
    assert f"wrote {out_csv}" in result.output and f"wrote {tmp_path / 'cmp.summary.csv'}" in result.output

    csv_text = out_csv.read_text(encoding="utf-8-sig").splitlines()
    assert csv_text[0].startswith("agent_id,score_base,rank_base,scorecard_base,tier_base,bonus_base")
    assert "rank_change_variant" in csv_text[0] and len(csv_text) == 6
    summary = (tmp_path / "cmp.summary.csv").read_text(encoding="utf-8-sig").splitlines()
    assert summary[2].startswith("variant,") and ",0.6,0.4,2,1,2,1,1," in summary[2]

    document = json.loads(out_json.read_text(encoding="utf-8"))
    agent_c = next(a for a in document["agents"] if a["agent_id"] == "C")
    assert agent_c["variants"]["variant"] == {
        "scorecard": "a_heavy", "score": 76.0, "rank": 2, "tier": "gold", "bonus": 1000.0,
        "rank_change": 2, "tier_change": "none → gold",
    }  # fmt: skip
    assert document["summary"][1]["bonus_diff"] == 600

    workbook = load_workbook(out_xlsx)
    assert workbook.sheetnames == ["Summary", "Agents", "Weights"]
    assert workbook["Agents"]["A2"].value == "D"


def test_cli_compare_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    single = runner.invoke(app, ["compare", str(BASE)])
    assert single.exit_code == 2
    assert "give at least two variants" in single.output
    unknown = runner.invoke(app, ["compare", str(BASE), "--scorecard", "a_heavy", "--scorecard", "nope"])
    assert unknown.exit_code == 2 and "unknown scorecard nope" in unknown.output
    bad_out = runner.invoke(app, ["compare", str(BASE), str(VARIANT), "-o", str(tmp_path / "x.pdf")])
    assert bad_out.exit_code == 2 and "unknown report format '.pdf'" in bad_out.output
    assert not (tmp_path / "x.pdf").exists()
    bad_perturb = runner.invoke(app, ["compare", str(BASE), "--perturb", "10"])
    assert bad_perturb.exit_code == 2 and "ambiguous; write 10%" in bad_perturb.output


def test_aftersales_example_is_what_the_generator_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(
        "generate_aftersales", ROOT / "examples" / "generate_aftersales.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    module.generate(tmp_path, 40, 11)
    for name in ("roster.csv", "sessions.csv", "README.md"):
        assert (tmp_path / name).read_bytes() == (ROOT / "examples" / "aftersales" / name).read_bytes(), name


def test_shipped_aftersales_variants_tell_the_story() -> None:
    """The generator's design: the sprinter rises under the promotion weighting, the careful agent falls."""
    configs = ROOT / "configs"
    result = compare(configs / "aftersales_normal.yaml", [configs / "aftersales_promo.yaml"])
    assert result.names == ["normal", "promo"]
    changes = dict(result.agents.select("agent_id", "rank_change_promo").iter_rows())
    assert changes["W2008"] >= 10  # sprinter: fast and high-volume
    assert changes["W2017"] <= -10  # careful: slow, resolves nearly everything
    summary = result.summary[1]
    assert summary.read_separately is None
    assert summary.spearman is not None and 0 < summary.spearman < 1
    weights = {(r["variant"], r["metric"]): r["weight"] for r in result.weights.to_dicts()}
    assert weights[("normal", "resolution_rate")] == pytest.approx(50)  # the articles' 50%
    assert weights[("promo", "session_volume")] == pytest.approx(40)  # the articles' 40%
