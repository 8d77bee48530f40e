"""Schema catalog: introspect a database into per-table documents the model can read.

Each table becomes compact DDL (keys, foreign keys, Korean descriptions as comments, a few
example values) plus a search document for retrieval. Korean annotations come from
``schemas/<db>.yaml`` when present; without one, introspection alone still works.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import sqlalchemy as sa
import yaml

from t2sql.db.engine import Database

TEXT_TYPES = ("char", "text", "string", "varchar", "clob")


@dataclass
class Column:
    name: str
    type: str
    nullable: bool = True
    primary_key: bool = False
    description: str = ""
    synonyms: list[str] = field(default_factory=list)
    sensitive: bool = False
    samples: list[str] = field(default_factory=list)


@dataclass
class ForeignKey:
    columns: list[str]
    ref_table: str
    ref_columns: list[str]


@dataclass
class Table:
    name: str
    columns: list[Column]
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    description: str = ""
    synonyms: list[str] = field(default_factory=list)

    def ddl(self, keep: set[str] | None = None) -> str:
        """CREATE TABLE text for the prompt: Korean meaning and example values as comments.

        ``keep`` prunes it to those columns (keys stay: joins need them)."""
        lines = []
        pk = [c.name for c in self.columns if c.primary_key]
        fk_cols = {c for fk in self.foreign_keys for c in fk.columns}
        for col in self.columns:
            if keep is not None and col.name not in keep and col.name not in pk and col.name not in fk_cols:
                continue
            line = f"  {col.name} {col.type}"
            if len(pk) == 1 and col.primary_key:
                line += " PRIMARY KEY"
            note = col.description
            if col.samples:
                note += (" " if note else "") + "예: " + ", ".join(f"'{s}'" for s in col.samples)
            lines.append((line, note))
        if len(pk) > 1:
            lines.append((f"  PRIMARY KEY ({', '.join(pk)})", ""))
        for fk in self.foreign_keys:
            lines.append(
                (f"  FOREIGN KEY ({', '.join(fk.columns)}) REFERENCES {fk.ref_table}({', '.join(fk.ref_columns)})", "")
            )
        body = []
        for i, (line, note) in enumerate(lines):
            comma = "," if i < len(lines) - 1 else ""
            body.append(f"{line}{comma}" + (f" -- {note}" if note else ""))
        head = f"CREATE TABLE {self.name} (" + (f" -- {self.description}" if self.description else "")
        return "\n".join([head, *body, ");"])

    def document(self) -> str:
        """Text embedded for retrieval: names, Korean meaning and synonyms of the table and its columns."""
        parts = [self.name, self.description, " ".join(self.synonyms)]
        for col in self.columns:
            parts.append(f"{col.name} {col.description} {' '.join(col.synonyms)}".strip())
        return "\n".join(p for p in parts if p)

    def keywords(self) -> list[str]:
        """Words whose literal presence in a question points at this table."""
        words = [self.name, self.name.rstrip("s"), *self.synonyms, self.description]
        words += [s for c in self.columns for s in c.synonyms]
        return [w.lower() for w in words if w and len(w) >= 2]


@dataclass
class Catalog:
    database: str
    dialect: str
    tables: dict[str, Table]
    description: str = ""
    examples: list[str] = field(default_factory=list)  # example questions shown in the UI
    sensitive_policy: str = ""  # `mask` / `block` from the yaml; "" = the global setting
    docs: list[str] = field(default_factory=list)  # business definitions from the yaml (``docs:``)

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything the index or prompt depends on changes."""
        payload = json.dumps(
            {"db": self.database, "desc": self.description, "tables": [asdict(t) for t in self.tables.values()]},
            ensure_ascii=False,
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:32]

    def ddl(self, names: list[str] | None = None, keep: dict[str, set[str]] | None = None) -> str:
        """DDL of ``names`` (all tables by default); ``keep`` prunes a table to some columns."""
        names = list(self.tables) if names is None else names
        keep = keep or {}
        return "\n\n".join(self.tables[n].ddl(keep.get(n)) for n in names if n in self.tables)

    def labels(self) -> dict[str, str]:
        """Short Korean names by ``table`` and ``table.column`` (explanations, chart axes)."""
        out = {}
        for table in self.tables.values():
            if table.description:
                out[table.name] = short_label(table.description)
            for col in table.columns:
                if col.description:
                    out[f"{table.name}.{col.name}"] = short_label(col.description)
        return out

    def neighbours(self, name: str) -> set[str]:
        """Tables joined to ``name`` by a foreign key, in either direction."""
        out = {fk.ref_table for fk in self.tables[name].foreign_keys}
        out |= {t.name for t in self.tables.values() if any(fk.ref_table == name for fk in t.foreign_keys)}
        out.discard(name)
        return out & set(self.tables)


