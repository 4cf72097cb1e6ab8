"""The streamed history (`scan_history`, what `unknot history` reads with) against the
whole-file reader: the same records count, the same lines are skipped as damaged with the same
numbers, the same summary and the same recent records, for any mix of good and damaged lines,
filters and block sizes (so block edges fall inside lines). And `unknot history` lists newest
first and holds a flat amount of memory however long the file."""

from __future__ import annotations

import json
import tracemalloc
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from player import history
from player.cli import main
from player.history import store

TODAY = date(2026, 11, 20)


def record(day: int, **changes: object) -> dict[str, object]:
    r: dict[str, object] = {
        "routine": "desk-neck", "name": "Desk neck", "started": f"2026-11-{day:02d}T08:00:00+01:00",
        "ended": f"2026-11-{day:02d}T08:10:00+01:00", "completed": True,
        "active_seconds": 600.0, "steps_done": 3, "steps_skipped": 0, "pain_before": 6,
        "pain_after": 3, "regions": {"calves": 420.5, "neck": 60},
    }
    r.update(changes)
    return r


def dumps(r: dict[str, object]) -> bytes:
    return json.dumps(r, ensure_ascii=False).encode()


GOOD = [
    dumps(record(1)), dumps(record(19)), dumps(record(20, routine="calves", name="Calf care")),
    dumps(record(5, name=None)), dumps({k: v for k, v in record(6).items() if k != "name"}),
    dumps(record(7, active_seconds=90)),  # an int
    dumps(record(8, steps_done=2.0)),  # a float step count: not the fast decoder's, still good
    dumps(record(9, program="week-1")),  # a field the fast decoder does not know
    dumps(record(10, regions={"calves": True, "neck": "x"})),  # odd region values are ignored
    dumps(record(11, pain_before=True, pain_after=11)),  # odd ratings are no pair
    dumps(record(12, name=7)),
    dumps(record(13, name="Nacken & Schultern – sanft")),
    json.dumps(record(14, name="odd \ud800 name")).encode(),  # a lone surrogate, escaped
    dumps(record(15)) + b"\r",  # CRLF
    b"   " + dumps(record(16)),
    dumps(record(17, regions=None, pain_before=None)),
    dumps(record(16, routine="Desk-Neck", name="DESK neck")),  # ids and names match any case
    dumps(record(15, region_pain={"calves": {"before": 6, "after": 3}, "neck": {"after": 2}})),
    dumps(record(14, region_pain={"calves": {"before": 6.5}})),  # not the fast decoder's
    dumps(record(18, started="2026-11-18")),
    b'{"routine": "r", "started": "2026-11-02T07:00:00Z", "active_seconds": 1, '
    b'"active_seconds": 2}',  # a key twice: the last one counts, in both readers
]
BAD = [
    b"not json", b"{", b"[]", b"{}", b"null", b'"a string"',
    dumps(record(3, active_seconds=-1)), dumps(record(3, active_seconds="600")),
    dumps(record(3, active_seconds=True)), dumps(record(3, started="2026-02-30T08:00:00")),
    dumps(record(3, started=20261103)), dumps(record(3, routine=None)),
    dumps(record(3)).replace(b"600.0", b"NaN"), dumps(record(3)).replace(b"600.0", b"1e400"),
    dumps(record(3)).replace(b"600.0", b"9" * 400), dumps(record(3)).replace(b"420.5", b"1e999"),
    dumps(record(3, steps_done={"x": [[1]]})).replace(b"[[1]]", b"[[1e999]]"),
    dumps(record(3, extra=2**60)), dumps(record(3)) + b" " + dumps(record(4)),
    # Finite but past 2**53 (where floats stop counting exactly): damage in every field.
    dumps(record(3, regions={"calves": 1e20})), dumps(record(3, active_seconds=1e17)),
    dumps(record(3, pain_before=2**54)), dumps(record(3, steps_skipped=-(2**60))),
    dumps(record(3, region_pain={"calves": {"before": 2**60}})),
    dumps(record(3))[:40], b"\xff\xfe" + dumps(record(3)), b"[" * 5000 + b"]" * 5000,
]
SPLIT = dumps(record(4)).replace(b', "ended"', b',\n"ended"')  # one record over two lines
BLANK = [b"", b"  ", b"\t"]


