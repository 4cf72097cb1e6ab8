"""Tests for the vocabularies: ids, aliases, ranges and safety flags."""

from __future__ import annotations

from typing import Literal

import pytest

from player import vocab


def test_design_techniques_exist() -> None:
    assert {t.id for t in vocab.TECHNIQUES} == {
        "effleurage", "petrissage", "friction", "tapotement", "vibration", "trigger-point",
        "myofascial-release", "foam-roll", "ball-roll", "percussion", "stretch", "breathe",
        "rest"}


def test_design_regions_exist() -> None:
    ids = {r.id for r in vocab.REGIONS}
    assert {"neck", "suboccipitals", "jaw", "temples", "upper-trapezius", "levator-scapulae",
            "shoulders", "chest", "upper-back", "lats", "lower-back", "forearms", "hands",
            "glutes", "hip-flexors", "it-band", "quads", "hamstrings", "adductors", "calves",
            "feet"} <= ids


def test_aliases_and_spelling() -> None:
    assert vocab.technique_id("kneading") == "petrissage"
    assert vocab.technique_id("Trigger Point") == "trigger-point"
    assert vocab.technique_id("foam_roll") == "foam-roll"
    assert vocab.region_id("pecs") == "chest"
    assert vocab.region_id("Upper Traps") == "upper-trapezius"
    assert vocab.technique_id("nope") is None and vocab.region_id("nope") is None


def test_no_alias_is_shared() -> None:
    for items, names in ((vocab.TECHNIQUES, vocab.technique_names()),
                         (vocab.REGIONS, vocab.region_names())):
        spellings = [i.id for i in items] + [a for i in items for a in i.aliases]
        assert len(spellings) == len(set(spellings)) == len(names)


def test_ranges_follow_domain_md() -> None:
    tp = vocab.technique("trigger-point")
    assert (tp.min_seconds, tp.max_seconds) == (10, 30)
    for t in vocab.TECHNIQUES:
        assert 0 < t.min_seconds < t.max_seconds <= 3600
        assert t.instructions.endswith(".")
    assert not vocab.technique("breathe").needs_region
    assert not vocab.technique("rest").needs_region


def test_safety_flags() -> None:
    assert vocab.region("lower-back").no_roller and vocab.region("neck").no_roller
    assert vocab.region("neck").danger and vocab.region("back-of-knee").danger
    assert vocab.PRESSURE_WORDS["firm"] >= vocab.PRESSURE_FIRM
    assert vocab.PRESSURE_WARN_ABOVE == 7


@pytest.mark.parametrize(("kind", "item", "in_text", "shown"), [
    ("technique", "trigger-point", False, "Trigger point"),
    ("region", "upper-trapezius", False, "Upper trapezius"),
    ("region", "upper-trapezius", True, "upper trapezius"),
    ("region", "it-band", True, "IT band"),
    ("region", "tfl", True, "TFL"),
    ("region", "my-own-area", False, "My own area"),
    ("technique", "tai-chi", True, "tai chi"),
])
def test_display_name(kind: Literal["technique", "region"], item: str, in_text: bool,
                      shown: str) -> None:
    assert vocab.display_name(kind, item, in_text=in_text) == shown


def test_did_you_mean() -> None:
    assert vocab.did_you_mean("hamstrngs", vocab.region_names()) == " (did you mean 'hamstrings'?)"
    assert vocab.did_you_mean("zzzz", vocab.region_names()) == ""
    assert vocab.did_you_mean("dsk", ["desk-neck"], cutoff=0.9) == ""
