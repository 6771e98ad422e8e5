"""rank_files: what each signal does, definitions across languages, and quality on 13 cases."""

from __future__ import annotations

import importlib.util
import sys
import threading
from pathlib import Path

import pytest

from desktop.core.codebase import scan_codebase
from desktop.core.plan import plan_from_text, read_plan
from desktop.core.ranking import RankedFile, _defined_keys, _key, rank_files
from desktop.errors import Cancelled

FIXTURES = Path(__file__).parent / "fixtures" / "ranking"


def _rank(root: Path, files: dict[str, str], plan: str) -> list[RankedFile]:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return rank_files(scan_codebase(root), plan_from_text(plan))


def _order(ranked: list[RankedFile]) -> list[str]:
    return [r.rel_path for r in ranked]


# A few files that share the plan's everyday words, so only real signals separate them.
NOISE = {
    "app/orders.py": "def list_orders(db):\n    # config of orders, parsed per user\n    return db.orders\n",
    "app/users.py": "class User:\n    config = None  # the user's parsed config\n",
    "app/util.py": "def load(path):\n    return open(path).read()  # config, users, orders\n",
    "docs/notes.md": "We parse the config and load users and orders.\n",
}


def test_defining_file_wins_in_any_spelling(tmp_path: Path) -> None:
    files = {**NOISE, "web/settings.ts": "export function parseConfig(text: string) {\n  return JSON.parse(text);\n}\n"}
    ranked = _rank(tmp_path, files, "## Steps\n1. Make `parse_config` accept comments.\n")
    assert ranked[0].rel_path == "web/settings.ts"
    assert ranked[0].reasons[0] == "defines `parse_config` named in the plan"
    assert ranked[0].score > 2 * ranked[1].score


def test_user_of_a_name_ranks_below_its_definer(tmp_path: Path) -> None:
    files = {
        **NOISE,
        "core/pricing.py": "def apply_discount(total, pct):\n    return total * (1 - pct)\n",
        "core/checkout.py": "from core.pricing import apply_discount\n\ndef pay(cart):\n    return apply_discount(cart.total, 0.1)\n",
    }
    ranked = _rank(tmp_path, files, "Change apply_discount() to round to cents.\n")
    order = _order(ranked)
    assert order[:2] == ["core/pricing.py", "core/checkout.py"]
    assert "uses `apply_discount`" in ranked[1].reasons


def test_explicit_path_file_name_and_module(tmp_path: Path) -> None:
    files = {**NOISE, "pkg/a/report.py": "x = 1\n", "pkg/b/report.py": "y = 2\n", "pkg/c/exporter.py": "z = 3\n"}
    ranked = _rank(tmp_path, files, "Edit pkg/c/exporter.py and `report.py`; see pkg.a.report too.\n")
    by_path = {r.rel_path: r for r in ranked}
    assert ranked[0].rel_path == "pkg/c/exporter.py"
    assert by_path["pkg/c/exporter.py"].reasons[0] == "path `pkg/c/exporter.py` named in the plan"
    # The bare name fits two files: each gets half the credit, plus the module for pkg/a.
    assert by_path["pkg/a/report.py"].score > by_path["pkg/b/report.py"].score > 0
    assert "module `pkg.a.report` named in the plan" in by_path["pkg/a/report.py"].reasons


def test_plain_words_are_weighted_by_rarity(tmp_path: Path) -> None:
    files = {f"m{i}.py": f"# the data of module {i}\nx = {i}\n" for i in range(20)}
    files["m7.py"] = "# the data of module 7, with a watermark\nx = 7\n"
    ranked = _rank(tmp_path, files, "Add a watermark to the data module.\n")
    assert ranked[0].rel_path == "m7.py"
    assert ranked[0].reasons[0].startswith("mentions plan words: watermark")
    # "data" and "module" are in every file: on their own they are worth almost nothing.
    assert ranked[1].score < 0.2 * ranked[0].score


def test_importers_of_the_top_file_get_a_small_boost(tmp_path: Path) -> None:
    files = {
        **NOISE,
        "billing/reminders.py": "def send_overdue_reminders(db):\n    pass\n",
        "jobs/nightly.py": "from billing import reminders\n\ndef run(db):\n    reminders.go(db)\n",
        "jobs/weekly.py": "def run(db):\n    pass\n",
    }
    ranked = _rank(tmp_path, files, "Make `send_overdue_reminders` skip paid invoices.\n")
    by_path = {r.rel_path: r for r in ranked}
    assert ranked[0].rel_path == "billing/reminders.py"
    nightly = by_path["jobs/nightly.py"]
    assert nightly.reasons[0] == "refers to `reminders` (module of top match billing/reminders.py)"
    assert 0 < nightly.score < ranked[0].score / 2
    assert by_path["jobs/weekly.py"].score == 0


