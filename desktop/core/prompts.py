"""The prompt templates: shipped in resources/prompts, overridable per user in the config folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from desktop.paths import resources_dir

TEMPLATE_NAMES = ("system", "phase1", "phase2", "repair", "followup", "oneshot", "edit-format", "final", "examples", "check-repair", "retry")


def fill(template: str, **values: str) -> str:
    """Replace `{name}` for the given names only; other braces (code, JSON) stay as they are."""
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


@dataclass(frozen=True)
class Prompts:
    templates: dict[str, str]
    overridden: tuple[str, ...] = ()

    @classmethod
    def load(cls, *, override_dir: Path | None = None, shipped_dir: Path | None = None) -> "Prompts":
        shipped = shipped_dir or resources_dir() / "prompts"
        templates: dict[str, str] = {}
        overridden = []
        for name in TEMPLATE_NAMES:
            user_file = override_dir / f"{name}.md" if override_dir else None
            if user_file is not None and user_file.is_file():
                templates[name] = user_file.read_text(encoding="utf-8")
                overridden.append(name)
            else:
                templates[name] = (shipped / f"{name}.md").read_text(encoding="utf-8")
        return cls(templates, tuple(overridden))

    def __getitem__(self, name: str) -> str:
        return self.templates[name].strip()
