"""A two-phase run: reflection, then implementation checked and repaired within the run.

A `Run` is a small state machine driven from one worker thread (the one that owns the
engine). It reports through `on_event`, called on that same thread: a GUI turns the
events into queued signals, the CLI prints them. Phase 2 continues Phase 1's conversation,
so the in-process engine reuses the KV cache of Phase 1's prompt and answer.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from desktop.core.answer_review import AnswerReview
from desktop.core.changes import ChangeSet
from desktop.core.checklist import Checklist, parse_checklist
from desktop.core.codebase import Codebase, RankedFile, rank_files
from desktop.core.context import ContextPack, fence_language, pack_context
from desktop.core.plan import Plan
from desktop.core.plan_spec import PlanSpec
from desktop.core.prompts import Prompts, fill
from desktop.core.records import RunRecord
from desktop.core.reflection_examples import (add_missing, block_opening, checks_for, codebase_names,
                                              fit_signatures, plan_checks, split_examples, states_examples)
from desktop.core.review_ticks import codebase_texts, set_review_ticks
from desktop.core.steer import Steer
from desktop.core.strategy import PlainStrategy, choose_strategy
from desktop.core.turns import Turn
from desktop.errors import ContextError, PlansmithError
from desktop.llm.engine import Engine, Message, Usage

# Tokens an answer must have left to go on at a stub its file's block left out.
REOPEN_MIN_TOKENS = 128


def _add_usage(total: Usage | None, part: Usage) -> Usage:
    """One turn's figures over the streams it took (a steered answer continues in a new one)."""
    if total is None:
        return Usage(**vars(part))
    total.generated_tokens += part.generated_tokens
    total.generate_seconds += part.generate_seconds + part.prompt_seconds
    total.finish_reason = part.finish_reason
    return total


class Phase(str, Enum):
    IDLE = "idle"
    REFLECTING = "reflecting"
    REFLECTED = "reflected"
    IMPLEMENTING = "implementing"
    DONE = "done"
    STOPPED = "stopped"
    FAILED = "failed"


@dataclass(frozen=True)
class RunEvent:
    kind: str  # "phase" | "text" | "prompt_progress" | "turn_done" | "notice"
    phase: Phase
    text: str = ""
    done: int = 0
    total: int = 0
    usage: Usage | None = None


EventSink = Callable[[RunEvent], None]


@dataclass
class RunOptions:
    reflection_tokens: int = 1024
    answer_tokens: int = 2048
    temperature: float = 0.0
    max_repairs: int = 8
    # Context kept free for the repair turns' problems text.
    margin_tokens: int = 128
    # "auto": the small-model rules where the engine can continue a reply; "plain": none.
    strategy: str = "auto"
    # A Python file is written whole when it takes at most this share of the answer budget;
    # a larger one is changed by definitions, merged into the file by name.
    whole_file_share: float = 0.6
    # A plan up to this many tokens is repeated in Phase 2's prompt; a longer one by its
    # requirements section.
    plan_reminder_tokens: int = 1500
    # Checks on a scratch copy (off unless the user asks): the plan's examples, which Phase 1
    # writes as a Python block, and a shell command such as `pytest -q`. New failures go back
    # to the model as repair turns; the answer that fails the fewest checks is kept.
    check_examples: bool = False
    # The examples run only on code that only computes (pure_code.py) unless this is set.
    examples_any_code: bool = False
    check_command: str = ""
    check_timeout: float = 120.0
    check_python: str = ""  # "": this Python (a frozen app: python3 on PATH)
    scratch_dir: str = ""  # where the scratch copies go ("": the system's temporary folder)
    # Tokens added to the reflection's budget for the examples block.
    examples_tokens: int = 300
    # Phase 2 answers to try when the checks fail: the first at `temperature`, the others at
    # `candidate_temperature` (or `temperature` when that is above 0), seeds 1, 2, ...; each
    # is checked and the one that fails the fewest checks is kept. Needs a check to judge by.
    candidates: int = 1
    candidate_temperature: float = 0.6