def load_annotations(schema_dir: Path, name: str) -> dict:
    """``schemas/<name>.yaml`` as a dict, or {} when the database has none."""
    path = Path(schema_dir) / f"{name}.yaml"
    if not path.is_file():
        return {}

    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def build_catalog(
    db: Database, annotations: dict | None = None, sample_values: int = 5, sensitive_patterns: tuple[str, ...] = ()
) -> Catalog:
    """Introspect ``db`` and merge Korean annotations; works for DuckDB, SQLite and PostgreSQL."""
    annotations = annotations or {}
    table_notes = annotations.get("tables") or {}
    with db.engine.connect() as conn:
        raw = _introspect_duckdb(conn) if db.backend == "duckdb" else _introspect_sqlalchemy(conn)
        tables = {}
        for table in raw:
            note = table_notes.get(table.name) or {}
            table.description = note.get("description", "")
            table.synonyms = list(note.get("synonyms") or [])
            col_notes = note.get("columns") or {}
            for col in table.columns:
                cnote = col_notes.get(col.name) or {}
                col.description = cnote.get("description", "")
                col.synonyms = list(cnote.get("synonyms") or [])
                col.sensitive = bool(cnote.get("sensitive")) or any(p in col.name.lower() for p in sensitive_patterns)
                if sample_values and not col.sensitive and is_text(col.type):
                    col.samples = _sample_values(conn, table.name, col.name, sample_values)
            tables[table.name] = table
    return Catalog(
        db.label,
        db.dialect,
        tables,
        annotations.get("description", ""),
        [str(q) for q in annotations.get("examples") or []],
        str(annotations.get("sensitive_policy") or ""),
        [str(d).strip() for d in annotations.get("docs") or [] if str(d).strip()],
    )


def short_label(description: str) -> str:
    """Short Korean name for explanations and chart axes: '거주 도시 (시·도)' -> '거주 도시'."""
    return str(description).split(" (")[0].split(". ")[0].split(":")[0].strip().rstrip(".")


def _introspect_duckdb(conn: sa.Connection) -> list[Table]:
    """DuckDB's own catalog functions (duckdb-engine's pg_catalog reflection is incomplete)."""
    where = "database_name = current_database() AND schema_name = current_schema()"
    names = [
        r[0]
        for r in conn.exec_driver_sql(
            f"SELECT table_name FROM duckdb_tables() WHERE {where} AND NOT internal "
            f"UNION SELECT view_name FROM duckdb_views() WHERE {where} AND NOT internal ORDER BY 1"
        )
    ]
    columns: dict[str, list[Column]] = {n: [] for n in names}
    for tname, cname, ctype, nullable in conn.exec_driver_sql(
        f"SELECT table_name, column_name, data_type, is_nullable FROM duckdb_columns() WHERE {where} "
        "ORDER BY table_name, column_index"
    ):
        if tname in columns:
            columns[tname].append(Column(cname, ctype, bool(nullable)))
    fks: dict[str, list[ForeignKey]] = {n: [] for n in names}
    for tname, ctype, cols, ref_table, ref_cols in conn.exec_driver_sql(
        "SELECT table_name, constraint_type, constraint_column_names, referenced_table, referenced_column_names "
        f"FROM duckdb_constraints() WHERE {where} AND constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY')"
    ):
        if tname not in columns:
            continue
        if ctype == "PRIMARY KEY":
            for col in columns[tname]:
                col.primary_key = col.primary_key or col.name in cols
        else:
            fks[tname].append(ForeignKey(list(cols), ref_table, list(ref_cols)))
    return [Table(n, columns[n], fks[n]) for n in names]


def _introspect_sqlalchemy(conn: sa.Connection) -> list[Table]:
    insp = sa.inspect(conn)
    names = sorted(insp.get_table_names() + insp.get_view_names())
    tables = []
    for name in names:
        pk = set((insp.get_pk_constraint(name) or {}).get("constrained_columns") or [])
        cols = [
            Column(c["name"], _type_name(c["type"]), bool(c.get("nullable", True)), c["name"] in pk)
            for c in insp.get_columns(name)
        ]
        fks = [
            ForeignKey(fk["constrained_columns"], fk["referred_table"], fk["referred_columns"])
            for fk in insp.get_foreign_keys(name)
            if fk.get("referred_table")
        ]
        tables.append(Table(name, cols, fks))
    return tables


def _type_name(type_) -> str:
    try:
        return str(type_.compile())
    except Exception:
        return type(type_).__name__.upper()


def is_text(type_name: str) -> bool:
    return any(t in type_name.lower() for t in TEXT_TYPES)


def _sample_values(conn: sa.Connection, table: str, column: str, limit: int) -> list[str]:
    """Most frequent values of a low-cardinality text column (categories, cities, statuses).

    High-cardinality columns (names, free text) get none: they cost prompt tokens and teach nothing.
    """
    t, c = _quote(table), _quote(column)
    try:
        distinct = conn.exec_driver_sql(f"SELECT COUNT(DISTINCT {c}) FROM {t}").scalar() or 0
        if distinct == 0 or distinct > 40:
            return []
        rows = conn.exec_driver_sql(
            f"SELECT {c}, COUNT(*) AS n FROM {t} WHERE {c} IS NOT NULL "
            f"GROUP BY {c} ORDER BY n DESC, {c} LIMIT {int(limit)}"
        ).fetchall()
    except Exception:
        conn.rollback()
        return []
    return [str(r[0])[:40] for r in rows]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
