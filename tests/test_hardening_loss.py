"""Issue 12, class 8: silent loss. Nothing is lost or passed over without a word.

`unknot new` on a full disk leaves nothing behind and does not block the name; including a folder
says it is a folder; `validate DIR` and `list` say which FIFOs, devices, sockets, broken links
and link loops they skip (and never block on one); `--speed` outside 0.01–1000 is one usage
line; a custom cue WAV past 5 MB or 10 s is refused by name without being read. Each through
the real command: the one line, the exit code, the time bound, nothing lost.
(A session that ran but could not be saved exits 1: tests/test_headless.py.)
"""

from __future__ import annotations

import os
import resource
import signal
import socket
import subprocess
import sys
import time
import wave
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BOUND = 30.0  # seconds, on a loaded 2-core machine; each command takes under 2 s idle
STEP = "steps:\n  - technique: breathe\n    duration: 30s\n"


def unknot(*args: str, limit: int | None = None) -> tuple[subprocess.CompletedProcess[str], float]:
    def cap() -> None:  # writes past `limit` bytes fail (EFBIG), as on a disk that filled up
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        assert limit is not None
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "player", *args], cwd=REPO, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=BOUND * 2,
                          # A .pyc written under the limit would be cut short and break
                          # every later import of its module.
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
                          preexec_fn=cap if limit is not None else None)
    return done, time.monotonic() - start


def lines(stderr: str) -> list[str]:
    assert "Traceback" not in stderr, stderr
    return stderr.splitlines()


# ---------------------------------------------------------------------------- unknot new


@pytest.mark.parametrize("limit", [0, 100, 1000], ids=["nothing", "a little", "most"])
def test_new_on_a_full_disk_leaves_nothing_and_the_name_stays_free(limit: int,
                                                                   unknot_home: Path) -> None:
    done, took = unknot("new", "Hip opener", limit=limit)
    target = unknot_home / "routines" / "hip-opener.yaml"
    assert lines(done.stderr) == [f"unknot: error: cannot write {target}: File too large"]
    assert done.returncode == 1 and took < BOUND
    # No empty or half file, no temporary file: nothing at all.
    assert sorted(p.name for p in target.parent.iterdir()) == []
    done, _ = unknot("new", "Hip opener")
    assert done.returncode == 0, done.stderr
    check, _ = unknot("validate", str(target))
    assert check.returncode == 0, check.stdout + check.stderr


def test_new_still_never_overwrites(unknot_home: Path) -> None:
    folder = unknot_home / "routines"
    folder.mkdir()
    (folder / "hip-opener.yaml").write_text("name: Mine\n" + STEP, encoding="utf-8")
    done, _ = unknot("new", "Hip opener")
    assert done.returncode == 1 and "already exists" in done.stderr
    assert (folder / "hip-opener.yaml").read_text(encoding="utf-8") == "name: Mine\n" + STEP
    assert [p.name for p in folder.iterdir()] == ["hip-opener.yaml"]


# ---------------------------------------------------------------------------- includes


@pytest.mark.parametrize("include", ["adir", "./adir", "adir/", "blocks", "b.yaml"])
def test_including_a_folder_says_it_is_a_folder(include: str, unknot_home: Path) -> None:
    folder = unknot_home / "routines"
    for sub in ("adir", "blocks", "b.yaml"):
        (folder / sub).mkdir(parents=True)
    (folder / "blocks" / "calm.yaml").write_text("name: Calm\n" + STEP, encoding="utf-8")
    (folder / "x.yaml").write_text(f"name: X\nsteps:\n  - include: {include}\n", encoding="utf-8")
    done, took = unknot("validate", str(folder / "x.yaml"))
    shown = include.rstrip("/")
    assert done.stdout.splitlines() == [
        f"{folder / 'x.yaml'}:3:14: error: cannot include '{include}': it is a folder; include "
        f"a routine file inside it, like '{shown}/NAME.yaml'"]
    assert "did you mean" not in done.stdout
    assert done.returncode == 1 and took < BOUND


# ---------------------------------------------------------------------------- what is skipped


@pytest.fixture
def odd_folder(unknot_home: Path) -> tuple[Path, dict[str, str]]:
    """A routine folder with one good routine and every kind of thing that is not a file."""
    folder = unknot_home / "routines"
    folder.mkdir()
    (folder / "good.yaml").write_text("name: Good\n" + STEP, encoding="utf-8")
    os.mkfifo(folder / "fifo.yaml")
    (folder / "dev.yaml").symlink_to("/dev/zero")
    (folder / "loop1.yaml").symlink_to("loop2.yaml")
    (folder / "loop2.yaml").symlink_to("loop1.yaml")
    (folder / "dangling.yml").symlink_to("nowhere.yaml")
    (folder / "sock.yaml").unlink(missing_ok=True)
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "sock.yaml"))
    server.close()
    (folder / "folder.yaml").mkdir()  # a folder is searched, not reported
    kinds = {"fifo.yaml": "a FIFO", "dev.yaml": "a device", "loop1.yaml": "a link loop",
             "loop2.yaml": "a link loop", "dangling.yml": "a broken link",
             "sock.yaml": "a socket"}
    return folder, kinds


def test_validate_dir_says_what_it_skips(odd_folder: tuple[Path, dict[str, str]]) -> None:
    folder, kinds = odd_folder
    done, took = unknot("validate", str(folder))
    assert sorted(done.stdout.splitlines()) == sorted(
        f"{folder / name}:1:1: warning: skipped: {what}, not a routine file"
        for name, what in kinds.items())
    assert lines(done.stderr) == ["1 file checked: 0 errors, 6 warnings"]
    assert done.returncode == 0 and took < BOUND
    strict, _ = unknot("validate", "--strict", str(folder))
    assert strict.returncode == 1 and strict.stdout.count(": error: skipped: ") == 6


