"""Shared fixtures: real sample databases, a real Chroma store, real (tiny and default) models."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from t2sql.settings import ROOT, Settings

DEFAULT_CACHE = Path(os.environ.get("T2SQL_CACHE_DIR", Path.home() / ".cache" / "t2sql"))


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The three sample databases, built once into the repository's sample folder (as the app does)."""
    from t2sql.db.demo import ensure_samples

    folder = ROOT / "sample_dbs"
    ensure_samples(folder)
    return folder


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Settings isolated to a temp data dir (fresh Chroma store), sharing sample DBs and the model cache."""
    return Settings(sample_dir=ROOT / "sample_dbs", data_dir=tmp_path / "data", cache_dir=DEFAULT_CACHE)


class PromptModel(BaseHTTPRequestHandler):
    """An OpenAI-compatible model for tests: replies ``reply(prompt, i)`` for choice ``i``, streamed
    when asked to; records every prompt, so a test can script "fail first, then succeed"."""

    reply = staticmethod(lambda prompt, i: "SELECT 1;")
    prompts: list[str] = []
    bodies: list[dict] = []
    refuse_grammar = False  # answer HTTP 400 to a request carrying ``guided_grammar`` (a server without it)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        PromptModel.bodies.append(body)
        if PromptModel.refuse_grammar and "guided_grammar" in body:
            self.send_response(400)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        prompt = body["messages"][0]["content"]
        PromptModel.prompts.append(prompt)
        self.send_response(200)
        if body.get("stream"):
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            chunk = {"choices": [{"delta": {"content": PromptModel.reply(prompt, 0)}}]}
            self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\ndata: [DONE]\n\n".encode())
            return
        choices = [{"message": {"content": PromptModel.reply(prompt, i)}} for i in range(body.get("n", 1))]
        data = json.dumps({"choices": choices}, ensure_ascii=False).encode()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def prompt_model():
    """The URL of a running ``PromptModel`` (its script and recorded prompts reset around each test)."""
    PromptModel.reply, PromptModel.prompts = staticmethod(lambda prompt, i: "SELECT 1;"), []
    PromptModel.bodies, PromptModel.refuse_grammar = [], False
    server = ThreadingHTTPServer(("127.0.0.1", 0), PromptModel)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/v1"
    server.shutdown()
    PromptModel.reply, PromptModel.prompts = staticmethod(lambda prompt, i: "SELECT 1;"), []
    PromptModel.bodies, PromptModel.refuse_grammar = [], False


@pytest.fixture(scope="session")
def default_model_dir() -> Path:
    """The real default base model (converted from the PyPI GGUF on first use)."""
    from t2sql.generation.loading import default_model_dir as convert

    return convert(DEFAULT_CACHE)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, default_model_dir) -> Path:
    """A randomly initialised Gemma 3 of the same architecture (2 small layers) with the real tokenizer."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    out = tmp_path_factory.mktemp("tiny-gemma3")
    config = AutoConfig.from_pretrained(default_model_dir)
    config.update(
        dict(
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=2,
            num_key_value_heads=1,
            head_dim=16,
            layer_types=["sliding_attention", "full_attention"],
        )
    )
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.save_pretrained(out)
    AutoTokenizer.from_pretrained(default_model_dir).save_pretrained(out)
    return out


@pytest.fixture
def sqlite_file(tmp_path) -> Path:
    """A small SQLite company database without any yaml annotations."""
    path = tmp_path / "company.sqlite"
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE departments (dept_id INTEGER PRIMARY KEY, dept_name TEXT NOT NULL, location TEXT);
        CREATE TABLE employees (
            emp_id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, dept_id INTEGER REFERENCES departments(dept_id),
            salary INTEGER, hired_on TEXT);
        INSERT INTO departments VALUES (1, '영업팀', '서울'), (2, '개발팀', '판교'), (3, '인사팀', '서울');
        INSERT INTO employees VALUES
            (1, '김민수', 'minsu@example.com', 1, 5200, '2021-03-02'),
            (2, '이서연', 'seoyeon@example.com', 2, 6100, '2022-07-11'),
            (3, '박지훈', 'jihoon@example.com', 2, 7000, '2019-01-15'),
            (4, '최유진', NULL, 3, 4800, '2023-09-01');
        """
    )
    con.commit()
    con.close()
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory):
    """A throw-away PostgreSQL server on loopback, when the server binaries are installed; else skip."""
    initdb = shutil.which("initdb") or next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))), None)
    if not initdb:
        pytest.skip("PostgreSQL server binaries are not installed")
    bindir = Path(initdb).resolve().parent
    base = tmp_path_factory.mktemp("pg")
    datadir = base / "data"
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root; use the postgres system user
        if subprocess.run(["id", "postgres"], capture_output=True).returncode != 0:
            pytest.skip("running as root without a postgres user")
        run_as = ["runuser", "-u", "postgres", "--"]
        shutil.chown(base, "postgres")
        os.chmod(base, 0o755)
        for parent in base.parents:  # the postgres user must be able to reach the data dir
            if str(parent) in ("/", "/tmp"):
                break
            os.chmod(parent, os.stat(parent).st_mode | 0o005)
    port = _free_port()
    subprocess.run(
        [
            *run_as,
            str(bindir / "initdb"),
            "-D",
            str(datadir),
            "-U",
            "t2sql",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *run_as,
            str(bindir / "pg_ctl"),
            "-D",
            str(datadir),
            "-l",
            str(base / "log"),
            "-w",
            "-o",
            f"-p {port} -k {base} -c listen_addresses=127.0.0.1",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    url = f"postgresql://t2sql@127.0.0.1:{port}/postgres"
    try:
        import sqlalchemy as sa

        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(
                "CREATE TABLE departments (dept_id INTEGER PRIMARY KEY, dept_name TEXT NOT NULL, location TEXT);"
                "CREATE TABLE employees (emp_id INTEGER PRIMARY KEY, full_name TEXT, email TEXT,"
                " dept_id INTEGER REFERENCES departments(dept_id), salary INTEGER, hired_on DATE);"
                "INSERT INTO departments VALUES (1, '영업팀', '서울'), (2, '개발팀', '판교');"
                "INSERT INTO employees VALUES (1, '김민수', 'm@example.com', 1, 5200, '2021-03-02'),"
                " (2, '이서연', 's@example.com', 2, 6100, '2022-07-11');"
            )
        admin.dispose()
        yield url
    finally:
        subprocess.run(
            [*run_as, str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "immediate", "stop"], capture_output=True
        )
        time.sleep(0.2)


# --- Markers (pyproject.toml): given by what a test uses, so a new test is marked without thinking ---
# `pytest -m "not slow"` is the inner loop; CI runs everything.
SLOW_FIXTURES = {"tiny_model_dir", "default_model_dir", "app_env"}  # a model loads, or the whole app runs
SLOW_MODULES = {"test_e2e_browser", "test_app", "test_training", "test_corpus", "test_sandbox"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        direct = set(getattr(getattr(item, "_fixtureinfo", None), "argnames", ()))
        module = item.module.__name__.rsplit(".", 1)[-1] if getattr(item, "module", None) else ""
        if "postgres_url" in used:
            item.add_marker(pytest.mark.postgres)
        if module == "test_e2e_browser":
            item.add_marker(pytest.mark.browser)
        if "default_model_dir" in direct:
            item.add_marker(pytest.mark.model)
        if used & SLOW_FIXTURES or module in SLOW_MODULES or "postgres_url" in used:
            item.add_marker(pytest.mark.slow)
