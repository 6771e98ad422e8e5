"""A run's options from the user's settings: one place, for the CLI and the GUI alike."""

from __future__ import annotations

from pathlib import Path

from desktop.core.pipeline import RunOptions
from desktop.paths import AppPaths
from desktop.settings import Settings


def run_options(settings: Settings, *, paths: AppPaths, codebase: Path | None = None, **overrides) -> RunOptions:
    """`overrides`: what this run sets apart from the settings (a CLI flag)."""
    values = dict(
        reflection_tokens=settings.max_reflection_tokens,
        answer_tokens=settings.max_answer_tokens,
        temperature=settings.temperature,
        max_repairs=settings.max_repairs,
        check_examples=settings.check_examples != "off",
        examples_any_code=settings.check_examples == "any",
        check_command=settings.check_command_for(codebase) if codebase is not None else "",
        check_timeout=settings.check_timeout,
        candidates=settings.candidates,
        scratch_dir=str(paths.scratch_dir),
    )
    values.update(overrides)
    return RunOptions(**values)