class Run(AnswerReview):
    """One plan against one codebase. Not thread-safe: drive it from the engine's thread."""

    def __init__(
        self,
        *,
        plan: Plan,
        codebase: Codebase,
        engine: Engine,
        prompts: Prompts,
        options: RunOptions | None = None,
        on_event: EventSink | None = None,
    ) -> None:
        self.plan = plan
        self.spec = PlanSpec.from_plan(plan)
        self.codebase = codebase
        self.engine = engine
        self.prompts = prompts
        self.options = options or RunOptions()
        self.on_event = on_event or (lambda event: None)
        self.phase = Phase.IDLE
        self.ranked: list[RankedFile] = []
        self.context: ContextPack | None = None
        self.messages: list[Message] = []
        self.turns: list[Turn] = []
        self.reflection = ""
        self.reflection_edited = False
        self.changeset: ChangeSet | None = None
        self.repairs = 0
        self.error = ""
        self.started_at = time.time()
        self.counted_cases = False  # the last turn was stopped listing cases one by one (repetition.py)

    # -- events -------------------------------------------------------------------------

    def _set_phase(self, phase: Phase) -> None:
        self.phase = phase
        self.on_event(RunEvent("phase", phase))

    @property
    def examples_on(self) -> bool:
        """Phase 1 writes the plan's examples as checks: asked for, and the plan states an example."""
        return self.options.check_examples and states_examples(self.plan.text)

    def _notice(self, text: str) -> None:
        self.on_event(RunEvent("notice", self.phase, text=text))

    # -- context ------------------------------------------------------------------------

    def prepare(self, *, pinned: tuple[str, ...] = (), dropped: tuple[str, ...] = (), cancel: threading.Event | None = None) -> ContextPack:
        """Rank the files and pack what fits; the user may pin or drop files and prepare again."""
        if not self.ranked:
            self.ranked = rank_files(self.codebase, self.plan, cancel=cancel)
        skeleton = self._phase1_prompt(files="", omitted_note="")
        overhead = self.engine.count_message_tokens(self._system() + [{"role": "user", "content": skeleton}])
        phase2_overhead = self.engine.count_tokens(self._phase2_prompt(Checklist()))
        budget = (
            self.engine.info().context_size
            - overhead
            - phase2_overhead
            - self.options.reflection_tokens
            - self.options.answer_tokens
            - self.options.margin_tokens
        )
        if budget <= 0:
            raise ContextError(
                f"The plan and the answer budget need more than the model's context of "
                f"{self.engine.info().context_size} tokens. Raise the context size, or lower "
                "the answer tokens, or shorten the plan."
            )
        self.context = pack_context(
            ranked_paths=[r.rel_path for r in self.ranked],
            read_text=self.codebase.read_text,
            count_tokens=self.engine.count_tokens,
            budget=budget,
            pinned=pinned,
            dropped=dropped,
        )
        return self.context

    # -- prompts ------------------------------------------------------------------------

    def _system(self) -> list[Message]:
        # The format lives in the system prompt: read first, and its examples are not the
        # last thing a small model sees before it answers (it copied them from there).
        content = self.prompts["system"] + "\n\n" + self.prompts["edit-format"]
        return [{"role": "system", "content": content}]

    def _phase1_prompt(self, *, files: str, omitted_note: str, template: str = "phase1") -> str:
        examples = self.prompts["examples"] if self.examples_on else ""
        return fill(
            self.prompts[template],
            plan=self.plan.text.strip(),
            codebase_name=self.codebase.root.name,
            files=files,
            omitted_note=omitted_note,
            edit_format=self.prompts["edit-format"],
            format_note=self.format_note(),
            words=str(self._reflection_words()),
            examples_part=examples,
        ).rstrip()

    def _reflection_budget(self) -> int:
        """Tokens for the reflection: its word limit's worth (a small model that lists examples
        without end is stopped there) plus the examples block's, never more than the option."""
        extra = self.options.examples_tokens if self.examples_on else 0
        return min(self.options.reflection_tokens, int(self._reflection_words() * 2.5) + 100 + extra)

    def _reflection_words(self) -> int:
        """The reflection's length in words, in proportion to the plan (a short plan gets a short one)."""
        return max(120, min(350, len(self.plan.text.split())))

    def _phase2_prompt(self, checklist: Checklist) -> str:
        edited = (
            " (the developer revised it: where it differs from what you wrote, the revised text wins)"
            if self.reflection_edited
            else ""
        )
        note = ""
        required, proposed = self._split_checklist(checklist)
        if required:
            note = "The checklist your code must satisfy:\n" + required.render() + "\n\n"
        if proposed:
            note += ("Your strategy also proposed these names, which neither the plan nor the code has: "
                     + ", ".join(f"`{n}`" for n in proposed)
                     + ". They are optional; never use them instead of the plan's names.\n\n")
        return fill(self.prompts["phase2"], edited_note=edited, edit_format=self.prompts["edit-format"],
                    checklist_note=note, plan_reminder=self._plan_reminder(), format_note=self.format_note())

    def _split_checklist(self, checklist: Checklist) -> tuple[Checklist, list[str]]:
        """The checklist's names the plan or the code holds, and the reflection's own proposals."""
        known = self._codebase_names(checklist.names)
        keep = [n for n in checklist.names if self.spec.names(n) or n in known]
        return Checklist(files=checklist.files, names=keep), [n for n in checklist.names if n not in keep]

    def _plan_reminder(self) -> str:
        """The plan again (or its requirements, for a long plan), read just before the code is written."""
        text = self.plan.text.strip()
        if self.engine.count_tokens(text) > self.options.plan_reminder_tokens:
            text = self.plan.section_text("requirements").strip()
        return f"The approved plan's requirements, which your code must meet exactly:\n\n{text}\n\n" if text else ""

    def whole_files(self) -> set[str]:
        """The packed Python files that fit the answer budget whole (see RunOptions.whole_file_share)."""
        limit = self.options.whole_file_share * self.options.answer_tokens
        return {f.path for f in (self.context.files if self.context else [])
                if f.path.endswith(".py") and f.cut_at_line is None and f.tokens <= limit}

    def format_note(self) -> str:
        """Which edit format each packed Python file takes, by its size."""
        py = [f.path for f in (self.context.files if self.context else []) if f.path.endswith(".py")]
        whole = self.whole_files()
        lines = []
        if whole:
            lines.append("Write these files whole if you change them (the complete new file, every line, "
                         "in one code block): " + ", ".join(f"`{p}`" for p in py if p in whole) + ".")
        big = [p for p in py if p not in whole]
        if big:
            lines.append("These files are large: write only the definitions you add or change, each in full: "
                         + ", ".join(f"`{p}`" for p in big) + ".")
        return ("\n".join(lines) + "\n\n") if lines else ""

    def context_prompt(self, *, template: str = "phase1") -> str:
        if self.context is None:
            self.prepare()
        return self._phase1_prompt(files=self.context.render(), omitted_note=self.context.omitted_note(), template=template)

    # -- turns --------------------------------------------------------------------------

    def _stream_turn(
        self,
        turn: Turn,
        *,
        max_tokens: int,
        stop_event: threading.Event | None,
        prefill: str = "",
        strategy: PlainStrategy | None = None,
        temperature: float | None = None,
        seed: int | None = None,
    ) -> Turn:
        """One turn, streamed through `strategy` (None: as the model writes it, the reflection)."""
        messages = self.messages + [{"role": "user", "content": turn.prompt}]
        phase = self.phase

        def progress(done: int, total: int) -> None:
            self.on_event(RunEvent("prompt_progress", phase, done=done, total=total))

        if not self.engine.supports_prefill:
            prefill = ""  # the engine cannot continue a reply it did not write
        text = prefill
        if prefill:
            self.on_event(RunEvent("text", phase, text=prefill))
        written = "\n".join(self.answers())  # earlier turns' definitions count as written
        guard = (strategy or PlainStrategy(None)).loop_guard()
        usage: Usage | None = None
        remaining, after, continued = max_tokens, len(text), False
        try:
            while True:
                stream = self.engine.stream(
                    messages,
                    max_tokens=remaining,
                    temperature=self.options.temperature if temperature is None else temperature,
                    stop_event=stop_event,
                    on_prompt_progress=progress,
                    **({"prefill": text} if text else {}),
                    **({"seed": seed} if seed is not None else {}),
                )
                cut = None
                try:
                    for piece in stream:
                        text += piece
                        self.on_event(RunEvent("text", phase, text=piece))
                        if guard.feed(piece):
                            # Leaving the iterator stops generation; the rest would only repeat.
                            self._notice("The answer started listing cases one by one (the same lines with only "
                                         "their numbers changing); generation was stopped there." if guard.counting
                                         else "The answer started repeating itself; generation was stopped there.")
                            break
                        if strategy is not None and "\n" in piece:
                            cut = strategy.copy_start(text, after=after, written=written)
                            if cut is not None:
                                break
                finally:
                    close = getattr(stream, "close", None)
                    if close is not None:
                        close()
                usage = _add_usage(usage, self.engine.last_usage)
                remaining -= self.engine.last_usage.generated_tokens
                can_go_on = remaining > 0 and not self._stopped(stop_event)
                room = remaining >= REOPEN_MIN_TOKENS  # a body cut short by the budget would not parse
                reopened = (strategy.reopen(text, written=written)
                            if cut is None and strategy is not None and can_go_on and room and not guard.looping
                            else None)
                if reopened is not None:
                    shared = len(os.path.commonprefix([text, reopened[0]]))
                    text, target = reopened
                    self._notice(f"The answer closed `{target.path}` without `{target.name}`; it goes on there.")
                    self.on_event(RunEvent("text", phase, text="\n" + text[shared:]))
                    continue
                if cut is None:
                    more = strategy.continuation(text, after=0) if strategy is not None and can_go_on and not continued else ""
                    if not more:
                        break
                    continued = True  # once: the turn wrote no code block, it goes on in one
                    self._notice("The answer had no code block; it goes on in one, at the first file to change.")
                    text += more
                    self.on_event(RunEvent("text", phase, text=more))
                    continue
                kept = text[: cut.at]
                text, more = strategy.redirect(text, cut, written=written, end=not can_go_on)
                after = len(text)
                shared = len(os.path.commonprefix([kept, text]))
                self._notice(f"Left out a line-for-line copy of the unchanged `{cut.name}`"
                             + ("; continuing at the next definition to write." if more else "; the answer ends there."))
                if not more:
                    break
                self.on_event(RunEvent("text", phase, text="\n" + text[shared:]))
        except Exception as exc:
            if isinstance(exc, ContextError) or text == prefill:
                raise
            # The engine failed mid-answer (a server that died, an error inside the model
            # library): the text so far stays in the record, as an answer that is not used.
            turn.text, turn.usage = text, usage or self.engine.last_usage
            turn.kept = turn.kind == "reflection"
            self.turns.append(turn)
            raise
        turn.text = text
        turn.usage = usage
        self.counted_cases = guard.counting
        self.turns.append(turn)
        self.messages = messages
        self.on_event(RunEvent("turn_done", phase, text=turn.kind, usage=turn.usage))
        return turn

    def _stopped(self, stop_event: threading.Event | None) -> bool:
        return stop_event is not None and stop_event.is_set()

    def reflect(self, *, stop_event: threading.Event | None = None) -> str:
        """Phase 1. Starts the conversation afresh (regenerating drops later turns)."""
        if self.context is None:
            self.prepare()
        self.messages = self._system()
        self.turns = []
        self.changeset = None
        self.repairs = 0
        self.reflection_edited = False
        self._set_phase(Phase.REFLECTING)
        try:
            turn = self._stream_turn(
                Turn("reflection", self.context_prompt()), max_tokens=self._reflection_budget(), stop_event=stop_event
            )
            if self.examples_on and not self._stopped(stop_event):
                self._add_examples(turn, stop_event)
        except PlansmithError as exc:
            return self._fail(exc)
        self.reflection = turn.text
        self._set_phase(Phase.STOPPED if self._stopped(stop_event) else Phase.REFLECTED)
        return self.reflection

    def _add_examples(self, turn: Turn, stop_event: threading.Event | None) -> None:
        """The reflection's examples block, made the checks that will run: its asserts that quote
        the plan and fit the code's signatures, then the examples the plan writes as code that it
        left out (stated_examples.py).
        With neither (a small model may spend its budget listing cases), a short turn asks for it."""
        block = split_examples(turn.text)[1]
        files = self._whole_files()
        stated = self.stated_examples()
        quoted = fit_signatures(plan_checks(block, self.plan.text, stated=stated)[0], files)[0]
        code = add_missing(quoted, fit_signatures("\n".join(stated), files)[0])
        code = checks_for(code, codebase_names(files, constants=True)) if code else ""
        if code and code == block.strip():
            return  # the model's block is already what will run
        if not code:
            left = min(self.options.examples_tokens,
                       self.options.reflection_tokens - (turn.usage.generated_tokens if turn.usage else 0))
            if left < 32:
                self._notice("The reflection has no examples block and its token limit is spent: no examples checks.")
                return
            self._notice("The reflection has no examples block: asking for it.")
            messages = self.messages + [{"role": "assistant", "content": turn.text},
                                        {"role": "user", "content": self.prompts["examples"]
                                         + "\n\nWrite only that code block now."}]
            opening = self._examples_opening(files)
            prefill = {"prefill": opening} if self.engine.supports_prefill else {}
            stream = self.engine.stream(messages, max_tokens=left,
                                        temperature=self.options.temperature, stop_event=stop_event, **prefill)
            try:
                answer = "".join(stream)
            finally:
                getattr(stream, "close", lambda: None)()
            turn.usage = _add_usage(turn.usage, self.engine.last_usage)
            code = split_examples((opening if prefill else "") + answer)[1]
        if code:
            if block:
                self._notice("The examples block now holds the checks that will run: the ones that quote the "
                             "plan and fit the code's signatures, and the examples the plan writes as code.")
            addition = f"\n\n## Examples as checks\n```python\n{code}\n```\n"
            turn.text = (split_examples(turn.text)[0] if block else turn.text).rstrip() + addition
            self.on_event(RunEvent("text", self.phase, text=addition))

    def _examples_opening(self, files: dict[str, str]) -> str:
        """The asked-for block's start (block_opening): the codebase's names the plan mentions."""
        return block_opening({n: m for n, m in codebase_names(files).items() if self.spec.mentions(n)})

    def _whole_files(self) -> dict[str, str]:
        """The packed files that are not cut short, by path."""
        return {f.path: f.text for f in (self.context.files if self.context else []) if f.cut_at_line is None}

    def set_reflection(self, text: str) -> None:
        """The user's edit (or a reflection loaded from a file) replaces the model's."""
        if self.context is None:
            self.prepare()
        if not self.messages:
            self.messages = self._system()
            self.turns = [Turn("reflection", self.context_prompt(), text=text)]
            self.messages.append({"role": "user", "content": self.turns[0].prompt})
        if text != self.reflection:
            self.reflection_edited = True
        self.reflection = text
        self.turns = self.turns[:1]
        self.messages = self.messages[:2]
        self._set_phase(Phase.REFLECTED)

    def implement(self, *, stop_event: threading.Event | None = None) -> ChangeSet | None:
        """Phase 2, then checks, up to `max_repairs` repair turns and, when nothing usable came out
        of those, one last whole-file turn. `max_repairs=0` makes Phase 2 a single turn."""
        if not self.reflection.strip():
            raise PlansmithError("There is no reflection to implement: run Phase 1 first or load one.")
        self.messages = self.messages[:2] + [{"role": "assistant", "content": self.strategy_text()}]
        self.turns = self.turns[:1]
        self.repairs = 0
        checklist = parse_checklist(self.reflection)
        strategy = self._strategy(checklist)
        self._set_phase(Phase.IMPLEMENTING)
        prompt = self._phase2_prompt(checklist)
        opening = strategy.opening() or self._first_edit_prefill(checklist)
        try:
            self._stream_turn(
                Turn("implementation", prompt),
                max_tokens=self.options.answer_tokens,
                stop_event=stop_event,
                prefill=opening,
                strategy=strategy,
            )
            if not self._stopped(stop_event):
                self._check_and_repair(checklist, strategy, stop_event=stop_event)
            if not self._stopped(stop_event):
                self._fresh_attempts(checklist, strategy, prompt, opening, stop_event=stop_event)
            if self.options.max_repairs > 0 and not self._stopped(stop_event):
                self._last_turn(checklist, strategy, stop_event=stop_event)
        except PlansmithError as exc:
            return self._fail(exc)
        return self._finish(stop_event)

    def follow_up(self, instruction: str, *, stop_event: threading.Event | None = None) -> ChangeSet | None:
        """A further instruction that revises the answer in the same conversation."""
        if not self.turns or self.turns[-1].kind == "reflection":
            raise PlansmithError("Run Phase 2 before sending a follow-up instruction.")
        last = next(t for t in reversed(self.turns) if t.kept)
        self.messages = self.messages + [{"role": "assistant", "content": last.text}]
        checklist = parse_checklist(self.reflection)
        strategy = self._strategy(checklist)
        self._set_phase(Phase.IMPLEMENTING)
        try:
            self._stream_turn(
                Turn("followup", fill(self.prompts["followup"], instruction=instruction.strip())),
                max_tokens=self.options.answer_tokens,
                stop_event=stop_event,
                strategy=strategy,
            )
            if not self._stopped(stop_event):
                self._check_and_repair(checklist, strategy, stop_event=stop_event)
        except PlansmithError as exc:
            return self._fail(exc)
        return self._finish(stop_event)

    def _strategy(self, checklist: Checklist) -> PlainStrategy:
        files = {f.path: f.text for f in (self.context.files if self.context else [])}
        fallback = next((p for p in list(checklist.files) + list(files) if p.endswith(".py") and p in files), None)
        steer = Steer(self.spec, files, whole=self.whole_files(), fallback_path=fallback)
        return choose_strategy(self.options.strategy, supports_prefill=self.engine.supports_prefill, steer=steer)

    def _first_edit_prefill(self, checklist: Checklist) -> str:
        """Start Phase 2's reply with the first file the reflection said it would change.

        A small model otherwise tends to write its analysis again instead of edits.
        """
        known = {f.rel_path for f in self.codebase.files}
        candidates = list(checklist.files)
        if not candidates and self.context and self.context.files:
            candidates = [self.context.files[0].path]  # no checklist: the best-ranked file
        for path in candidates:
            if path in known or not (self.codebase.root / path).exists():
                return f"{path}\n```{fence_language(path)}\n"
        return ""

    def _finish(self, stop_event: threading.Event | None) -> ChangeSet:
        changeset = self._rebuild_changeset()
        changeset.checks = [c.to_dict() for c in self.final_checks()]
        for line in set_review_ticks(changeset, plan_text=self.plan.text, other_files=lambda: codebase_texts(self.codebase)):
            self._notice(line)
        stopped = self._stopped(stop_event)
        if stopped:  # the answer may end mid-file, and its checks may not have run
            unticked = [c for c in changeset.changes if c.accepted]
            for change in unticked:
                change.accepted = False
                change.notes.append("not ticked: the run was stopped before its answer and checks ended")
            if unticked:
                self._notice("Stopped: the changes so far are shown, not ticked.")
        self._set_phase(Phase.STOPPED if stopped else Phase.DONE)
        return changeset

    def _fail(self, exc: PlansmithError) -> None:
        self.error = str(exc)
        self._set_phase(Phase.FAILED)
        raise exc

    # -- record -------------------------------------------------------------------------

    def to_record(self) -> RunRecord:
        info = self.engine.info()
        return {
            "plan": {"path": str(self.plan.path) if self.plan.path else None, "sha256": self.plan.sha256, "text": self.plan.text},
            "codebase": str(self.codebase.root),
            "model": {"name": info.name, "sha256": info.sha256, "backend": info.backend, "context_size": info.context_size},
            "options": vars(self.options).copy(),
            "phase": self.phase.value,
            "error": self.error,
            "context": self.context.to_dict() if self.context else None,
            "reflection": self.reflection,
            "reflection_edited": self.reflection_edited,
            "turns": [t.to_dict() for t in self.turns],
            "repairs": self.repairs,
            "changeset": self.changeset.to_dict() if self.changeset else None,
            "started_at": self.started_at,
            "finished_at": time.time(),
        }
