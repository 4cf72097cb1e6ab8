"""The loader's speed tricks (player/speedups.py) change nothing but the time taken."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from player import speedups
from player.loader import check_file

ROUTINE = "name: x\nsteps:\n  - {technique: stretch, region: calves, duration: %s}\n"


def test_a_value_remembered_clean_is_still_reported_where_it_is_wrong(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(ROUTINE % "30s", encoding="utf-8")
    bad.write_text(ROUTINE % "0s", encoding="utf-8")
    for _ in range(2):  # the second round meets every value remembered
        assert check_file(good, search_dirs=(tmp_path,))[0] is not None
        routine, problems = check_file(bad, search_dirs=(tmp_path,))
        assert routine is None
        assert [p.message for p in problems] == ["'duration' must be more than 0 seconds, got 0s"]


def test_remembered_tags_are_the_resolvers_own() -> None:
    text = ("a: 1\nb: 1.5\nc: yes\nd: ~\ne: 2026-12-04\nf: '1'\ng: 0x1f\nh: 1:30\ni: [1, x]\n"
            "j: " + "9" * 300 + "\n")
    def tags(node: yaml.Node) -> list[str]:
        out = [node.tag]
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                out += tags(k) + tags(v)
        elif isinstance(node, yaml.SequenceNode):
            for v in node.value:
                out += tags(v)
        return out
    plain = tags(yaml.compose(text, Loader=yaml.SafeLoader))
    for _ in range(2):
        assert tags(yaml.compose(text, Loader=speedups.Loader)) == plain


def test_real_file_is_resolve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    (real_dir / "r.yaml").write_text("x", encoding="utf-8")
    (tmp_path / "linked").symlink_to(real_dir)
    (tmp_path / "file-link.yaml").symlink_to(real_dir / "r.yaml")
    speedups.forget_folders()
    for path in (tmp_path / "linked" / "r.yaml", tmp_path / "file-link.yaml",
                 tmp_path / "linked" / ".." / "real" / "r.yaml", tmp_path / "missing.yaml"):
        assert speedups.real_file(path) == path.resolve(), path
    monkeypatch.chdir(tmp_path)
    assert speedups.real_file(Path("linked/r.yaml")) == (real_dir / "r.yaml").resolve()
