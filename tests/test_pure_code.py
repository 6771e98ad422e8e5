"""What lets the plan's examples run without being asked: code that only computes."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.core.pure_code import why_not_computing


def tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    return tmp_path


def test_plain_computation_with_codebase_imports_is_vouched_for(tmp_path: Path) -> None:
    root = tree(tmp_path, {
        "checks.py": "from shapes import area\nfrom pkg.util import clamp\nassert area(2) == 4\n",
        "shapes.py": "import math\nfrom typing import List\nfrom collections import Counter\n"
                     "from .helpers import twice\n\nclass Square:\n    def __init__(self, s):\n        self._s = s\n"
                     "    def __repr__(self):\n        return f'Square({self._s})'\n\n"
                     "def area(s: int) -> int:\n    return int(math.pow(s, 2))\n",
        "helpers.py": "def twice(x):\n    return 2 * x\n",
        "pkg/__init__.py": "",
        "pkg/util.py": "from . import consts\n\ndef clamp(x):\n    return min(max(x, 0), consts.TOP)\n",
        "pkg/consts.py": "TOP = 10\n",
    })
    assert why_not_computing(root, "checks.py") is None


@pytest.mark.parametrize("code, reason", [
    ("import os\n", "imports `os`"),
    ("from subprocess import run\n", "imports `subprocess`"),
    ("data = open('x').read()\n", "uses `open`"),
    ("exec('1')\n", "uses `exec`"),
    ("__import__('os')\n", "uses `__import__`"),
    ("x = ().__class__.__bases__[0].__subclasses__()\n", "uses `."),
    ("import calendar\ncalendar.sys.modules\n", "uses `.sys`"),
    ("import random\nrandom._os.getcwd()\n", "private `._os`"),
    ("from calendar import sys\n", "imports `sys` from `calendar`"),
    ("import operator\noperator.attrgetter('__globals__')\n", "names `__globals__`"),
    ("'{0.__class__}'.format(1)\n", "names"),
    ("def f(:\n", "cannot be read as Python"),
    ("import numpy\n", "imports `numpy`"),
])
def test_code_that_reaches_out_is_named_with_its_reason(tmp_path: Path, code: str, reason: str) -> None:
    root = tree(tmp_path, {"checks.py": "from mod import f\n", "mod.py": code})
    found = why_not_computing(root, "checks.py")
    assert found is not None and found.startswith("`mod.py`") and reason in found


def test_a_codebase_module_shadowing_a_library_one_is_read(tmp_path: Path) -> None:
    root = tree(tmp_path, {"checks.py": "import random\n", "random.py": "import shutil\n"})
    assert why_not_computing(root, "checks.py") == "`random.py` imports `shutil`"


def test_private_names_of_ones_own_objects_are_fine(tmp_path: Path) -> None:
    root = tree(tmp_path, {"checks.py": "class A:\n    def __init__(self):\n        self._x = 1\n"
                                        "    def get(self):\n        return self._x\n\nassert A().get() == 1\n"})
    assert why_not_computing(root, "checks.py") is None
