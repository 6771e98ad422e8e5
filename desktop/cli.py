"""The headless command line: `plansmith run PLAN --repo DIR`, `plansmith runs`, undo, recover,
models, doctor.

Exit codes: 0 success; 2 bad input (plan, folder, model file, arguments) with a one-line
reason and no traceback; 1 anything else (a failure, or the user stopped the run).
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TextIO

from desktop import __version__
from desktop.errors import ChangeError, PlansmithError
from desktop.paths import AppPaths
from desktop.settings import Settings, load_settings

log = logging.getLogger("plansmith")

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
EXIT_INTERRUPTED = 130  # a second Ctrl+C: quit at once


class UsageError(PlansmithError):
    """The command line itself is wrong."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, as for any other bad input
        raise UsageError(f"{self.prog}: {message}")


class QuietFileHandler(logging.FileHandler):
    """The log file: a record it cannot write (a full disk) is dropped without a traceback on
    the terminal; the error the user must see is reported where it happens."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        pass


def configure_logging(paths: AppPaths) -> None:
    root = logging.getLogger()
    if any(getattr(h, "_plansmith", False) for h in root.handlers):
        return
    try:
        paths.log_dir.mkdir(parents=True, exist_ok=True)
        handler = QuietFileHandler(paths.log_file, encoding="utf-8")
    except OSError:
        return  # no log file (a full or read-only disk): the app runs without one
    handler._plansmith = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="plansmith", description="Turn an approved feature plan into code with a local model.")
    parser.add_argument("--version", action="version", version=f"plansmith {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    run = sub.add_parser("run", help="run both phases on a plan and a codebase")
    run.add_argument("plan", type=Path, help="the plan file (.md or .txt)")
    run.add_argument("--repo", type=Path, required=True, help="the codebase folder the plan applies to")
    run.add_argument("--model", help="a .gguf model file (default: the one in settings, else the first installed)")
    run.add_argument("--server", metavar="URL", help="use an OpenAI-compatible server instead of the local model")
    run.add_argument("--server-model", default="", help="model name on the server")
    run.add_argument("--reflection-only", action="store_true", help="stop after Phase 1")
    run.add_argument("--reflection", type=Path, metavar="FILE", help="skip Phase 1: use this reflection")
    out = run.add_mutually_exclusive_group()
    out.add_argument("--apply", action="store_true", help="apply the changes (with a backup; undo with `plansmith undo`)")
    out.add_argument("--apply-anyway", action="store_true",
                     help="as --apply, and apply even when the check command failed on the change")
    out.add_argument("--patch", type=Path, metavar="OUT", help="write the changes as a patch file")
    run.add_argument("--context", type=int, help="context size in tokens")
    run.add_argument("--max-tokens", type=int, help="answer budget in tokens for Phase 2")
    run.add_argument("--reflection-tokens", type=int, help="budget in tokens for Phase 1")
    run.add_argument("--quiet", action="store_true", help="show a progress line instead of the streamed text")
    check = run.add_mutually_exclusive_group()
    check.add_argument("--check", metavar="CMD",
                       help="a command (e.g. 'pytest -q') run on a scratch copy with the change, before it is "
                            "applied; remembered for this codebase")
    check.add_argument("--no-check", action="store_true", help="skip the check command remembered for this codebase")
    examples = run.add_mutually_exclusive_group()
    examples.add_argument("--check-examples", nargs="?", const="any", choices=("computing", "any"), metavar="WHEN",
                          help="Phase 1 writes the plan's examples as checks, run on a scratch copy: 'computing' "
                               "(the default) only when the code they load only computes, 'any' (no WHEN) for any code")
    examples.add_argument("--no-check-examples", dest="check_examples", action="store_const", const="off",
                          help="no examples are written or run")
    run.add_argument("--check-timeout", type=float, metavar="SECONDS", help="time limit of one check (default 120)")
    run.add_argument("--candidates", type=int, metavar="N",
                     help="Phase 2 answers to try while the checks fail (default 1)")
    run.add_argument("--prompt-lookup", action=argparse.BooleanOptionalAction, default=None,
                     help="at temperature 0, guess ahead from the prompt and check the guess in one batch "
                          "(prompt-lookup decoding; default: the setting, off)")
    run.set_defaults(handler=cmd_run)

    runs = sub.add_parser("runs", help="list saved runs; show or delete one")
    runs.add_argument("--show", metavar="ID")
    runs.add_argument("--delete", metavar="ID")
    runs.set_defaults(handler=cmd_runs)

    undo = sub.add_parser("undo", help="undo the last apply in a codebase (rolls back one that stopped part-way)")
    undo.add_argument("--repo", type=Path, required=True)
    undo.set_defaults(handler=cmd_undo)

    recover = sub.add_parser("recover", help="list, finish or roll back an apply that a crash, kill or power "
                                             "cut stopped part-way")
    recover.add_argument("--repo", type=Path, required=True)
    how = recover.add_mutually_exclusive_group()
    how.add_argument("--finish", action="store_true", help="write the files it had not written yet")
    how.add_argument("--roll-back", action="store_true", help="put back the originals of the files it had written")
    recover.set_defaults(handler=cmd_recover)

    try:
        from desktop import cli_models
    except ImportError:  # pragma: no cover - the models commands ship with the app
        cli_models = None
    if cli_models is not None:
        cli_models.add_parsers(sub)
    return parser


# -- progress on the terminal ----------------------------------------------------------


class TerminalReporter:
    """Streams text to stdout and progress to stderr."""

    def __init__(self, *, out: TextIO, err: TextIO, quiet: bool) -> None:
        self.out, self.err, self.quiet = out, err, quiet
        self.tty = err.isatty()
        self._tokens = 0
        self._started = time.perf_counter()
        self._read_started = 0.0
        self._last_line = 0.0

    def __call__(self, event) -> None:
        kind = event.kind
        if kind == "phase":
            self._phase_started(event.phase.value)
        elif kind == "prompt_progress":
            self._prompt_progress(event.done, event.total)
        elif kind == "text":
            self._tokens += 1
            if self.quiet:
                self._status(f"{self._label}: {self._tokens} tokens, {self._rate():.1f} tok/s")
            else:
                self.out.write(event.text)
                self.out.flush()
        elif kind == "turn_done":
            u = event.usage
            self._clear()
            if not self.quiet:
                self.out.write("\n")
                self.out.flush()
            self.err.write(
                f"[{event.text}: {u.generated_tokens} tokens at {u.tokens_per_second:.1f} tok/s; "
                f"prompt {u.prompt_tokens} tokens ({u.cached_tokens} reused), first token after {u.prompt_seconds:.1f} s; "
                f"{u.finish_reason}]\n"
            )
        elif kind == "notice":
            self._clear()
            self.err.write(f"[{event.text}]\n")

    _LABELS = {"reflecting": "Phase 1 (reflection)", "implementing": "Phase 2 (implementation)"}

    def _phase_started(self, phase: str) -> None:
        if phase in self._LABELS:
            self._label = self._LABELS[phase]
            self._tokens = 0
            self._started = time.perf_counter()
            self._clear()
            self.err.write(f"== {self._label} ==\n")

    _label = ""

    def _rate(self) -> float:
        elapsed = time.perf_counter() - self._started
        return self._tokens / elapsed if elapsed > 0 else 0.0

    def _prompt_progress(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if done == 0:
            self._read_started = now
        eta = ""
        if done and total > done:
            eta = f", about {(now - self._read_started) / done * (total - done):.0f} s left"
        self._status(f"{self._label}: reading the prompt, {done}/{total} tokens{eta}", force=done in (0, total))
        if done == total:
            self._clear()
            self._started = time.perf_counter()

    def _status(self, line: str, *, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - self._last_line < (0.1 if self.tty else 5.0):
            return
        self._last_line = now
        if self.tty:
            self.err.write("\r\x1b[2K" + line)
        else:
            self.err.write(line + "\n")
        self.err.flush()

    def _clear(self) -> None:
        if self.tty:
            self.err.write("\r\x1b[2K")
            self.err.flush()


# -- commands ----------------------------------------------------------------------------


def make_engine(args, *, paths: AppPaths, settings: Settings):
    server = args.server or (settings.server_url if settings.engine == "server" and not args.model else "")
    if server:
        from desktop.llm.factory import make_server_engine

        return make_server_engine(settings, url=server, model=args.server_model)
    from desktop.llm.factory import make_local_engine, resolve_model_path
    from desktop.llm.store import ModelStore, default_model, hash_index

    installed = ModelStore(paths=paths, settings=settings).installed()
    chosen = default_model(installed, settings=settings)
    model = resolve_model_path(settings, explicit=args.model, candidates=[chosen.path] if chosen else [])
    from desktop.llm.gguf_file import inspect_gguf

    inspect_gguf(model)  # a fake or cut file is bad input before anything is hashed
    return make_local_engine(settings, model_path=model, sha256=hash_index(paths).sha256(model))


def cmd_run(args, *, paths: AppPaths, settings: Settings, out: TextIO, err: TextIO = sys.stderr) -> int:
    from desktop.core.changes import apply_changes, dirty_git_files, export_patch
    from desktop.core.codebase import scan_codebase
    from desktop.core.answer_choices import answer_choices
    from desktop.core.checks import failed_commands
    from desktop.core.pipeline import Phase
    from desktop.core.plan import read_plan
    from desktop.core.prompts import Prompts
    from desktop.core.run_settings import run_options
    from desktop.core.session import Session
    from desktop.settings import save_settings

    args.apply = args.apply or args.apply_anyway  # --apply-anyway: --apply, whatever the check said
    if args.context:
        settings.context_size = args.context
    if args.max_tokens:
        settings.max_answer_tokens = args.max_tokens
    if args.reflection_tokens:
        settings.max_reflection_tokens = args.reflection_tokens
    if args.check_timeout is not None:
        settings.check_timeout = args.check_timeout
    if args.check_examples is not None:
        settings.check_examples = args.check_examples
    if args.candidates is not None:
        settings.candidates = args.candidates
    if args.prompt_lookup is not None:
        settings.prompt_lookup = args.prompt_lookup
    settings.validate()
    plan = read_plan(args.plan, max_bytes=settings.plan_max_bytes)
    reflection_text = None
    if args.reflection:
        reflection_text = read_plan(args.reflection, max_bytes=settings.plan_max_bytes).text
    codebase = scan_codebase(args.repo, max_file_bytes=settings.file_max_bytes)
    _check_no_stopped_apply(codebase.root, paths=paths, refuse=args.apply, err=err)
    if args.check is not None:
        settings.remember_check_command(codebase.root, args.check)
        stored = load_settings(paths.settings_file)  # without this run's other overrides
        stored.remember_check_command(codebase.root, args.check)
        save_settings(stored, paths.settings_file)
    engine = make_engine(args, paths=paths, settings=settings)
    overrides = {"answer_tokens": 0} if args.reflection_only else {}
    if args.no_check:
        overrides["check_command"] = ""
    reporter = TerminalReporter(out=out, err=err, quiet=args.quiet)
    session = Session(runs_dir=paths.runs_dir, prompts=lambda: Prompts.load(override_dir=paths.prompts_override_dir),
                      on_event=reporter)
    run = session.start(plan=plan, codebase=codebase, engine=engine,
                        options=run_options(settings, paths=paths, codebase=codebase.root, **overrides))
    err.write(f"Plan: {plan.title} ({plan.encoding}); codebase: {codebase.root} ({len(codebase.files)} files)\n")
    stop = threading.Event()
    outcome: dict = {}

    def work() -> None:
        try:
            pack = run.prepare()
            err.write(pack.summary() + "\n")
            if reflection_text is not None:
                run.set_reflection(reflection_text)
            else:
                run.reflect(stop_event=stop)
            if not args.reflection_only and run.phase == Phase.REFLECTED:
                outcome["changeset"] = run.implement(stop_event=stop)
        except BaseException as exc:  # handed to the main thread
            outcome["error"] = exc
        finally:
            finished.set()

    # The main thread waits on an Event, not on join(): once Ctrl+C interrupts join(),
    # CPython 3.11 reports the thread as ended (is_alive() False, join() returns) while it runs.
    finished = threading.Event()
    worker = threading.Thread(target=work, name="plansmith-run", daemon=True)
    worker.start()
    try:
        while not finished.wait(0.1):
            pass
    except KeyboardInterrupt:
        stop.set()  # the engine stops between tokens, or inside prompt reading
        err.write("\nStopping... (Ctrl+C again to quit at once, without saving)\n")
        err.flush()

        def quit_now(*_) -> None:
            err.write("Quit without saving.\n")
            err.flush()
            os._exit(EXIT_INTERRUPTED)

        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, quit_now)  # until the command ends (main() restores it)
        while not finished.wait(0.1):
            pass
    unsaved = ""  # why the run record could not be saved; the run goes on without it
    run_id = "RUN_ID"
    if isinstance(outcome.get("error"), Exception):
        session.ended(outcome["error"], operation="plansmith run")  # a failure the record says
    try:
        saved = session.save()  # None: the run never reached the model, nothing worth keeping
        if saved:
            run_id = saved
            err.write(f"Saved as run {run_id}\n")
    except PlansmithError as exc:
        unsaved = str(exc)
        err.write(f"plansmith: {unsaved}. The run goes on without its record.\n")
    if "error" in outcome:
        raise outcome["error"]
    if run.phase == Phase.STOPPED:
        err.write("Stopped. " + ("The text produced so far is in the run record.\n" if not unsaved else
                                 "The run record could not be saved (above): its text is lost.\n"))
        return EXIT_FAILED
    changeset = outcome.get("changeset")
    if changeset is None:
        return EXIT_OK
    out.write("\nChanges:\n" + (changeset.summary() or "(none)") + "\n")
    if run.repairs:
        err.write(f"{run.repairs} repair turn(s) were needed.\n")
    choices = answer_choices(run.turns)
    if choices:
        kept = next((f"answer {c.number} is" for c in choices if c.kept), "none is")
        err.write(f"{len(choices)} answers were written; {kept} the one shown above:\n")
        err.write("".join(f"  {c.label}\n" for c in choices))
        err.write(f"Open another in the app (Changes › Answer) or read them with: plansmith runs --show {run_id}\n")
    checks = run.final_checks()
    for result in checks:
        err.write(f"Check: {result.summary()}\n")
        for failure in result.new_failures[:10]:
            err.write(f"  {failure.id}: {failure.message}\n")
    if (args.patch or args.apply) and not changeset.accepted():
        err.write("No usable change came out of the run: nothing was written.\n")
        return EXIT_FAILED
    if args.patch:
        dest = export_patch(changeset, args.patch)
        err.write(f"Patch written to {dest}\n")
    elif args.apply:
        # As the window asks first, the command line does not write a change that broke the
        # codebase's own check (a test that passed before fails, or the check timed out).
        if failed_commands(checks) and not args.apply_anyway:
            err.write("Not applied: the check command failed on this change (above); nothing was written. "
                      "Review it in the app (History), or apply it anyway with --apply-anyway.\n")
            return EXIT_FAILED
        dirty = dirty_git_files(codebase.root)
        if dirty:
            err.write(f"Warning: the codebase has uncommitted changes in {len(dirty)} file(s).\n")
        apply_changes(changeset, backups_dir=paths.backups_dir)
        err.write(f"Applied {len(changeset.accepted())} file(s). Undo with: plansmith undo --repo {codebase.root}\n")
    return EXIT_FAILED if unsaved else EXIT_OK


def cmd_runs(args, *, paths: AppPaths, settings: Settings, out: TextIO) -> int:
    from desktop.core.records import delete_run, list_runs, load_run

    if args.delete:
        delete_run(args.delete, runs_dir=paths.runs_dir)
        out.write(f"Deleted run {args.delete}\n")
        return EXIT_OK
    if args.show:
        rec = load_run(args.show, runs_dir=paths.runs_dir)
        out.write(f"# {rec.get('title')}\n\n## Reflection\n\n{rec.get('reflection', '')}\n")
        for turn in rec.get("turns", [])[1:]:
            out.write(f"\n## {turn['kind']}\n\n{turn['text']}\n")
        return EXIT_OK
    runs = list_runs(runs_dir=paths.runs_dir)
    if not runs:
        out.write("No saved runs.\n")
    for summary in runs:
        out.write(summary.line() + "\n")
    return EXIT_OK


def cmd_undo(args, *, paths: AppPaths, settings: Settings, out: TextIO) -> int:
    from desktop.core.changes import undo_last_apply

    record = undo_last_apply(root=args.repo.resolve(), backups_dir=paths.backups_dir)
    if record.action == "roll_back":
        out.write(f"Undone: {record} The last apply had stopped part-way; every file it touched is as "
                  "it was before it.\n")
    else:
        out.write(f"Undone: {record}\n")
    return EXIT_OK


def _recover_command(root: Path) -> str:
    return f"plansmith recover --repo {shlex.quote(str(root))}"


def _check_no_stopped_apply(root: Path, *, paths: AppPaths, refuse: bool, err: TextIO) -> None:
    """Before a run: an apply to root that stopped part-way refuses a run that would apply
    (before any model time is spent), and is a warning for one that only reads the code."""
    from desktop.core.apply_recovery import find_interrupted

    found = find_interrupted(paths.backups_dir, root=root)
    if not found:
        return
    what = f"an earlier apply to {root} (started {found[0].started}) stopped part-way"
    if refuse:
        raise ChangeError(f"Nothing was run: {what}. Finish it or roll it back first: "
                          f"{_recover_command(root)}")
    err.write(f"Warning: {what}: some files are new, some old. See: {_recover_command(root)}\n")


def cmd_recover(args, *, paths: AppPaths, settings: Settings, out: TextIO) -> int:
    from desktop.core.apply_recovery import find_interrupted, finish_apply, roll_back_apply

    root = args.repo.resolve()
    found = find_interrupted(paths.backups_dir, root=root)
    if not found:
        message = f"Nothing to recover in {root}: no apply to it stopped part-way."
        if args.finish or args.roll_back:
            raise ChangeError(message)
        out.write(message + "\n")
        return EXIT_OK
    item = found[0]  # newest first: a roll back must go from the newest
    if not (args.finish or args.roll_back):
        out.write(item.describe() + "\n\n")
        out.write(f"Finish it (every file becomes the new version): {_recover_command(root)} --finish\n"
                  f"Roll it back (every file as it was before):    {_recover_command(root)} --roll-back\n")
        return EXIT_OK
    if args.finish:
        record = finish_apply(item, backups_dir=paths.backups_dir)
        out.write(f"{record} Every file of that apply is now the new version; undo with: plansmith undo "
                  f"--repo {shlex.quote(str(root))}\n")
    else:
        record = roll_back_apply(item, backups_dir=paths.backups_dir)
        out.write(f"{record} Every file of that apply is as it was before it.\n")
    if len(found) > 1:
        out.write(f"Another apply to {root} stopped part-way too; run {_recover_command(root)} again.\n")
    return EXIT_OK


def main(argv: list[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    paths = AppPaths.default()
    on_sigint = signal.getsignal(signal.SIGINT)
    try:
        args = build_parser().parse_args(argv)
        if not getattr(args, "handler", None):
            build_parser().print_help(out)
            return EXIT_BAD_INPUT
        paths.ensure()
        configure_logging(paths)
        settings = load_settings(paths.settings_file)
        if args.handler is cmd_run:
            return cmd_run(args, paths=paths, settings=settings, out=out, err=err)
        return args.handler(args, paths=paths, settings=settings, out=out)
    except PlansmithError as exc:
        err.write(f"plansmith: {exc}\n")
        return EXIT_BAD_INPUT if _is_bad_input(exc) else EXIT_FAILED
    except KeyboardInterrupt:
        err.write("plansmith: interrupted\n")
        return EXIT_FAILED
    except Exception as exc:  # anything else: one line here, the traceback in the log
        log.exception("unexpected error")
        err.write(f"plansmith: unexpected error: {exc} (details in {paths.log_file})\n")
        return EXIT_FAILED
    finally:
        if threading.current_thread() is threading.main_thread() and on_sigint is not None:
            signal.signal(signal.SIGINT, on_sigint)


def _is_bad_input(exc: PlansmithError) -> bool:
    from desktop.errors import CodebaseError, ContextError, ModelFileError, PlanError, SettingsError

    return isinstance(exc, (PlanError, CodebaseError, ModelFileError, SettingsError, ContextError, UsageError))
