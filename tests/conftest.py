"""Shared test set-up: an isolated UNKNOT_HOME for every test, and no silent skips in CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

#: CI sets this: a test that would skip for a missing tool fails instead.
REQUIRE_ALL = os.environ.get("UNKNOT_REQUIRE_ALL", "") not in ("", "0")


@pytest.fixture(autouse=True)
def unknot_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty UNKNOT_HOME, so nothing touches the real user folder."""
    home = tmp_path_factory.mktemp("unknot-home")
    monkeypatch.setenv("UNKNOT_HOME", str(home))
    monkeypatch.delenv("UNKNOT_PATH", raising=False)
    return home


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped, but UNKNOT_REQUIRE_ALL is set: {reason}"


def load_capture_helpers():  # type: ignore[no-untyped-def]
    """tests/alsa/capture.py (ALSA file capture, finding cue WAVs in the stream), loaded once.

    tests/ is not a package, so the helpers are loaded by path; dataclasses look their module
    up by name, hence the entry in sys.modules.
    """
    import importlib.util
    import sys

    name = "unknot_alsa_capture"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "tests" / "alsa" / "capture.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inputs in tests never blink: a snapshot taken a moment later (a loaded machine) would
    otherwise catch the cursor in the other half of its blink and fail."""
    from textual.reactive import reactive
    from textual.widgets import Input

    steady: reactive[bool] = reactive(False, init=False)
    steady.__set_name__(Input, "cursor_blink")
    monkeypatch.setattr(Input, "cursor_blink", steady)
