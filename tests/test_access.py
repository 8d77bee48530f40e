"""The admin role: a constant-time password check whose lockout holds for every session."""

import pytest

from t2sql.access import AccessLocked, AdminGate, is_admin_email
from t2sql.audit import AuditLog
from t2sql.pipeline import Pipeline
from t2sql.retrieval.example_store import ExampleStore
from t2sql.settings import Settings


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_right_password_opens_wrong_ones_lock_everyone_out_for_a_while():
    clock = Clock()
    gate = AdminGate("비밀-123", max_failures=3, lockout_s=60, clock=clock)
    assert gate.configured and gate.check("비밀-123")
    assert not gate.check("x") and not gate.check("y") and not gate.check("z")
    with pytest.raises(AccessLocked, match="3번 틀려"):
        gate.check("비밀-123")  # locked even for the right password
    clock.now += 61
    assert gate.check("비밀-123")
    assert not gate.check("x") and not gate.check("x")  # a success resets the count
    assert gate.check("비밀-123")


def test_no_password_opens_nothing():
    gate = AdminGate("")
    assert not gate.configured and not gate.check("") and not gate.check("anything")


@pytest.mark.parametrize(
    "email, admins, expected",
    [
        ("Kim@Company.kr", "kim@company.kr, lee@company.kr", True),
        ("park@company.kr", "kim@company.kr", False),
        (None, "kim@company.kr", False),
        ("kim@company.kr", "", False),
    ],
)
def test_admin_emails(email, admins, expected):
    assert is_admin_email(email, admins) is expected


def test_a_proposal_steers_nothing_until_approved_and_every_step_is_audited(tmp_path, sqlite_file):
    pipeline = Pipeline(Settings(data_dir=tmp_path / "data"))
    db = f"sqlite:///{sqlite_file}"
    proposal = pipeline.propose_example(db, "부서는 몇 개야?", "SELECT count(*) FROM departments", "feedback", "user-a")
    store = ExampleStore(tmp_path / "data" / "examples.sqlite")
    label = pipeline.catalog(db).database
    assert store.list(label) == [] and [p.question for p in store.proposals(label)] == ["부서는 몇 개야?"]
    rejected = pipeline.propose_example(db, "직원 목록", "SELECT full_name FROM employees", "correction", "user-b")
    approved = pipeline.review_example(db, proposal.id, True, "admin@company.kr")
    assert approved.question == "부서는 몇 개야?" and approved.author == "user-a" and approved.source == "feedback"
    assert pipeline.review_example(db, rejected.id, False, "admin@company.kr") is None
    assert [e.question for e in store.list(label)] == ["부서는 몇 개야?"] and store.proposals(label) == []
    entries = [
        (e["status"], e["session"])
        for e in AuditLog(tmp_path / "data" / "audit.jsonl").read()
        if e["status"] in ("proposed", "approved", "rejected")
    ]
    assert entries == [
        ("proposed", "user-a"),
        ("proposed", "user-b"),
        ("approved", "admin@company.kr"),
        ("rejected", "admin@company.kr"),
    ]


def test_a_proposal_must_run_like_any_verified_pair(tmp_path, sqlite_file):
    from t2sql.errors import GuardRefusal

    pipeline = Pipeline(Settings(data_dir=tmp_path / "data"))
    with pytest.raises(GuardRefusal):
        pipeline.propose_example(f"sqlite:///{sqlite_file}", "지워줘", "DELETE FROM employees", "feedback", "user-a")


@pytest.mark.parametrize("admin, verified, proposed", [(True, 1, 0), (False, 0, 1)])
def test_a_kept_pair_is_verified_for_an_admin_and_proposed_for_anyone_else(
    tmp_path, sqlite_file, admin, verified, proposed
):
    pipeline = Pipeline(Settings(data_dir=tmp_path / "data"))
    db = f"sqlite:///{sqlite_file}"
    message = pipeline.keep_pair(db, "부서는 몇 개야?", "SELECT count(*) FROM departments", "feedback", "kim", admin)
    assert ("검증된 예시로 저장" if admin else "검토를 요청") in message
    assert len(pipeline.stored_examples(db)) == verified and len(pipeline.proposals(db)) == proposed


@pytest.mark.parametrize(
    "wrong_sql, ran_sql, kept",
    [
        (None, "SELECT count(*) FROM departments", False),  # nobody said it was wrong
        ("SELECT count(*) FROM departments", " SELECT count(*) FROM departments ", False),  # run unchanged
        ("SELECT count(*) FROM employees", "SELECT count(*) FROM departments", True),  # edited, then run
    ],
)
def test_an_edited_run_after_a_thumbs_down_is_kept_as_a_correction(tmp_path, sqlite_file, wrong_sql, ran_sql, kept):
    pipeline = Pipeline(Settings(data_dir=tmp_path / "data"))
    db = f"sqlite:///{sqlite_file}"
    message = pipeline.correction(db, "부서는 몇 개야?", wrong_sql, ran_sql, "kim", admin=True)
    assert (message is not None) is kept
    assert [(e.sql, e.source) for e in pipeline.stored_examples(db)] == ([(ran_sql, "correction")] if kept else [])


def test_admin_deletes_and_definitions_go_through_the_pipeline_and_deletes_are_audited(tmp_path, sqlite_file):
    pipeline = Pipeline(Settings(data_dir=tmp_path / "data"))
    db = f"sqlite:///{sqlite_file}"
    pair = pipeline.save_example(db, "부서는 몇 개야?", "SELECT count(*) FROM departments", "admin", "kim", "kim")
    pipeline.delete_example(db, pair.id, "kim")
    assert pipeline.stored_examples(db) == []
    doc = pipeline.add_definition(db, "부서 = departments 테이블의 한 행", "kim")
    assert [d.text for d in pipeline.definitions(db)] == ["부서 = departments 테이블의 한 행"]
    pipeline.delete_definition(db, doc.id, "kim")
    assert pipeline.definitions(db) == []
    deleted = [e for e in AuditLog(tmp_path / "data" / "audit.jsonl").read() if e["status"] == "deleted"]
    assert [(e["session"], e["sql"]) for e in deleted] == [("kim", "SELECT count(*) FROM departments")]
