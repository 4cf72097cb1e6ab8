"""Tests for pain ratings per region (player.pain): parsing, records, series, painful regions."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from player import pain, vocab
from player.errors import UsageError


@pytest.mark.parametrize(("text", "overall", "regions"), [
    ("6", 6, {}),
    ("calves=6,feet=4", None, {"calves": 6, "feet": 4}),
    (" 5 , calf = 7 ", 5, {"calves": 7}),
    ("traps=3", None, {"upper-trapezius": 3}),
    ("", None, {}),
])
def test_parse_rating(text: str, overall: int | None, regions: dict[str, int]) -> None:
    assert pain.parse_rating(text) == pain.Rating(overall, regions)


@pytest.mark.parametrize(("text", "says"), [
    ("11", "from 0 to 10"),
    ("calves=x", "pain for calves must be a whole number"),
    ("calvs=5", "did you mean"),
    ("5,6", "one overall"),
    ("feet=-1", "from 0 to 10"),
])
def test_bad_ratings_are_one_line(text: str, says: str) -> None:
    with pytest.raises(UsageError) as err:
        pain.parse_rating(text)
    assert says in str(err.value) and "\n" not in str(err.value)


def test_region_pain_record_and_damage() -> None:
    rp = pain.region_pain({"calves": 6, "feet": 4}, {"calves": 3, "neck": 2})
    assert rp == {"calves": {"before": 6, "after": 3}, "feet": {"before": 4},
                  "neck": {"after": 2}}
    damaged = {"region_pain": {"calves": {"before": "6"}, "elbows": {"before": 3},
                               "feet": [1], "neck": {"before": 11, "after": 2}}}
    assert pain.ratings_of(damaged) == {"neck": (None, 2)}
    assert pain.ratings_of({"region_pain": "x"}) == {}


def _rec(day: str, **regions: tuple[int | None, int | None]) -> dict[str, object]:
    rp = {r: {k: v for k, v in (("before", b), ("after", a)) if v is not None}
          for r, (b, a) in regions.items()}
    return {"started": f"{day}T08:00:00+00:00", "routine": "r", "region_pain": rp}


def test_painful_regions_use_the_latest_rating_in_the_last_week() -> None:
    records = [
        _rec("2026-03-01", calves=(8, 7)),           # too old
        _rec("2026-03-05", feet=(6, 5), neck=(5, 2)),  # neck got better
        _rec("2026-03-07", jaw=(None, 4)),
        _rec("2026-03-08", glutes=(3, 3)),          # mild
    ]
    assert pain.painful_regions(records, today=date(2026, 3, 10)) == ["jaw", "feet"]


def test_series_lines() -> None:
    records = [_rec("2026-03-05", calves=(6, 3)), _rec("2026-03-02", calves=(7, None)),
               _rec("2026-03-04", feet=(2, 1))]
    series = pain.region_series(records, "calves")
    assert [r.started[:10] for r in series] == ["2026-03-02", "2026-03-05"]
    text = "\n".join(pain.series_lines("calves", series))
    assert " 7 → –" in text and " 6 → 3   (-3)" in text and "Average change over 1" in text
    assert "No pain ratings for the neck" in pain.series_lines("neck", [])[0]


def _recent_lines_whole(records: list[dict[str, object]], last: int) -> list[str]:
    """recent_lines as it was before it streamed: every record in memory, sorted per region."""
    regions = pain.rated_regions(records)
    if not regions:
        return []
    width = max(len(vocab.REGION_BY_ID[r].name) for r in regions)
    out = []
    for rid in regions:
        series = pain.region_series(records, rid)[-last:]
        cells = "  ".join(f"{'–' if r.before is None else r.before}→"
                          f"{'–' if r.after is None else r.after}" for r in series)
        out.append(f"{vocab.REGION_BY_ID[rid].name:<{width}}  {cells}")
    return out


_score = st.one_of(st.none(), st.integers(min_value=0, max_value=10))


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(min_value=1, max_value=9),
                               st.dictionaries(st.sampled_from(["calves", "feet", "neck", "jaw"]),
                                               st.tuples(_score, _score), max_size=3)),
                     max_size=30),
       last=st.integers(min_value=1, max_value=6))
def test_recent_ratings_streamed_match_the_whole_history(
        rows: list[tuple[int, dict[str, tuple[int | None, int | None]]]], last: int) -> None:
    # Days repeat and arrive out of order: "last" is by started, then file order.
    records = [_rec(f"2026-03-0{day}", **regions) for day, regions in rows]
    for i, r in enumerate(records):
        r["routine"] = f"r{i}"
    assert pain.recent_lines(records, last) == _recent_lines_whole(records, last)
