"""Training records for the prompt's optional sections: examples, follow-ups and repairs.

The app puts verified examples, the previous turn of a conversation and a failed SQL with
its error into the prompt (``prompt.build_prompt``). A small model only uses such sections
well when it has seen them in training, so the generated data gets:

* ``examples``: the most similar other pairs of the same database (as the example index would
  retrieve them), sometimes none, sometimes the very same question (then copying is right);
* follow-ups: "그 중에서 서울만", "상위 5개만", "반대 순서로", "모두 몇 건이야?" on top of a
  verified pair, the refined SQL verified by running it; plus a few turns where the previous
  question is unrelated and must be ignored;
* repairs: the gold SQL broken the way small models break it (invented column, wrong table
  name, a doubled WHERE), run through the real guard and database for the real error message,
  with the gold SQL as the answer.

All edits are string-level on the generator's portable SQL, so the answers keep its style.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence

import numpy as np
import sqlglot
from sqlglot import exp

from t2sql.db.catalog import Catalog, short_label
from t2sql.settings import Settings

EXAMPLE_RATE = 0.5  # share of records that carry examples
FOLLOWUP_RATE = 0.2  # follow-up records per verified record
UNRELATED_RATE = 0.05  # turns whose previous question has nothing to do with them
REPAIR_RATE = 0.15  # repair records per verified record
MIN_SIMILARITY = Settings().examples_min_similarity  # the threshold the example index uses
GENERIC_COLUMNS = ("name", "date", "amount", "total", "price", "status", "type", "count", "title", "id")
CLAUSE_STARTS = (" GROUP BY ", " HAVING ", " ORDER BY ", " LIMIT ")

Accepts = Callable[[str], bool]  # SQL -> it runs and gives a non-empty answer
Failing = Callable[[str], "str | None"]  # SQL -> the user-facing error message, None when it ran


# --- examples --------------------------------------------------------------------------------


def attach_examples(
    records: list[dict],
    embed: Callable[[list[str]], np.ndarray],
    rng: random.Random,
    k_max: int = 3,
    min_similarity: float = MIN_SIMILARITY,
) -> None:
    """Give about half of the records up to ``k_max`` similar pairs of the same database (in place)."""
    by_db: dict[str, list[dict]] = {}
    for r in records:
        by_db.setdefault(r["db_id"], []).append(r)
    for group in by_db.values():
        vectors = embed([r["question"] for r in group])
        sims = vectors @ vectors.T
        for i, record in enumerate(group):
            if rng.random() >= EXAMPLE_RATE:
                continue
            k = rng.randint(1, k_max)
            shots, seen_sql = [], {record["answer"]}
            plain = not (record.get("previous") or record.get("failed"))
            if plain and rng.random() < 0.08:  # the same question was verified before: copy it
                shots.append({"question": record["question"], "sql": record["answer"]})
            for j in np.argsort(-sims[i]):
                if len(shots) >= k or sims[i, j] < min_similarity:
                    break
                other = group[j]
                if j == i or other["answer"] in seen_sql or other.get("previous") or other.get("failed"):
                    continue
                seen_sql.add(other["answer"])
                shots.append({"question": other["question"], "sql": other["answer"]})
            rng.shuffle(shots)
            if shots:
                record["examples"] = shots


# --- follow-ups ------------------------------------------------------------------------------


def _outer_select(sql: str) -> exp.Select | None:
    """The parsed statement when it is one plain SELECT without subqueries (safe to edit as text)."""
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError:
        return None
    if not isinstance(tree, exp.Select) or len(list(tree.find_all(exp.Select))) > 1:
        return None
    return tree


def _add_condition(sql: str, cond: str) -> str:
    if " WHERE " in sql:
        return sql.replace(" WHERE ", f" WHERE {cond} AND ", 1)
    cut = min([sql.find(c) for c in CLAUSE_STARTS if c in sql] or [len(sql)])
    return f"{sql[:cut]} WHERE {cond}{sql[cut:]}"


def _filter(record: dict, tree: exp.Select, catalog: Catalog, rng: random.Random):
    source = tree.args.get("from_")
    table = source and source.this
    if not isinstance(table, exp.Table) or table.name not in catalog.tables:
        return None
    used = {c.name for c in tree.find_all(exp.Column)}
    columns = [
        c
        for c in catalog.tables[table.name].columns
        if c.samples
        and not c.sensitive
        and c.name not in used
        and any(t in c.type.upper() for t in ("CHAR", "TEXT", "STRING"))
        and all("'" not in v for v in c.samples)
    ]
    if not columns:
        return None
    col = rng.choice(columns)
    value = rng.choice(col.samples)
    qualifier = f"{table.alias_or_name}." if tree.args.get("joins") else ""
    phrasings = [f"그 중 {value}만 보여줘", f"{value}인 것만 다시 보여 주세요"]
    if col.description:  # a question never names an English column
        label = short_label(col.description)
        phrasings += [
            f"그 중에서 {label}<이> {value}인 것만",
            f"거기서 {label}<이> {value}인 경우만 볼래요",
            f"그럼 {label} {value}만",
        ]
    question = rng.choice(phrasings)
    return question, _add_condition(record["answer"], f"{qualifier}{col.name} = '{value}'")


def _top(record: dict, tree: exp.Select, catalog: Catalog, rng: random.Random):
    if not tree.args.get("order"):
        return None
    n = rng.choice([3, 5, 10])
    limit = tree.args.get("limit")
    if limit is not None and limit.expression.name == str(n):
        return None
    sql = re.sub(r"\s+LIMIT\s+\d+\s*$", "", record["answer"]) + f" LIMIT {n}"
    question = rng.choice(
        [f"상위 {n}개만", f"{n}개만 보여줘", f"위에서 {n}개까지만 알려 주세요", f"그 중 {n}개만 볼게요"]
    )
    return question, sql


def _reverse(record: dict, tree: exp.Select, catalog: Catalog, rng: random.Random):
    order = tree.args.get("order")
    if not order or len(order.expressions) != 1 or tree.args.get("limit") is not None:
        return None
    sql = record["answer"]
    if re.search(r"\bDESC\b", sql):
        flipped, question = (
            re.sub(r"\s+DESC\b", "", sql, count=1),
            rng.choice(["오름차순으로 바꿔줘", "작은 것부터 보여줘"]),
        )
    else:
        flipped = re.sub(r"(ORDER BY .+?)(\s+ASC)?(\s+LIMIT|\s*$)", r"\1 DESC\3", sql, count=1)
        question = rng.choice(["내림차순으로 바꿔줘", "큰 것부터 보여 주세요", "반대 순서로 정렬해줘"])
    return (question, flipped) if flipped != sql else None


def _count(record: dict, tree: exp.Select, catalog: Catalog, rng: random.Random):
    if tree.find(exp.AggFunc) or tree.args.get("limit") is not None or tree.args.get("group"):
        return None
    body = re.sub(r"\s+ORDER BY .+$", "", record["answer"])
    question = rng.choice(["그래서 모두 몇 건이야?", "전부 몇 개인지 알려줘", "총 몇 건인가요?"])
    return question, f"SELECT COUNT(*) FROM ({body}) AS t"


REFINEMENTS = (_filter, _top, _reverse, _count)


def followups(
    records: list[dict], catalog: Catalog, accepts: Accepts, rng: random.Random, josa=lambda s: s
) -> list[dict]:
    """Follow-up turns on top of verified records, each refined SQL verified by running it."""
    out = []
    for record in records:
        roll = rng.random()
        if roll < UNRELATED_RATE and len(records) > 1:  # a new topic: the previous turn must be ignored
            other = rng.choice([r for r in records if r is not record])
            out.append(
                {
                    **record,
                    "previous": {"question": other["question"], "sql": other["answer"]},
                    "skill": "followup_unrelated",
                }
            )
            continue
        if roll >= UNRELATED_RATE + FOLLOWUP_RATE:
            continue
        tree = _outer_select(record["answer"])
        if tree is None:
            continue
        for refine in rng.sample(REFINEMENTS, len(REFINEMENTS)):
            made = refine(record, tree, catalog, rng)
            if made is None:
                continue
            question, sql = made
            if accepts(sql):
                out.append(
                    {
                        **record,
                        "question": josa(question),
                        "answer": sql,
                        "skill": f"followup_{refine.__name__[1:]}",
                        "previous": {"question": record["question"], "sql": record["answer"]},
                    }
                )
                break
    return out


# --- repairs ---------------------------------------------------------------------------------


def _wrong_column(sql: str, catalog: Catalog, tables: Sequence[str], rng: random.Random) -> str | None:
    real = {c.name.lower() for t in tables if t in catalog.tables for c in catalog.tables[t].columns}
    used = sorted({c.name for c in sqlglot.parse_one(sql, read="duckdb").find_all(exp.Column)} - {"*"})
    if not used:
        return None
    name = rng.choice(used)
    options = [name.split("_", 1)[1]] if "_" in name else []
    options += [n for n in GENERIC_COLUMNS if n != name.lower()]
    options = [o for o in options if o.lower() not in real]
    return re.sub(rf"\b{re.escape(name)}\b", rng.choice(options), sql, count=1) if options else None


def _wrong_table(sql: str, catalog: Catalog, tables: Sequence[str], rng: random.Random) -> str | None:
    if not tables:
        return None
    name = rng.choice(list(tables))
    wrong = name[:-1] if name.endswith("s") else name + "s"
    if wrong in catalog.tables or not re.search(rf"\b{re.escape(name)}\b", sql):
        return None
    return re.sub(rf"\b{re.escape(name)}\b", wrong, sql)


def _double_where(sql: str, catalog: Catalog, tables: Sequence[str], rng: random.Random) -> str | None:
    match = re.search(r" WHERE (.+?)(?= GROUP BY | ORDER BY | LIMIT |$)", sql)
    return sql[: match.end()] + " WHERE " + match.group(1) + sql[match.end() :] if match else None


BREAKERS = (_wrong_column, _wrong_column, _wrong_table, _double_where)


def repairs(records: list[dict], catalog: Catalog, failing: Sequence[Failing], rng: random.Random) -> list[dict]:
    """Records whose prompt carries a broken SQL and its real error; the answer is the gold SQL."""
    out = []
    for record in records:
        if rng.random() >= REPAIR_RATE:
            continue
        try:
            tables = [t.name for t in sqlglot.parse_one(record["answer"], read="duckdb").find_all(exp.Table)]
        except sqlglot.errors.ParseError:
            continue
        for breaker in rng.sample(BREAKERS, len(BREAKERS)):
            broken = breaker(record["answer"], catalog, tables, rng)
            error = broken and rng.choice(failing)(broken)
            if error:
                out.append({**record, "failed": {"sql": broken, "error": error}, "skill": f"repair{breaker.__name__}"})
                break
    return out
