"""ArgParser: long options (--name value / --name=value), flags and positionals.

    p = ArgParser("backup", description="Copy files somewhere safe.")
    p.add_positional("source")
    p.add_option("retries", type=int, default=3)
    p.add_flag("verbose", short="v")
    args = p.parse(["src", "--retries", "5", "-v"])
    args == {"source": "src", "retries": 5, "verbose": True}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from cliargs.errors import UsageError


@dataclass
class Option:
    """A declared option, flag or positional argument."""

    name: str
    kind: str  # "option", "flag" or "positional"
    type: Callable[[str], Any] = str
    default: Any = None
    required: bool = False
    help: str = ""
    short: str | None = None
    multiple: bool = False

    @property
    def dest(self) -> str:
        """Key in the parse result: dashes become underscores."""
        return self.name.replace("-", "_")

    @property
    def metavar(self) -> str:
        return self.dest.upper()


class ArgParser:
    def __init__(self, prog: str, *, description: str = ""):
        self.prog = prog
        self.description = description
        self._options: dict[str, Option] = {}
        self._shorts: dict[str, str] = {}
        self._positionals: list[Option] = []

    # -- declaration ------------------------------------------------------------

    def _check_new(self, name: str, short: str | None) -> None:
        if not name or name.startswith("-"):
            raise ValueError(f"bad option name: {name!r}")
        if name in self._options or any(p.name == name for p in self._positionals):
            raise ValueError(f"duplicate option: {name}")
        if short is not None:
            if len(short) != 1 or not short.isalnum():
                raise ValueError(f"bad short option: {short!r}")
            if short in self._shorts:
                raise ValueError(f"duplicate short option: -{short}")

    def add_option(
        self,
        name: str,
        *,
        type: Callable[[str], Any] = str,
        default: Any = None,
        required: bool = False,
        help: str = "",
        short: str | None = None,
        multiple: bool = False,
    ) -> Option:
        """Declare ``--name VALUE``. With ``multiple`` it may repeat and yields a list."""
        self._check_new(name, short)
        opt = Option(name, "option", type, default, required, help, short, multiple)
        if multiple and default is None:
            opt.default = []
        self._options[name] = opt
        if short:
            self._shorts[short] = name
        return opt

    def add_flag(self, name: str, *, help: str = "", short: str | None = None) -> Option:
        """Declare a boolean ``--name`` that is False unless given."""
        self._check_new(name, short)
        opt = Option(name, "flag", bool, False, False, help, short)
        self._options[name] = opt
        if short:
            self._shorts[short] = name
        return opt

    def add_positional(self, name: str, *, type: Callable[[str], Any] = str, help: str = "") -> Option:
        """Declare a required positional argument; they are filled in declaration order."""
        self._check_new(name, None)
        opt = Option(name, "positional", type, None, True, help)
        self._positionals.append(opt)
        return opt

    # -- parsing ------------------------------------------------------------------

    def _convert(self, opt: Option, raw: str) -> Any:
        try:
            return opt.type(raw)
        except (TypeError, ValueError):
            label = opt.name if opt.kind == "positional" else f"--{opt.name}"
            raise UsageError(f"invalid value for {label}: {raw!r}") from None

    def _lookup(self, token: str) -> Option:
        if token.startswith("--"):
            name = token[2:]
        else:
            short = token[1:]
            if short not in self._shorts:
                raise UsageError(f"unknown option: {token}")
            name = self._shorts[short]
        if name not in self._options:
            raise UsageError(f"unknown option: {token}")
        return self._options[name]

    def parse(self, argv: list[str]) -> dict[str, Any]:
        """Parse ``argv`` (without the program name) into a dict keyed by dest."""
        result: dict[str, Any] = {}
        for opt in self._options.values():
            result[opt.dest] = list(opt.default) if opt.multiple else opt.default
        positionals: list[str] = []
        seen: set[str] = set()
        i = 0
        only_positionals = False
        while i < len(argv):
            token = argv[i]
            i += 1
            if only_positionals or token == "-" or not token.startswith("-"):
                positionals.append(token)
                continue
            if token == "--":
                only_positionals = True
                continue
            value: str | None = None
            if token.startswith("--") and "=" in token:
                token, value = token.split("=", 1)
            opt = self._lookup(token)
            if opt.kind == "flag":
                if value is not None:
                    raise UsageError(f"--{opt.name} does not take a value")
                result[opt.dest] = True
                continue
            if value is None:
                if i >= len(argv):
                    raise UsageError(f"--{opt.name} needs a value")
                value = argv[i]
                i += 1
            converted = self._convert(opt, value)
            if opt.multiple:
                result[opt.dest].append(converted)
            elif opt.name in seen:
                raise UsageError(f"--{opt.name} given more than once")
            else:
                result[opt.dest] = converted
            seen.add(opt.name)
        missing = [o.name for o in self._options.values() if o.required and o.name not in seen]
        if missing:
            raise UsageError("missing required option: " + ", ".join(f"--{m}" for m in missing))
        if len(positionals) < len(self._positionals):
            absent = self._positionals[len(positionals)].name
            raise UsageError(f"missing argument: {absent}")
        if len(positionals) > len(self._positionals):
            raise UsageError(f"unexpected argument: {positionals[len(self._positionals)]}")
        for opt, raw in zip(self._positionals, positionals):
            result[opt.dest] = self._convert(opt, raw)
        return result

    # -- help -------------------------------------------------------------------------

    def _option_label(self, opt: Option) -> str:
        label = f"--{opt.name}"
        if opt.short:
            label = f"-{opt.short}, {label}"
        if opt.kind == "option":
            label += f" {opt.metavar}"
        return label

    def usage(self) -> str:
        """One line: 'usage: prog [options] SOURCE DEST'."""
        parts = [f"usage: {self.prog}"]
        if self._options:
            parts.append("[options]")
        parts.extend(p.metavar for p in self._positionals)
        return " ".join(parts)

    def format_help(self) -> str:
        """Usage, description and one line per argument."""
        lines = [self.usage()]
        if self.description:
            lines += ["", self.description]
        if self._positionals:
            lines += ["", "arguments:"]
            lines += [f"  {p.metavar:<22} {p.help}".rstrip() for p in self._positionals]
        if self._options:
            lines += ["", "options:"]
            for opt in self._options.values():
                text = opt.help
                if opt.kind == "option" and opt.default not in (None, []):
                    text = f"{text} (default: {opt.default})".strip()
                if opt.required:
                    text = f"{text} (required)".strip()
                lines.append(f"  {self._option_label(opt):<22} {text}".rstrip())
        return "\n".join(lines)
