"""Audit log: durable JSON lines, size rotation, external rotation, several writers at once."""

import json
import multiprocessing
import threading

from t2sql.audit import AuditLog


def _entry(log, i, status="ok"):
    return log.record(session=f"s{i % 3}", database="shop", sql=f"SELECT {i}", status=status, rows=i, duration_ms=1.5)


def test_records_are_json_lines_with_every_field(tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl")
    _entry(log, 1)
    log.record(
        session="s9", database="shop", sql="DROP TABLE x", status="refused", reason="DROP 문은 실행할 수 없습니다"
    )
    first, second = log.read()
    assert first["sql"] == "SELECT 1" and first["rows"] == 1 and first["refused"] is False
    assert first["time"].endswith("+00:00") and first["duration_ms"] == 1.5
    assert second["refused"] is True and second["status"] == "refused" and "DROP" in second["reason"]
    assert (tmp_path / "audit.jsonl").stat().st_mode & 0o777 == 0o600  # SQL may name customers


def test_rotates_by_size_and_keeps_a_bounded_number_of_files(tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl", max_mb=0.001, keep=3)  # ~1 KB per file
    for i in range(60):
        _entry(log, i)
    files = sorted(p.name for p in tmp_path.glob("audit.jsonl*") if not p.name.endswith(".lock"))
    assert files == ["audit.jsonl", "audit.jsonl.1", "audit.jsonl.2", "audit.jsonl.3"]
    kept = []
    for name in reversed(files[1:]):
        kept += [json.loads(line) for line in (tmp_path / name).read_text().splitlines()]
    kept += log.read()
    numbers = [int(e["sql"].split()[1]) for e in kept]
    assert numbers == sorted(numbers) and numbers[-1] == 59  # oldest dropped, order and newest intact
    assert all((tmp_path / n).stat().st_size <= 1100 for n in files)


def test_survives_external_rotation(tmp_path):
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path)
    _entry(log, 1)
    path.rename(tmp_path / "audit.jsonl.old")  # what logrotate does
    _entry(log, 2)
    assert [e["rows"] for e in log.read()] == [2]
    assert json.loads((tmp_path / "audit.jsonl.old").read_text())["rows"] == 1


def _write_many(path, start):
    log = AuditLog(path)
    for i in range(start, start + 50):
        _entry(log, i)


def test_concurrent_threads_and_processes_never_interleave_lines(tmp_path):
    path = tmp_path / "audit.jsonl"
    threads = [threading.Thread(target=_write_many, args=(path, k * 100)) for k in range(4)]
    fork = multiprocessing.get_context("fork")
    procs = [fork.Process(target=_write_many, args=(path, 1000 + k * 100)) for k in range(3)]
    for w in threads + procs:
        w.start()
    for w in threads + procs:
        w.join()
    entries = AuditLog(path).read()  # every line parses
    assert len(entries) == 7 * 50
    assert len({e["rows"] for e in entries}) == 7 * 50