def test_list_says_what_it_skips(odd_folder: tuple[Path, dict[str, str]]) -> None:
    folder, kinds = odd_folder
    done, took = unknot("list", "--json")
    assert sorted(lines(done.stderr)) == sorted(
        f"unknot: skipped {folder / name}: {what}, not a routine file"
        for name, what in kinds.items())
    assert '"id": "good"' in done.stdout
    assert done.returncode == 0 and took < BOUND


@pytest.mark.parametrize("name,message", [
    ("fifo.yaml", "{path}:1:1: error: not a regular file: a routine is a YAML text file"),
    ("dev.yaml", "{path}:1:1: error: not a regular file: a routine is a YAML text file"),
])
def test_validate_a_fifo_or_device_by_name_never_blocks(
        odd_folder: tuple[Path, dict[str, str]], name: str, message: str) -> None:
    folder, _ = odd_folder
    done, took = unknot("validate", str(folder / name))
    assert done.stdout.splitlines() == [message.format(path=folder / name)]
    assert done.returncode == 1 and took < BOUND


@pytest.mark.parametrize("name,what", [("loop1.yaml", "a link loop"),
                                       ("dangling.yml", "a broken link")])
def test_validate_a_link_by_name_says_what_it_is(odd_folder: tuple[Path, dict[str, str]],
                                                 name: str, what: str) -> None:
    folder, _ = odd_folder
    done, took = unknot("validate", str(folder / name))
    assert lines(done.stderr) == [f"unknot: error: cannot check {folder / name}: it is {what}"]
    assert done.returncode == 1 and took < BOUND


# ---------------------------------------------------------------------------- --speed


@pytest.mark.parametrize("speed", ["1e-308", "0", "-1", "0.001", "nan", "inf", "-inf", "1e309",
                                   "1001", "9" * 5000, "5e-324"])
def test_a_speed_out_of_range_is_one_usage_line(speed: str, unknot_home: Path) -> None:
    done, took = unknot("play", "quick-reset", "--headless", "--no-sound", f"--speed={speed}")
    assert lines(done.stderr) == [
        f"unknot play: error: argument --speed: speed must be from 0.01 to 1000, got "
        f"{speed[:40]}", "(see 'unknot play --help')"]
    assert done.returncode == 2 and took < BOUND
    assert not (unknot_home / "history.jsonl").exists()


def test_the_slowest_speed_plays() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "player", "play", "quick-reset", "--headless",
                             "--json", "--no-sound", "--no-media-keys", "--speed", "0.01"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)
    try:
        assert proc.stdout is not None
        assert '"event": "segment"' in proc.stdout.readline()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(BOUND) == 130
        assert proc.stderr is not None and "Traceback" not in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(BOUND)


# ---------------------------------------------------------------------------- custom sounds


def wav(path: Path, seconds: float, rate: int = 8000) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\0\0" * int(rate * seconds))


def huge_wav(path: Path, size: int) -> None:
    """A WAV of `size` bytes, sparse: a real header, then a hole the file system does not store."""
    wav(path, 0.01)
    with path.open("r+b") as fh:
        fh.truncate(size)


@pytest.mark.parametrize("make,said", [
    (lambda p: huge_wav(p, 500_000_000), "is 500 MB: a cue sound may be at most 5 MB and 10 s"),
    (lambda p: huge_wav(p, 6_000_000), "is 6 MB: a cue sound may be at most 5 MB and 10 s"),
    (lambda p: wav(p, 30), "is 30 s long: a cue sound may be at most 10 s"),
    (lambda p: wav(p, 3600, rate=100), "is 60 min long: a cue sound may be at most 10 s"),
], ids=["500 MB", "6 MB", "30 s", "an hour"])
def test_a_custom_sound_too_big_for_a_cue_is_refused(make, said: str,  # type: ignore[no-untyped-def]
                                                     unknot_home: Path) -> None:
    folder = unknot_home / "routines"
    folder.mkdir()
    make(folder / "big.wav")
    routine = folder / "big.yaml"
    routine.write_text("name: Big\n" + STEP + "    sounds: {start: big.wav}\n", encoding="utf-8")
    line = f"{routine}:5:21: error: sound 'big.wav' for cue 'start' {said}"
    for args in (("validate", str(routine)), ("play", "big", "--headless", "--no-sound")):
        done, took = unknot(*args)
        shown = done.stdout.splitlines() if args[0] == "validate" else [
            x.removeprefix("unknot: error: ") for x in lines(done.stderr)]
        assert shown == [line]
        assert done.returncode == 1 and took < BOUND


def test_a_short_custom_sound_is_fine(unknot_home: Path) -> None:
    folder = unknot_home / "routines"
    folder.mkdir()
    wav(folder / "ding.wav", 1.5)
    routine = folder / "ding.yaml"
    routine.write_text("name: Ding\n" + STEP + "    sounds: {start: ding.wav}\n", encoding="utf-8")
    done, _ = unknot("validate", str(routine))
    assert done.returncode == 0 and done.stdout == ""


def test_the_sound_backends_refuse_it_too(tmp_path: Path) -> None:
    from player.sound.backends import SoundFileError, check_wav

    huge_wav(tmp_path / "big.wav", 500_000_000)
    start = time.monotonic()
    with pytest.raises(SoundFileError, match="is 500 MB: a cue sound may be at most 5 MB"):
        check_wav(tmp_path / "big.wav")
    assert time.monotonic() - start < 1.0  # the header, not 500 MB
    wav(tmp_path / "ok.wav", 2)
    assert check_wav(tmp_path / "ok.wav") == pytest.approx(2.0)
