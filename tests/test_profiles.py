"""The hypothesis profile is ``ci`` unless ``HYPOTHESIS_PROFILE`` names another
(tests/conftest.py; docs/design-notes.md, "The test suite")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import json, tests.conftest\n"
    "from hypothesis import settings\n"
    "s = settings.default\n"
    "print(json.dumps([s.max_examples, s.derandomize, s.database is None]))"
)


def loaded_profile(profile: str | None) -> list[object]:
    """``[max_examples, derandomize, no database]`` of the default settings once
    tests/conftest.py is imported with ``HYPOTHESIS_PROFILE`` set to ``profile``."""
    env = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_PROFILE"}
    if profile is not None:
        env["HYPOTHESIS_PROFILE"] = profile
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.splitlines()[-1])


@pytest.mark.parametrize(
    ("profile", "expected"),
    [(None, [20, True, True]), ("ci", [20, True, True]), ("long", [1000, False, False])],
)
def test_profile_is_chosen_by_the_environment(profile, expected):
    assert loaded_profile(profile) == expected
