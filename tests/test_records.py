"""Run records: two runs started in the same second on the same plan never share an id."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from desktop.core.records import list_runs, load_run, save_run


def test_two_runs_in_the_same_second_get_their_own_ids(tmp_path):
    record = {"title": "Add mul", "started_at": 1_700_000_000.0, "phase": "done", "turns": []}
    first = save_run(dict(record), runs_dir=tmp_path)
    second = save_run(dict(record, phase="stopped"), runs_dir=tmp_path)
    assert first != second and second == first + "-2"
    assert load_run(first, runs_dir=tmp_path)["phase"] == "done"
    assert load_run(second, runs_dir=tmp_path)["phase"] == "stopped"
    assert save_run(dict(record, phase="failed"), runs_dir=tmp_path, run_id=first) == first  # an update keeps its id
    assert len(list_runs(runs_dir=tmp_path)) == 2


def test_runs_saved_by_processes_at_once_all_survive(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from desktop.core.records import save_run
        print(save_run({{"title": "same", "started_at": 1700000000.0, "turns": [], "n": int(sys.argv[1])}},
                       runs_dir=Path({str(tmp_path)!r})))
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script, str(n)], stdout=subprocess.PIPE, text=True)
             for n in range(6)]
    ids = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert len(set(ids)) == 6
    saved = {json.loads((tmp_path / i / "run.json").read_text())["n"] for i in ids}
    assert saved == set(range(6))


def test_a_record_says_its_layout_and_one_from_a_newer_version_is_refused_with_why(tmp_path):
    import pytest

    from desktop.core.records import SCHEMA
    from desktop.errors import PlansmithError

    run_id = save_run({"title": "Plan", "started_at": 1.0}, runs_dir=tmp_path)
    path = tmp_path / run_id / "run.json"
    assert json.loads(path.read_text())["schema"] == SCHEMA == load_run(run_id, runs_dir=tmp_path)["schema"]
    older = {k: v for k, v in json.loads(path.read_text()).items() if k != "schema"}
    path.write_text(json.dumps(older))  # saved before the field existed: read as layout 1
    assert load_run(run_id, runs_dir=tmp_path)["title"] == "Plan"
    path.write_text(json.dumps(dict(older, schema=SCHEMA + 1)))
    with pytest.raises(PlansmithError, match="saved by a newer Plansmith"):
        load_run(run_id, runs_dir=tmp_path)
    assert [r.run_id for r in list_runs(runs_dir=tmp_path)] == [run_id]  # listed; opening says why
    path.write_text("[1, 2]")  # JSON, but no run: a message, and left out of the list
    with pytest.raises(PlansmithError, match="holds no run"):
        load_run(run_id, runs_dir=tmp_path)
    path.write_text(json.dumps({"title": "x", "started_at": "not a time"}))
    assert list_runs(runs_dir=tmp_path) == []
