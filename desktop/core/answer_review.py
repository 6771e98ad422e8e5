"""The checks and repairs of a run's Phase 2 answers: what a turn's answer changes, the problems
sent back to the model (static ones and those the checks on a scratch copy found), repair turns,
answers written afresh while only the checks fail, and the last whole-file turn when nothing
usable came out. A part of `Run` (pipeline.py), kept in its own module; it uses the run's
conversation, turns and options. Qt-free."""

from __future__ import annotations

import ast
import functools
import re
import tempfile
import threading
from pathlib import Path

from desktop.core.changes import ChangeSet
from desktop.core.checklist import Checklist, check_names
from desktop.core.checks import Checker, CheckResult, problems_text
from desktop.core.compose import compose_answers
from desktop.core.early_exits import without_early_exits
from desktop.core.new_files import unasked_files
from desktop.core.prompts import fill
from desktop.core.py_facts import facts_of
from desktop.core.raise_messages import check_raise_messages
from desktop.core.reflection_code import without_code
from desktop.core.reflection_examples import checks_for, codebase_names, fit_signatures, plan_checks, split_examples
from desktop.core.signatures import check_calls, check_signatures
from desktop.core.stated_examples import stated_checks
from desktop.core.strategy import PlainStrategy
from desktop.core.turns import Turn, best_of_round, failed_everywhere, ran_checks, rank, score
from desktop.errors import ContextError

__all__ = ["AnswerReview"]

EXIT_TRIES = 12  # answers checked without an early exit, at most, per run


def _parses(changes) -> bool:
    """Every changed Python file parses (else the checks would only repeat that)."""
    for change in changes:
        if change.path.endswith(".py"):
            try:
                ast.parse(change.new_text)
            except (SyntaxError, ValueError):
                return False
    return True


@functools.lru_cache(maxsize=4)
def _stated(plan: str, files: tuple[tuple[str, str], ...], examples: tuple) -> tuple[str, ...]:
    """Read once per plan and codebase: each check and each fresh answer asks again."""
    return tuple(stated_checks(plan, dict(files), examples=examples))


def _hidden_methods(changed: dict[str, tuple[str | None, str]]) -> list[str]:
    """Problems: an attribute the answer sets on `self` under the name of one of its class's methods."""
    problems = []
    for path, (old, new) in changed.items():
        if not path.endswith(".py"):
            continue
        before = {(c, m) for c, m, _ in facts_of(old).hidden_methods} if old else set()
        for cls, method, line in facts_of(new).hidden_methods:
            if (cls, method) not in before:
                problems.append(f"{path} line {line}: `self.{method} = ...` hides the method `{cls}.{method}`, so "
                                f"calling `{method}(...)` on an instance fails. Keep the method `{method}` as it is "
                                f"named and store the value under another name, such as `self._{method}`.")
                before.add((cls, method))
    return problems