def test_every_file_best_first_ties_by_path(tmp_path: Path) -> None:
    files = {"b.py": "", "a.py": "", "c/d.py": "", "z.py": "def rare_name(): pass\n"}
    ranked = _rank(tmp_path, files, "Fix `rare_name`.\n")
    assert _order(ranked) == ["z.py", "a.py", "b.py", "c/d.py"]
    assert [r.score for r in ranked[1:]] == [0, 0, 0]


def test_cancel_set_before_ranking(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        rank_files(scan_codebase(tmp_path), plan_from_text("x"), cancel=cancel)


@pytest.mark.parametrize(
    "source, name",
    [
        ("def parse_config(path):\n", "parse_config"),
        ("class InvoiceRepository(Base):\n", "InvoiceRepository"),
        ("    async def mark_paid(self):\n", "mark_paid"),
        ("PERIODIC_TASKS = [\n", "PERIODIC_TASKS"),
        ("MAX_RETRIES: int = 5\n", "MAX_RETRIES"),
        ("export async function loadUser(id) {\n", "loadUser"),
        ("export const formatMoney = (c) => c / 100;\n", "formatMoney"),
        ("export default class CartStore {\n", "CartStore"),
        ("  async applyCode(code: string): Promise<void> {\n", "applyCode"),
        ("export interface OrderTotal {\n", "OrderTotal"),
        ("export type ServerEvent =\n", "ServerEvent"),
        ("  onSave: function (e) {\n", "onSave"),
        ("func (s *LinkStore) Resolve(ctx context.Context) error {\n", "Resolve"),
        ("func GenerateSlug(n int) string {\n", "GenerateSlug"),
        ("type QueueConfig struct {\n", "QueueConfig"),
        ("pub fn parse_since(s: &str) -> Option<Duration> {\n", "parse_since"),
        ("pub(crate) struct SegmentReader {\n", "SegmentReader"),
        ("trait Filter {\n", "Filter"),
        ("    public Loan checkout(long copyId, long memberId) {\n", "checkout"),
        ("public interface HoldRepository {\n", "HoldRepository"),
        ("static int parse_header(const char *buf, size_t n)\n", "parse_header"),
        ("#define MAX_PATH_LEN 4096\n", "MAX_PATH_LEN"),
        ("  def self.find_by_token(token)\n", "find_by_token"),
    ],
)
def test_definitions_across_languages(source: str, name: str) -> None:
    assert _key(name) in _defined_keys(source.encode())


@pytest.mark.parametrize(
    "source, name",
    [
        ("    send_email(to, body)\n", "send_email"),  # a Python call
        ("    return apply_discount(total)\n", "apply_discount"),
        ("    if is_ready(job) {\n", "is_ready"),
        ("\tdefer cleanup()\n", "cleanup"),
        ("    result = compute_total(cart)\n", "compute_total"),
        ("    await saveOrder(order);\n", "saveOrder"),
    ],
)
def test_calls_are_not_definitions(source: str, name: str) -> None:
    assert _key(name) not in _defined_keys(source.encode())


# --- quality on realistic codebases ---------------------------------------------------------


def _cases():
    spec = importlib.util.spec_from_file_location("ranking_cases", FIXTURES / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["ranking_cases"] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


def test_fixture_cases_are_what_the_test_claims() -> None:
    build = _cases()
    cases = build.load_cases()
    assert len(cases) >= 12
    for case in cases:
        assert len(case.files) >= 25, case.name
        assert len({p.rsplit("/", 1)[0] for p in case.files if "/" in p}) >= 4, case.name
        for rel in case.expected:
            assert rel in case.files, (case.name, rel)
            # The plan names these files only by identifier: no path, no file name.
            assert rel not in case.plan and rel.rsplit("/", 1)[-1] not in case.plan, (case.name, rel)
        kinds = {s.kind for s in plan_from_text(case.plan).sections}
        assert {"components", "user_stories", "requirements", "steps"} <= kinds, case.name


def test_files_to_change_rank_in_the_top_10(tmp_path: Path) -> None:
    build = _cases()
    hits, misses, total = 0, [], 0
    for case in build.load_cases():
        root = tmp_path / case.name / "repo"
        build.write_case(case, root)
        plan_path = tmp_path / case.name / "plan.md"
        plan_path.write_text(case.plan, encoding="utf-8")
        ranked = rank_files(scan_codebase(root), read_plan(plan_path))
        top10 = [r.rel_path for r in ranked[:10]]
        for rel in case.expected:
            total += 1
            if rel in top10:
                hits += 1
            else:
                misses.append(f"{case.name}: {rel} at {[r.rel_path for r in ranked].index(rel)}")
    assert total >= 40
    assert hits / total >= 0.9, f"{hits}/{total} in the top 10; missed: {misses}"
