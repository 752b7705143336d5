"""Guards on the shape of the code that the linters do not cover: module size, tests that cannot be skipped."""

from __future__ import annotations

import re
from pathlib import Path

import fbm_desk

PACKAGE = Path(fbm_desk.__file__).parent
TESTS = Path(__file__).parent
MAX_LINES = 400


def test_no_module_over_400_lines() -> None:
    big = {
        path.relative_to(PACKAGE).as_posix(): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert big == {}


def test_no_test_skips_itself_when_a_project_module_is_missing() -> None:
    skipping = re.compile(r"importorskip\(\s*[\"']fbm_desk")
    offenders = [p.name for p in TESTS.rglob("*.py") if skipping.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