class AnswerReview:
    """Mixed into `Run`: everything here reads and writes the run's own state."""

    _only_stubs_left = False  # the last review found stubs left and no other static problem

    def answers(self) -> list[str]:
        return [t.text for t in self.turns if t.kind != "reflection" and t.kept]

    def strategy_text(self) -> str:
        """The reflection Phase 2 follows: without its examples block when that is a check, and,
        unless the developer edited it, without the code the model wrote into it (a small model
        copies that code, bugs included: reflection_code.py)."""
        text = split_examples(self.reflection)[0] if self.examples_on else self.reflection
        return text if self.reflection_edited else without_code(text)

    def examples(self) -> str:
        """The examples block of the reflection, as checks; empty when example checks are off."""
        if not self.examples_on:
            return ""
        files = self._whole_files()
        block = split_examples(self.reflection)[1]
        code = fit_signatures(plan_checks(block, self.plan.text, stated=self.stated_examples())[0], files)[0]
        return checks_for(code, codebase_names(files, constants=True)) if code else ""

    def stated_examples(self) -> list[str]:
        """The plan's own examples of the codebase's functions, as asserts (stated_examples.py)."""
        return list(_stated(self.plan.text, tuple(self._whole_files().items()), self.spec.examples))

    def final_checks(self) -> list[CheckResult]:
        """The checks of the answer the change set is built from (the last kept turn checked)."""
        for turn in reversed(self.turns):
            if turn.kind != "reflection" and turn.kept:
                return [CheckResult.from_dict(d) for d in turn.checks]
        return []

    def _say_which_examples(self) -> None:
        block = split_examples(self.reflection)[1]
        left_out = plan_checks(block, self.plan.text, stated=self.stated_examples())[1]
        if not block:
            self._notice("The reflection has no examples block: the plan's examples are not checked.")
        elif left_out:
            self._notice(f"{left_out} example check(s) left out: the plan does not state their call and value.")

    def checker(self) -> Checker | None:
        """The checks this run asks for, or None."""
        checker = Checker(self.codebase.root, scratch_dir=Path(self.options.scratch_dir or tempfile.gettempdir()),
                          examples=self.examples(), command=self.options.check_command,
                          timeout=self.options.check_timeout, python=self.options.check_python,
                          examples_any_code=self.options.examples_any_code)
        return checker if checker.active else None

    def _rebuild_changeset(self) -> ChangeSet:
        self.changeset = compose_answers(
            self.answers(), root=self.codebase.root, files=[f.rel_path for f in self.codebase.files]
        )
        return self.changeset

    def _proposed(self) -> dict[str, str]:
        """The new text of each usable change, as the answers so far leave it."""
        return {c.path: c.new_text for c in self._usable(self.changeset)} if self.changeset else {}

    def _usable(self, changeset: ChangeSet) -> list:
        """Changes that apply and change something, but for new files nothing asks for (the
        review leaves them unticked, so they are neither checked nor repaired)."""
        unasked = set(unasked_files(changeset, plan_text=self.plan.text))
        return [c for c in changeset.changes if c.kind != "rejected" and c.new_text is not None
                and c.new_text != c.old_text and c.path not in unasked]

    def problems(self, checklist: Checklist) -> str:
        """What a repair turn must fix, quoted concretely; empty when the answer is usable."""
        changeset = self._rebuild_changeset()
        report = changeset.problems_report(skip=set(unasked_files(changeset, plan_text=self.plan.text))).strip()
        lines = [report] if report else []
        usable = self._usable(changeset)
        nothing = not usable and not report
        if nothing:
            lines.append("Your answer has no code block that changes a file. Write the changes as code blocks under their file paths, in the required format.")
        if self.counted_cases:
            lines.append("Your answer listed cases one by one (the same lines with only their numbers changing) "
                         "until it was stopped. Write the general rule instead: one condition, formula or loop "
                         "that covers every case.")
        required_checklist, _ = self._split_checklist(checklist)
        required = list(dict.fromkeys(list(self.spec.required) + required_checklist.names))
        changed = {c.path: (c.old_text, c.new_text) for c in usable}
        lines += check_names(required=required, changed=changed, codebase_mentions=self._codebase_names(required))
        lines += check_signatures(self.plan.text, changed)
        lines += check_calls(self.spec.calls, changed)
        lines += self._raise_messages(changed)
        lines += _hidden_methods(changed)
        stubs = self._stubs_left(changed)
        # Stubs and, at most, the note that nothing changed: a repair may then start at the stub.
        self._only_stubs_left = bool(stubs) and len(lines) == (1 if nothing else 0)
        lines += stubs
        return "\n".join(f"- {line}" if not line.startswith(("-", " ")) else line for line in lines)

    def _raise_messages(self, changed: dict[str, tuple[str | None, str]]) -> list[str]:
        """The plan's `raise` messages no Python file holds with the answer applied (raise_messages.py)."""
        if not self.spec.raises or not changed:
            return []
        before = {}
        for f in (self.context.files if self.context else []):
            if f.path.endswith(".py"):
                try:
                    before[f.path] = f.text if f.cut_at_line is None else self.codebase.read_text(f.path)
                except OSError:
                    before[f.path] = f.text
        before.update({p: old for p, (old, _) in changed.items() if old is not None})
        after = {**before, **{p: new for p, (_, new) in changed.items()}}
        return check_raise_messages(self.spec.raises, before=before, after=after)

    def _stubs_left(self, changed: dict[str, tuple[str | None, str]]) -> list[str]:
        """Stubs of the packed files that are still stubs once the answer is applied."""
        problems = []
        for f in (self.context.files if self.context else []):
            if not f.path.endswith(".py") or f.cut_at_line is not None:
                continue
            before = facts_of(f.text).stubs
            if not before:
                continue
            after = facts_of(changed[f.path][1]) if f.path in changed else None
            for d in before:
                still = after.find(d.name, d.owner) if after is not None else d
                if still is not None and still.stub:
                    problems.append(f"{f.path}: `{d.qualname}` still has no implementation (its body is only a "
                                    "placeholder). Write its complete code.")
        return problems

    def _codebase_names(self, names: list[str]) -> set[str]:
        """Which of `names` the unchanged codebase already defines (in the packed files)."""
        found = set()
        for f in (self.context.files if self.context else []):
            for name in names:
                if re.search(rf"\b(?:def|class)\s+{re.escape(name)}\b", f.text):
                    found.add(name)
        return found

    def _review(self, checklist: Checklist, checker: Checker | None, stop_event: threading.Event | None,
                *, checked: tuple[dict[str, str | None], list[CheckResult]] | None = None) -> str:
        """The last turn's problems: the static ones, then what the checks found on the result.
        `checked`: files (path to new text) the checker has just run on, and its results, taken
        when the result is exactly those files."""
        turn = self.turns[-1]
        problems = self._static_problems = self.problems(checklist)
        usable = self._usable(self.changeset)
        if checker is not None and usable and _parses(usable) and not self._stopped(stop_event):
            results = checked[1] if checked and checked[0] == {c.path: c.new_text for c in usable} else None
            if results is None:
                self._notice("Checking the change on a scratch copy of the codebase")
                results = checker.run([(c.path, c.new_text) for c in usable], stop_event=stop_event)
            turn.checks = [r.to_dict() for r in results]
            for result in results:
                self._notice(result.summary())
            failed = problems_text(results)
            problems = "\n".join(p for p in (problems, failed) if p)
        turn.problems = problems
        return problems

    def _keep_best(self) -> None:
        """Leave out the answers after the one with the fewest problems (checks included)."""
        best = best_of_round(self.turns)
        if best is None:
            return
        later = [t for t in self.turns[best + 1:] if t.kind == "repair"]
        if later:
            for turn in later:
                turn.kept = False
            self._notice(f"Kept the {self.turns[best].kind} answer (turn {best}): the {len(later)} "
                         "repair(s) after it did not do better on the checks and were left out.")
            self._rebuild_changeset()

    def _check_and_repair(self, checklist: Checklist, strategy: PlainStrategy, *,
                          stop_event: threading.Event | None) -> None:
        checker = self.checker()
        if self.examples_on:
            self._say_which_examples()
        problems = self._review(checklist, checker, stop_event)
        while problems and self.repairs < self.options.max_repairs and not self._stopped(stop_event):
            if ran_checks(self.turns[-1]) and not self._static_problems:
                break  # only the checks fail: left to the fresh answers (_fresh_attempts)
            before = self._proposed()
            self.repairs += 1
            self._notice(f"Repair {self.repairs}: {problems.count(chr(10)) + 1} problem(s) sent back to the model")
            # Code that runs but gives wrong results is asked to say what is wrong before it is rewritten.
            failed_checks = any(c.get("new_failures") for c in self.turns[-1].checks)
            template = self.prompts["check-repair" if failed_checks else "repair"]
            self.messages = self.messages + [{"role": "assistant", "content": self.turns[-1].text}]
            try:
                self._stream_turn(
                    Turn("repair", fill(template, problems=problems)),
                    max_tokens=self.options.answer_tokens,
                    stop_event=stop_event,
                    # Stubs left and no other static problem (failing checks aside: a stub fails
                    # them): the reply starts at the first stub. Text above a problem elsewhere
                    # would be prefilled, past the model's reach.
                    prefill=strategy.repair_opening(self._proposed()) if self._only_stubs_left else "",
                    strategy=strategy,
                )
            except ContextError:
                self._notice("No room left in the context for another repair turn.")
                self.messages = self.messages[:-1]
                break
            problems = self._review(checklist, checker, stop_event)
            # The same code again: asked again with the same problems, it would write it once more.
            if problems and before and self._proposed() == before:
                self._notice("The repair wrote the same code again; no further repair is asked for.")
                break
            if ran_checks(self.turns[-1]) and not self._static_problems:
                break  # only the checks fail: answers written afresh do better than edits (below)
        if checker is not None:
            self._keep_best()

    def _fresh_attempts(self, checklist: Checklist, strategy: PlainStrategy, prompt: str, opening: str, *,
                        stop_event: threading.Event | None) -> None:
        """While only the checks fail: answers written afresh, not edits of the failing code
        (a small model asked to fix its code mostly writes it again unchanged).

        As many as the repair limit allows, then `candidates - 1` more. The first is greedy (the
        run's temperature), from the plan and the code alone, asked plainly: the strategy may be
        what misled the answer. The later ones are sampled (`candidate_temperature`, or the
        run's temperature when above 0; seeds 1, 2, ...), since a greedy answer to the same
        question is the same answer: from the plan alone and from the strategy in turn, each
        told what failed. (On the tuning split, of 7 tasks whose first answer and the greedy
        answer from the plan failed their checks, a sampled answer from the plan (seed 1)
        passed them in 3, one from the strategy in 1, the greedy one from the strategy told
        what failed in none.) Each is checked on its own; the answer with the fewest problems
        is kept (then the one with fewer examples that gave None or raised, `rank`; then the
        earliest); it stops at the first that passes.
        """
        checker = self.checker()
        first = [t for t in self.turns[1:] if t.kept]
        if checker is None or not first or not ran_checks(first[-1]) or score(first[-1]) == (0, 0):
            return
        note = fill(self.prompts["retry"], problems=first[-1].problems)
        base = self.messages[:3]  # system, Phase 1's prompt, the reflection: the KV cache holds them
        plan_only = self._system() + [{"role": "user", "content": self.context_prompt(template="oneshot")}]
        # (where from, the conversation before the ask, the ask, its turn kind, temperature, seed)
        from_plan = ("from the plan alone", plan_only[:-1], plan_only[-1]["content"])
        from_strategy = ("from the strategy, told what failed", base, prompt + "\n\n" + note)
        retries = max(0, self.options.max_repairs - self.repairs)
        temperature = self.options.temperature or self.options.candidate_temperature
        from_plan_told = ("from the plan alone, told what failed", plan_only[:-1],
                          plan_only[-1]["content"] + "\n\n" + note)
        attempts = [(*from_plan, "retry", None, None)] if retries else []
        for seed in range(1, retries + self.options.candidates - len(attempts)):
            source = from_plan_told if seed % 2 else from_strategy
            attempts.append((*source, "retry" if len(attempts) < retries else "candidate", temperature, seed))
        groups = {0: first}
        conversations = {0: self.messages}  # each ends with the user turn its last answer replies to
        for n, (where, messages, ask, kind, temp, seed) in enumerate(attempts, 1):
            if self._stopped(stop_event):
                break
            for turn in self.turns[1:]:
                turn.kept = False  # this answer is composed and checked on its own
            self.messages = list(messages)
            if kind == "retry":
                self.repairs += 1
                sampled = f", sampled at temperature {temp:g} (seed {seed})" if seed is not None else ""
                self._notice(f"Only the checks fail: answer {n + 1} written afresh {where}{sampled}.")
            else:
                self._notice(f"Candidate {n + 1}: sampled at temperature {temp:g}, seed {seed}, {where}.")
            turn = self._stream_turn(Turn(kind, ask.rstrip(), candidate=n), max_tokens=self.options.answer_tokens,
                                     stop_event=stop_event, prefill=opening, strategy=strategy,
                                     temperature=temp, seed=seed)
            self._review(checklist, checker, stop_event)
            groups[n] = [turn]
            conversations[n] = self.messages
            if score(turn) == (0, 0):
                break
        if (self.options.max_repairs > 0 and not any(score(g[-1]) == (0, 0) for g in groups.values())
                and not self._stopped(stop_event)):
            self._without_early_exits(groups, checklist, checker, stop_event)
        best = min(groups, key=lambda k: (rank(groups[k][-1]), k))
        for turn in self.turns[1:]:
            turn.kept = any(turn is t for t in groups[best])
        self.messages = conversations[best]  # a follow-up continues the kept answer's conversation
        self._rebuild_changeset()
        passed = score(groups[best][-1]) == (0, 0)
        if len(groups) > 1:
            self._notice(f"Kept answer {best + 1} of {len(groups)}: " + (
                "it passes the checks." if passed else "it fails the fewest checks."))
        if not passed:  # (an early-exit edit joins its answer's group only when it passes)
            self._say_failed_everywhere([t for g in groups.values() for t in g])

    def _say_failed_everywhere(self, answers: list[Turn]) -> None:
        """Name the examples no answer met: the model could not, or the example is wrong."""
        examples, checked = failed_everywhere(answers)
        if examples:
            which = ("The example " if len(examples) == 1 else "These examples ") + ", ".join(f"`{e}`" for e in examples)
            self._notice(f"{which} failed on all {checked} answers. Check {'it' if len(examples) == 1 else 'them'} "
                         "against the plan: one that is wrong (a value the plan misstates, or the plan's words read "
                         "as a call) can be corrected or removed in the reflection's examples block before Phase 2 "
                         "is run again; one that is right is where the code needs your hand.")

    def _without_early_exits(self, groups: dict[int, list[Turn]], checklist: Checklist, checker: Checker,
                             stop_event: threading.Event | None) -> None:
        """When no answer passed its checks: each answer, best first, without one of the early
        exits it added (early_exits.py). The first that passes every check joins its answer as
        an "edit" turn (no model turn: the answer's file with that `if` left out)."""
        quick = checker.examples_only() if checker.command else None
        tries = 0
        for k in sorted(groups, key=lambda k: (rank(groups[k][-1]), k)):
            for turn in self.turns[1:]:
                turn.kept = any(turn is t for t in groups[k])
            changes = self._usable(self._rebuild_changeset())
            variants = [(change, variant) for change in changes if change.path.endswith(".py")
                        for variant in without_early_exits(change.new_text, change.old_text)
                        if "```" not in variant.text]  # a fence in the file would not survive as one block
            for change, variant in variants:
                if tries >= EXIT_TRIES or self._stopped(stop_event):
                    return
                if not tries:
                    self._notice("No answer passed its checks: checking each without an early exit it added.")
                tries += 1
                text = variant.text if variant.text.endswith("\n") else variant.text + "\n"
                files = [(c.path, text if c is change else c.new_text) for c in changes]
                results = quick.run(files, stop_event=stop_event) if quick is not None else []
                if all(r.ok and r.ran for r in results):
                    results = checker.run(files, stop_event=stop_event)
                if not all(r.ok and r.ran for r in results):
                    continue
                turn = Turn("edit", f"Answer {k + 1} without the early exit on line {variant.line} "
                            f"of `{change.path}`: `{variant.source}`",
                            f"{change.path}\n```python\n{text}```", candidate=k)
                self.turns.append(turn)
                self._review(checklist, checker, stop_event, checked=(dict(files), results))
                if score(turn) == (0, 0):
                    groups[k].append(turn)
                    self._notice(f"Answer {k + 1} passes its checks without the early exit `{variant.source}` "
                                 f"(line {variant.line} of `{change.path}`), which it added.")
                    return
                self.turns.pop()
                break  # its checks pass but its other problems stay (a stub, a name): the next answer

    def _last_turn(self, checklist: Checklist, strategy: PlainStrategy, *, stop_event: threading.Event | None) -> None:
        """When nothing usable came out, one more turn asks for the first target file, whole.
        A Python change that would not parse counts as nothing: the review leaves it unticked.
        A usable one is checked like any answer (no repair follows): the review and `run --apply`
        see how its checks went, as for every other change."""
        if any(_parses([c]) for c in self._usable(self._rebuild_changeset())):
            return
        path = strategy.steer.first_path() if strategy.steer is not None else None
        packed = {f.path: f for f in (self.context.files if self.context else [])}
        if path is None or path not in packed:
            self._notice("No usable change came out, and there is no Python file in the context to ask for whole.")
            return
        if packed[path].tokens > self.options.answer_tokens * 0.9:
            self._notice(f"No usable change came out, and `{path}` is too large ({packed[path].tokens} tokens) "
                         "to ask for whole within the answer budget.")
            return
        last = next(t for t in reversed(self.turns) if t.kept)
        reason = last.problems.strip()
        self.messages = self.messages + [{"role": "assistant", "content": last.text}]
        self._notice(f"No usable change yet: asking for the whole of `{path}`.")
        try:
            self._stream_turn(
                Turn("final", fill(self.prompts["final"], path=path,
                                   reason=("What went wrong before:\n" + reason) if reason else "")),
                max_tokens=self.options.answer_tokens,
                stop_event=stop_event,
                prefill=f"{path}\n```python\n",
            )
        except ContextError:
            self.messages = self.messages[:-1]
            self._notice("No room left in the context for the last turn.")
            return
        usable = any(_parses([c]) for c in self._usable(self._rebuild_changeset()))
        self.turns[-1].problems = "" if usable else "no usable change (none that parses)"
        checker = self.checker()
        if usable and checker is not None and not self._stopped(stop_event):
            self._review(checklist, checker, stop_event)
