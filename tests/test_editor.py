"""Tests for the editor chain ($VISUAL, $EDITOR, editor, nano, vi) against Debian's real
sensible-editor: an `editor` that would open the "Select an editor" menu is never chosen
unless a choice is recorded, and in a real terminal the TUI never shows that menu."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from player.editor import explain, find_editor

SENSIBLE = shutil.which("sensible-editor")
needs_sensible = pytest.mark.skipif(SENSIBLE is None or shutil.which("select-editor") is None,
                                    reason="needs Debian's sensible-editor and select-editor")


def bin_dir(tmp_path: Path, **links: str) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    for name, target in links.items():
        (folder / name).symlink_to(target)
    return folder


def env_for(tmp_path: Path, folder: Path, **extra: str) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {"PATH": str(folder), "HOME": str(home), **extra}


def test_visual_then_editor_as_argument_lists(tmp_path: Path) -> None:
    folder = bin_dir(tmp_path, true=shutil.which("true") or "/bin/true",
                     false=shutil.which("false") or "/bin/false")
    env = env_for(tmp_path, folder, EDITOR="false --wait", VISUAL="true -R")
    found = find_editor(env)
    assert found is not None and (found.argv, found.source) == (["true", "-R"], "$VISUAL")
    del env["VISUAL"]
    found = find_editor(env)
    assert found is not None and (found.argv, found.source) == (["false", "--wait"], "$EDITOR")
    # A $VISUAL that names no program is passed over, not run into an OSError.
    env["VISUAL"] = "no-such-editor-here"
    found = find_editor(env)
    assert found is not None and found.source == "$EDITOR"


def test_fallbacks_in_order_editor_nano_vi(tmp_path: Path) -> None:
    true = shutil.which("true") or "/bin/true"
    folder = bin_dir(tmp_path, vi=true)
    env = env_for(tmp_path, folder)
    found = find_editor(env)
    assert found is not None and found.source == "vi"
    (folder / "nano").symlink_to(true)
    found = find_editor(env)
    assert found is not None and found.source == "nano"
    (folder / "editor").symlink_to(true)
    found = find_editor(env)
    assert found is not None and (found.source, found.argv) == ("editor",
                                                                [str(folder / "editor")])


def test_nothing_found_says_what_to_set(tmp_path: Path) -> None:
    env = env_for(tmp_path, bin_dir(tmp_path))
    assert find_editor(env) is None
    assert "set $EDITOR" in explain(env)


@needs_sensible
def test_an_editor_that_would_ask_is_skipped_unless_a_choice_is_recorded(
        tmp_path: Path) -> None:
    assert SENSIBLE is not None
    folder = bin_dir(tmp_path, editor=SENSIBLE, vi=shutil.which("true") or "/bin/true")
    env = env_for(tmp_path, folder)
    found = find_editor(env)
    assert found is not None and found.source == "vi"
    (folder / "vi").unlink()
    assert find_editor(env) is None
    assert "editor would ask which editor to use" in explain(env)
    (folder / "vi").symlink_to(shutil.which("true") or "/bin/true")
    # $EDITOR=sensible-editor is the same trap.
    found = find_editor({**env, "EDITOR": SENSIBLE})
    assert found is not None and found.source == "vi"
    # A recorded choice (the file select-editor writes, or SELECTED_EDITOR) makes it safe.
    found = find_editor({**env, "SELECTED_EDITOR": "/bin/true"})
    assert found is not None and found.source == "editor"
    (Path(env["HOME"]) / ".selected_editor").write_text('SELECTED_EDITOR="/bin/true"\n')
    found = find_editor(env)
    assert found is not None and found.source == "editor"


@needs_sensible
@pytest.mark.slow
def test_the_tui_never_shows_the_select_an_editor_menu(tmp_path: Path,
                                                       unknot_home: Path) -> None:
    from test_tui_tmux import REPO, UNKNOT, Tmux

    if shutil.which("tmux") is None or shutil.which("vi") is None:
        pytest.skip("needs tmux and vi")
    assert SENSIBLE is not None
    folder = bin_dir(tmp_path, editor=SENSIBLE, **{"select-editor": "/usr/bin/select-editor"})
    home = tmp_path / "home"
    home.mkdir()
    routines = unknot_home / "routines"
    routines.mkdir(parents=True, exist_ok=True)
    (routines / "mine.yaml").write_text(
        "name: Aaa mine\nsteps:\n  - technique: breathe\n    duration: 1m\n", encoding="utf-8")
    (unknot_home / ".notice-seen").write_text("shown\n")
    setup = (f"unset EDITOR VISUAL SELECTED_EDITOR; export HOME={home} "
             f"PATH={folder}:{os.environ.get('PATH', '/usr/bin:/bin')}; clear")
    # The trap is real: in this set-up, `editor` opens the menu (in a terminal of its own,
    # thrown away after; whatever the killed menu recorded is removed).
    control = Tmux(unknot_home)
    try:
        control.wait(lambda s: s.rstrip().endswith(("$", "#")), "the shell prompt")
        control.type(f"{setup}; editor {tmp_path / 'x.txt'}")
        control.keys("Enter")
        control.wait_for("Select an editor")
    finally:
        control.close()
    (home / ".selected_editor").unlink(missing_ok=True)
    tmux = Tmux(unknot_home)
    try:
        tmux.wait(lambda s: s.rstrip().endswith(("$", "#")), "the shell prompt")
        tmux.type(f"{setup}; cd {REPO} && {UNKNOT} --no-sound --no-voice")
        tmux.keys("Enter")
        tmux.wait_for("Aaa mine")
        tmux.keys("e")
        # vi (the next in the chain) opens the file, never the menu.
        screen = tmux.wait(lambda s: "technique: breathe" in s and "Aaa mine" in s
                           and "Routine" not in s, "vi on the routine")
        assert "Select an editor" not in screen
        tmux.keys("Escape")
        tmux.type(":q!")
        tmux.keys("Enter")
        tmux.wait(lambda s: "Routine" in s and "Aaa mine" in s, "the picker again")
        tmux.keys("q")
        tmux.wait(lambda s: s.rstrip().endswith(("$", "#")), "the shell after unknot")
    finally:
        tmux.close()
