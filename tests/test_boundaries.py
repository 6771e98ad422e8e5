"""The import boundaries: PySide6 only in desktop/ui, llama_cpp only in desktop/llm."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "desktop"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):  # lazy imports inside functions count too
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def offenders(module: str, allowed_dir: str) -> list[str]:
    bad = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] != allowed_dir and module in imports_of(path):
            bad.append(str(rel))
    return bad


def test_only_ui_imports_pyside6():
    assert offenders("PySide6", "ui") == []


def test_only_llm_imports_llama_cpp():
    assert offenders("llama_cpp", "llm") == []


def test_the_boundary_check_can_fail(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("def f():\n    import llama_cpp\n")
    assert "llama_cpp" in imports_of(sample)


def test_core_and_cli_import_without_qt_or_llama():
    code = (
        "import sys, desktop.cli, desktop.core.pipeline, desktop.core.compose, desktop.llm.factory;"
        "bad = [m for m in ('PySide6', 'llama_cpp') if m in sys.modules];"
        "print(bad); raise SystemExit(1 if bad else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_import_linter_contracts_hold():
    lint = Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run([str(lint)], capture_output=True, text=True, cwd=PACKAGE.parent)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert "0 broken" in proc.stdout
