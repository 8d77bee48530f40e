"""Onboard a database: vocabulary -> value index -> practice pairs -> a per-database adapter.

Every stage writes into ``<data_dir>/onboard/<db>/`` and records in ``state.json`` the hash of
what it was computed from; running again redoes only the stages whose inputs changed (a schema
change redoes everything, an edited ``annotations.yaml`` redoes values and practice). A stopped
adapter stage resumes from its checkpoint. The pipeline picks the results up by itself
(``artifacts``).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from t2sql.db.catalog import Catalog, build_catalog, load_annotations
from t2sql.db.engine import Database
from t2sql.db.results import hollow
from t2sql.errors import T2SQLError
from t2sql.fileio import write_json_atomic, write_text_atomic
from t2sql.guard import statement as guard
from t2sql.onboard.annotate import annotate, hints, merge
from t2sql.onboard.linking import ValueIndex
from t2sql.onboard.records import training_record
from t2sql.onboard.snapshot import snapshot
from t2sql.onboard.vocabulary import glossary_hash, load_glossary
from t2sql.practice.templates import templates_hash
from t2sql.practice.verify import sqlite_copy
from t2sql.tuning.training import TrainConfig, train

STAGES = ("schema", "values", "practice", "adapter")
STAGE_NAMES = {
    "schema": "스키마 어휘 익히기",
    "values": "값 색인",
    "practice": "연습 문제 만들기",
    "adapter": "모델 적응 학습",
}
YAML_HEADER = (
    "# 온보딩이 자동으로 만든 한국어 주석입니다. 고쳐 써도 됩니다 (다시 온보딩해도 고친 내용은 남습니다).\n"
    "# schemas/{label}.yaml 이 있으면 그 내용이 항목별로 우선합니다.\n"
)
VERSION = 1  # bump when a stage's output format changes (forces a redo)
# bump when the vocabulary's roles or the practice generator's code write something else for the same database:
# a later `onboard` redoes the vocabulary and the practice pairs (and the adapter, which follows its pairs); an
# edited template file redoes the practice pairs by itself (``templates_hash``)
GENERATOR_VERSION = 4


@dataclass
class Progress:
    stage: str
    fraction: float  # of the whole onboarding, 0..1
    message: str  # Korean, for people
    eta_s: float | None = None


def folder(data_dir: Path, label: str) -> Path:
    return Path(data_dir) / "onboard" / re.sub(r"[^0-9A-Za-z가-힣._-]+", "_", label)[:80]


@dataclass
class Artifacts:
    """What a finished onboarding left for the pipeline (each part may be missing)."""

    annotations: dict
    values: ValueIndex | None
    adapter: str

    @classmethod
    def load(cls, data_dir: Path, label: str) -> Artifacts:
        base = folder(data_dir, label)
        path = base / "annotations.yaml"
        annotations = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.is_file() else {}
        adapter = base / "adapter"
        return cls(
            annotations,
            ValueIndex.load(base / "values.json"),
            str(adapter) if (adapter / "adapter_config.json").is_file() else "",
        )


def structure_hash(catalog: Catalog) -> str:
    """Tables, columns, types and keys only (not annotations)."""
    shape = [
        (
            t.name,
            [(c.name, c.type, c.primary_key) for c in t.columns],
            [(fk.columns, fk.ref_table, fk.ref_columns) for fk in t.foreign_keys],
        )
        for t in catalog.tables.values()
    ]
    return _hash([VERSION, shape])


def _hash(obj) -> str:
    return hashlib.sha256(json.dumps(obj, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()[:16]


class Onboarding:
    """One database's onboarding; ``run`` is idempotent and resumable."""

    def __init__(self, pipeline, db: str):
        self.pipeline = pipeline
        self.settings = pipeline.settings
        self.db = db
        self.database: Database = pipeline.database(db)
        self.dir = folder(self.settings.data_dir, self.database.label)
        self.state_path = self.dir / "state.json"

    # --- state ---------------------------------------------------------------------------------
    def state(self) -> dict:
        if self.state_path.is_file():
            try:
                return json.loads(self.state_path.read_text(encoding="utf-8"))
            except ValueError:
                return {}
        return {}

    def _save_state(self, state: dict) -> None:
        write_json_atomic(self.state_path, state)

    def _human(self) -> dict:
        return load_annotations(self.settings.schema_dir, self.database.label)

    def _source_catalog(self) -> Catalog:
        """The database as introspected, with only the human annotations (if any)."""
        return build_catalog(
            self.database, self._human(), self.settings.sample_values, self.settings.sensitive_patterns
        )

    # --- the run -------------------------------------------------------------------------------
    def run(
        self,
        train_minutes: float = 60.0,
        practice_pairs: int = 1200,
        seed: int = 0,
        progress: Callable[[Progress], None] | None = None,
    ) -> dict:
        """All stages in order (``train_minutes=0`` skips the adapter); returns the state."""
        say = progress or (lambda p: None)
        weights = {"schema": 0.1, "values": 0.05, "practice": 0.25, "adapter": 0.6 if train_minutes > 0 else 0.0}
        total = sum(weights.values())
        done_before = 0.0
        state = self.state()
        source = self._source_catalog()
        shape = structure_hash(source)
        for stage in STAGES:
            began = time.time()

            def report(frac: float, message: str, eta: float | None = None, stage=stage, base=done_before):
                say(Progress(stage, min(1.0, (base + weights[stage] * frac) / total), message, eta))

            if stage == "adapter" and train_minutes <= 0:
                state[stage] = {**state.get(stage, {}), "status": "skipped"}
                self._save_state(state)
                continue
            inputs = self._inputs(stage, shape, practice_pairs, seed)
            previous = state.get(stage) or {}
            if previous.get("inputs") == inputs and previous.get("status") == "done":
                report(1.0, f"{STAGE_NAMES[stage]}: 이전 결과를 그대로 씁니다.")
                done_before += weights[stage]
                continue
            report(0.0, f"{STAGE_NAMES[stage]} 시작…")
            state[stage] = {**previous, "status": "running", "inputs": inputs}  # a crash mid-stage resumes
            self._save_state(state)
            try:
                detail = getattr(self, f"_{stage}")(
                    source,
                    report,
                    practice_pairs=practice_pairs,
                    seed=seed,
                    train_minutes=train_minutes,
                    resume=previous.get("inputs") == inputs,
                )
            except T2SQLError:
                raise
            except Exception as exc:  # a library's own error (duckdb, torch, yaml): say which stage, in Korean
                raise T2SQLError(
                    f"온보딩의 '{STAGE_NAMES[stage]}' 단계가 실패했습니다 (다시 실행하면 이 단계부터 "
                    f"이어서 합니다): {exc}"
                ) from exc
            status = "partial" if detail.pop("partial", False) else "done"
            state[stage] = {
                "status": status,
                "inputs": inputs,
                "seconds": round(time.time() - began, 1),
                "finished_at": time.strftime("%Y-%m-%d %H:%M:%S"),
                **detail,
            }
            # a redone stage invalidates the ones after it
            for later in STAGES[STAGES.index(stage) + 1 :]:
                if state.get(later, {}).get("inputs") and later != "adapter":
                    state[later]["status"] = "stale"
            self._save_state(state)
            self.pipeline.refresh(self.db)
            done_before += weights[stage]
        say(Progress("done", 1.0, "온보딩이 끝났습니다."))
        return state

    def _inputs(self, stage: str, shape: str, practice_pairs: int, seed: int) -> str:
        generated = self.dir / "annotations.yaml"
        annotations = generated.read_text(encoding="utf-8") if generated.is_file() else ""
        human = _hash(self._human())
        if stage == "schema":
            return _hash([shape, human, glossary_hash(), VERSION, GENERATOR_VERSION])
        if stage == "values":
            return _hash([shape, annotations, human])
        if stage == "practice":
            return _hash([shape, annotations, human, practice_pairs, seed, templates_hash(), GENERATOR_VERSION])
        practice = self.dir / "practice.jsonl"
        return _hash([practice.read_text(encoding="utf-8") if practice.is_file() else "", self.settings.adapter_path])

    # --- stage 1: vocabulary and roles ---------------------------------------------------------
    def _snapshot(self, source: Catalog) -> Path:

        path, stamp = self.dir / "snapshot.duckdb", self.dir / "snapshot.shape"
        shape = structure_hash(source)
        if not path.is_file() or not stamp.is_file() or stamp.read_text() != shape:
            snapshot(self.database, source, path)
            stamp.write_text(shape)
        return path

    def _schema(self, source: Catalog, report, **_) -> dict:

        report(0.1, "데이터를 분석용 사본으로 읽는 중…")
        snap = self._snapshot(source)
        report(0.5, "영문 이름을 한국어 업무 용어로 옮기는 중…")
        con = duckdb.connect(str(snap), read_only=True)
        try:
            generated = annotate(source, con, load_glossary(), self.pipeline.index.embedder)
        finally:
            con.close()
        path = self.dir / "annotations.yaml"
        written = (self.state().get("schema") or {}).get("written_hash")
        if path.is_file() and written and written != _hash(path.read_text(encoding="utf-8")):
            # the admin edited it: their edits win, new tables and columns are added
            generated = merge(generated, yaml.safe_load(path.read_text(encoding="utf-8")) or {})
        text = YAML_HEADER.format(label=self.database.label) + yaml.safe_dump(
            generated, allow_unicode=True, sort_keys=False, width=120
        )
        write_text_atomic(path, text)  # the app reads it while onboarding runs
        columns = [c for t in generated["tables"].values() for c in t["columns"].values()]
        named = sum(1 for c in columns if c.get("description"))
        roles: dict[str, int] = {}
        for c in columns:
            roles[c["role"]] = roles.get(c["role"], 0) + 1
        return {
            "tables": len(generated["tables"]),
            "columns": len(columns),
            "named_columns": named,
            "roles": roles,
            "written_hash": _hash(text),
        }

    # --- stage 2: value index -----------------------------------------------------------------
    def _values(self, source: Catalog, report, **_) -> dict:

        snap = self._snapshot(source)
        con = duckdb.connect(str(snap), read_only=True)
        try:
            index = ValueIndex.build(con, self.annotations(), source)
        finally:
            con.close()
        index.save(self.dir / "values.json")
        return {"columns": len(index.values), "values": sum(len(v) for v in index.values.values())}

    def annotations(self) -> dict:
        """Generated annotations under the human ones (what the catalog reads)."""
        return merge(Artifacts.load(self.settings.data_dir, self.database.label).annotations, self._human())

    # --- stage 3: practice pairs --------------------------------------------------------------
    def _practice(self, source: Catalog, report, practice_pairs: int = 1200, seed: int = 0, **_) -> dict:
        from t2sql.practice.generate import EngineConnection, generate_records  # off the pipeline's start-up path

        annotations = self.annotations()
        snap_db = Database(f"duckdb:///{self._snapshot(source)}")
        catalog = build_catalog(snap_db, annotations, self.settings.sample_values, self.settings.sensitive_patterns)
        for name, table in catalog.tables.items():  # the snapshot has no constraints: keys from the source
            src = source.tables[name]
            pk = {c.name for c in src.columns if c.primary_key}
            for col in table.columns:
                col.primary_key = col.name in pk
            table.foreign_keys = src.foreign_keys
        con = EngineConnection(snap_db)
        mem = sqlite_copy(con)
        started = time.time()

        def on_record(n: int) -> None:
            if n % 25 == 0:
                rate = n / max(1e-6, time.time() - started)
                report(
                    0.8 * n / practice_pairs,
                    f"연습 문제 {n}/{practice_pairs}개 (실행으로 검증됨)",
                    (practice_pairs - n) / rate if rate else None,
                )

        try:
            records = generate_records(
                self.database.label,
                catalog,
                con,
                mem,
                hints(annotations),
                practice_pairs,
                random.Random(seed),
                "onboarding",
                "train",
                on_record,
            )
        finally:
            mem.close()
            con.close()
            snap_db.dispose()
        report(0.85, "연습 문제를 실제 데이터베이스에서 다시 실행해 확인하는 중…")
        kept = [r for r in records if self._runs_here(r["answer"], source)]
        values = Artifacts.load(self.settings.data_dir, self.database.label).values
        full = self.pipeline.catalog(self.db)
        rng = random.Random(seed)
        out = [
            {
                **training_record(full, annotations, values, r["question"], r["answer"], rng, self.database.label),
                "skill": r["skill"],
            }
            for r in kept
        ]
        write_text_atomic(self.dir / "practice.jsonl", "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in out))
        stored = self.pipeline.examples.store.replace_generated(
            self.database.label, [{"question": o["question"], "sql": o["answer"]} for o in out]
        )
        skills: dict[str, int] = {}
        for o in out:
            skills[o["skill"]] = skills.get(o["skill"], 0) + 1
        return {"generated": len(records), "kept": len(out), "stored_examples": stored, "skills": skills}

    def _runs_here(self, sql: str, source: Catalog) -> bool:
        """The pair's SQL runs read-only on the real database and returns an answer (not ``hollow``)."""
        try:
            approved = guard.check(sql, self.database.dialect, 1000, tables=source.tables)
            result = self.database.run(approved.sql, 1000, 10.0)
        except T2SQLError:
            return False
        return not hollow(result.rows)

    # --- stage 4: per-database adapter --------------------------------------------------------
    def _adapter(self, source: Catalog, report, train_minutes: float = 60.0, resume: bool = False, **_) -> dict:

        practice = self.dir / "practice.jsonl"
        if not practice.is_file() or not practice.read_text(encoding="utf-8").strip():
            return {"note": "연습 문제가 없어 학습하지 않았습니다."}
        out = self.dir / "adapter"
        if not resume and (out / "checkpoint").exists():
            shutil.rmtree(out / "checkpoint")
        started = time.time()

        def on_batch(done: int, total: int) -> None:
            elapsed = time.time() - started
            left = min(train_minutes * 60 - elapsed, elapsed / max(1, done) * (total - done))
            report(
                min(elapsed / (train_minutes * 60), done / total), f"모델 적응 학습 {done}/{total} 배치", max(0, left)
            )

        config = TrainConfig(
            data=str(practice),
            out=str(out),
            base_model=self.settings.model,
            init_adapter=self.settings.adapter_path,
            method="lora",
            sections=False,
            limit=0,
            epochs=1.0,
            max_steps=0,
            learning_rate=1e-4,
            batch_size=8,
            save_steps=10,
            max_minutes=train_minutes,
            val_limit=0,
            resume=True,
        )
        card = train(config, self.settings, progress=None, on_batch=on_batch)
        return {
            "partial": not card.get("finished", True),
            "examples": card["train_examples"],
            "steps_done": card["optimizer_steps_done"],
            "steps_planned": card["optimizer_steps"],
            "final_loss": card["final_train_loss"],
        }
