"""Tests for pain ratings per region (player.pain): parsing, records, series, painful regions."""

from __future__ import annotations

from datetime import date

import pytest

from player import pain
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