def expected(path: Path, since: str | None, routine: str | None, keep: int
             ) -> tuple[int, int, list[dict[str, object]], history.Summary, list[str]]:
    warnings: list[str] = []
    records = history.read_history(path, warn=warnings.append)
    matched = history.filter_records(records, since=since, routine=routine)
    recent = matched[-keep:] if keep else []
    return (len(records), len(matched), recent, history.summarize(matched, TODAY), warnings)


def scanned(path: Path, since: str | None, routine: str | None, keep: int
            ) -> tuple[int, int, list[dict[str, object]], history.Summary, list[str]]:
    warnings: list[str] = []
    each: list[bytes] = []
    scan = history.scan_history(path, warnings.append, since=since, routine=routine, keep=keep,
                                each=each.append, today=TODAY)
    assert scan.summary is not None
    assert scan.recent == (each[-keep:] if keep else [])
    return (scan.total, scan.matched, [history.record_of(x) for x in scan.recent], scan.summary,
            warnings)


@pytest.mark.parametrize("block", [7, 64, 333, 4096, 1 << 21])
def test_every_kind_of_line_reads_as_the_whole_file_reader_reads_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    monkeypatch.setattr(store, "_BLOCK", block)
    path = tmp_path / "history.jsonl"
    lines = [*GOOD, *BAD, SPLIT, *BLANK, *GOOD[::-1]]
    path.write_bytes(b"\n".join(lines) + b"\n" + dumps(record(2))[:-3])  # a torn last line
    before = path.read_bytes()
    for since, routine, keep in [(None, None, 10), ("2026-11-10", None, 3),
                                 (None, "calf care", 50), (None, "none", 5), (None, "", 0),
                                 (None, "desk-neck", 40), (None, "7", 40)]:
        assert scanned(path, since, routine, keep) == expected(path, since, routine, keep)
    got = scanned(path, None, None, 10)
    assert got[0] == 2 * len(GOOD) and len(got[4]) == len(BAD) + 2 + 1  # + the split + torn
    assert path.read_bytes() == before


@settings(max_examples=60, deadline=None)
@given(picks=st.lists(st.sampled_from([*GOOD, *BAD, SPLIT, *BLANK]), max_size=40),
       block=st.integers(min_value=1, max_value=600), newline=st.booleans(),
       keep=st.integers(min_value=0, max_value=5),
       since=st.sampled_from([None, "2026-11-12"]),
       routine=st.sampled_from([None, "desk-neck", "r", "Desk Neck"]))
def test_any_mix_reads_the_same(tmp_path_factory: pytest.TempPathFactory, picks: list[bytes],
                                block: int, newline: bool, keep: int, since: str | None,
                                routine: str | None) -> None:
    path = tmp_path_factory.mktemp("scan") / "history.jsonl"
    path.write_bytes(b"\n".join(picks) + (b"\n" if newline and picks else b""))
    saved = store._BLOCK
    store._BLOCK = block
    try:
        assert scanned(path, since, routine, keep) == expected(path, since, routine, keep)
    finally:
        store._BLOCK = saved


def test_a_missing_history_is_empty(tmp_path: Path) -> None:
    scan = history.scan_history(tmp_path / "none.jsonl")
    assert (scan.total, scan.matched, scan.recent) == (0, 0, [])


def test_unknot_history_lists_newest_first(unknot_home: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    today = date.today()
    lines = [dumps(record(1, name=f"Session {i}",
                          started=f"{today.isoformat()}T0{i}:00:00+00:00")) for i in range(1, 6)]
    (unknot_home / "history.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    assert main(["history", "--limit", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Recent sessions (last 3 of 5)"
    names = [line.split()[2:4] for line in out[2:5]]
    assert names == [["Session", "5"], ["Session", "4"], ["Session", "3"]]
    # --json keeps the stored order (oldest first), as other tools read a log.
    assert main(["history", "--json", "--limit", "2"]) == 0
    assert [r["name"] for r in json.loads(capsys.readouterr().out)] == ["Session 4", "Session 5"]


def test_memory_stays_flat_however_long_the_history(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "_BLOCK", 1 << 18)
    path = tmp_path / "history.jsonl"
    line = dumps(record(19))
    path.write_bytes((line + b"\n") * 60_000)  # 15 MB
    tracemalloc.start()
    try:
        scan = history.scan_history(path, keep=10, today=TODAY)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert scan.total == 60_000 and scan.summary is not None
    assert scan.summary.region_seconds["calves"] == pytest.approx(60_000 * 420.5)
    # The whole file as records would be ~100 MB; one block and its records are ~2 MB.
    assert peak < 8 * 2**20, peak
