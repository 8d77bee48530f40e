"""Question templates filled on a profiled database: each gives a portable SQL and a Korean question
that uses the database's own nouns and values (``data/question_templates.yaml`` holds the templates)."""

from __future__ import annotations

import hashlib
import random
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from t2sql.practice.korean import COUNT_UNITS, ENDINGS, WHO, josa, ko_list, nice, num_text, value_text
from t2sql.practice.profile import PCol, PTab

TEMPLATES_FILE = Path(__file__).resolve().parents[1] / "data" / "question_templates.yaml"


@dataclass(frozen=True)
class Template:
    skill: str
    sql: str
    questions: tuple[str, ...]
    probe: tuple[str, str | None] | None = None  # (SQL, unit slot): its result sets the HAVING threshold H


def load_templates(path: Path = TEMPLATES_FILE) -> list[Template]:
    """The templates in file order (the order is part of what a seed reproduces)."""
    return [
        Template(
            t["skill"],
            t["sql"],
            tuple(t["questions"]),
            (t["probe"]["sql"], t["probe"]["unit"]) if t.get("probe") else None,
        )
        for t in yaml.safe_load(path.read_text(encoding="utf-8"))
    ]


def templates_hash(path: Path = TEMPLATES_FILE) -> str:
    """Changes with the template file (onboarding redoes its practice pairs then)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


TEMPLATES = load_templates()
SKILLS = tuple(dict.fromkeys(t.skill for t in TEMPLATES))  # in order of first appearance


def _sql_str(v) -> str:
    """A value inside a SQL string literal."""
    return str(v).replace("'", "''")


def _fill(tab: PTab, up: str, lo: str, rng: random.Random, main: bool) -> dict:
    """Slot values for one table in one role ('' main, 'P_' parent, 'R_' third)."""
    key = {"": "T", "P_": "P", "R_": "R"}[up]
    d: dict[str, object] = {
        key: tab.name,
        key.lower(): rng.choice(tab.nouns),
        f"{lo}cnt": tab.counter,
        f"{key}a": tab.alias,
    }
    if tab.pk:
        d[f"{up}K"] = tab.pk
    by: dict[str, list[PCol]] = {}
    for c in tab.cols:
        by.setdefault(c.kind, []).append(c)
    for cols in by.values():
        rng.shuffle(cols)
    noun = lambda c: rng.choice(c.nouns)  # noqa: E731
    cats = [c for c in by.get("cat", []) if c.values]
    if cats:
        c = cats[0]
        v = rng.choice(c.values[:6])
        d.update({f"{up}C": c.name, f"{lo}c": noun(c), f"{up}V": _sql_str(v), f"{up}Vd": value_text(v, rng)})
        others = [x for x in c.values if x != v]
        if others:
            vb = rng.choice(others[:6])
            d.update({f"{up}Vb": _sql_str(vb), f"{up}Vbd": value_text(vb, rng)})
        if len(cats) > 1:
            c2 = cats[1]
            v2 = rng.choice(c2.values[:6])
            d.update(
                {f"{up}C2": c2.name, f"{lo}c2": noun(c2), f"{up}V2": _sql_str(v2), f"{up}V2d": value_text(v2, rng)}
            )
    nums = by.get("num", [])
    if nums:
        n = nums[0]
        unit = n.hint.get("unit", "")
        x = nice(rng.choice(n.quant))
        d.update({f"{up}N": n.name, f"{lo}n": noun(n), f"{up}X": x, f"{up}Xd": num_text(x, unit, rng), f"{up}Nu": unit})
        if main:
            d["HI"], d["LO"] = ("많은", "적은") if unit in COUNT_UNITS else ("높은", "낮은")
        adds = [c for c in nums if c.hint.get("add")]
        if adds:
            a = adds[0]
            d.update({f"{up}A": a.name, f"{lo}a": noun(a), f"{up}Au": a.hint.get("unit", "")})
    dates = [c for c in by.get("date", []) if c.months]
    if dates:
        c = dates[0]
        d.update({f"{up}D": c.name, f"{lo}d": noun(c)})
        if c.hint.get("ev"):
            d[f"{lo}ev"] = c.hint["ev"]
        if main:
            yr, mo = rng.choice(c.months)
            nxt = (yr + (mo == 12), mo % 12 + 1)
            qt = (mo - 1) // 3 + 1
            da, db = rng.randint(1, 10), rng.randint(14, 27)
            d.update(
                {
                    "yr": yr,
                    "mo": mo,
                    "m0": f"{yr}-{mo:02d}-01",
                    "m1": f"{nxt[0]}-{nxt[1]:02d}-01",
                    "y0": f"{yr}-01-01",
                    "y1": f"{yr + 1}-01-01",
                    "qt": qt,
                    "q0": f"{yr}-{3 * qt - 2:02d}-01",
                    "q1": f"{yr + (qt == 4)}-{(3 * qt) % 12 + 1:02d}-01",
                    "half": "상반기" if mo <= 6 else "하반기",
                    "h0": f"{yr}-{1 if mo <= 6 else 7:02d}-01",
                    "h1": f"{yr}-07-01" if mo <= 6 else f"{yr + 1}-01-01",
                    "da": da,
                    "db": db,
                    "dA": f"{yr}-{mo:02d}-{da:02d}",
                    "dB": f"{yr}-{mo:02d}-{db + 1:02d}",
                }
            )
    labels = by.get("label", [])
    if labels:
        c = labels[0]
        d.update({f"{up}L": c.name, f"{lo}l": noun(c)})
        if c.labels:
            v = rng.choice(c.labels)
            d.update({f"{up}LV": _sql_str(v), f"{up}LVd": value_text(v, rng)})
    likeable = [c for c in labels + by.get("text", []) if c.tokens]
    if likeable and main:
        c = likeable[0]
        mode, tok = rng.choice(c.tokens)
        cn = noun(c)
        if mode == "prefix":
            d["LP"] = f"{tok}%"
            d["LQ"] = rng.choice([f"성이 {tok}씨인", f"{cn}<이> {tok}<으로> 시작하는", f"{tok}씨 성을 가진"])
        else:
            d["LP"] = f"%{tok}%"
            d["LQ"] = rng.choice(
                [f"{cn}에 '{tok}'<이> 들어간", f"{cn}<이> '{tok}'<을> 포함하는", f"{cn}에 {tok}<이> 포함된"]
            )
        d["LK"] = c.name
    bools = by.get("bool", [])
    if bools:
        c = bools[0]
        d.update({f"{up}B": c.name, f"{lo}b": noun(c), f"{lo}by": c.hint["yes"], f"{lo}bn": c.hint.get("no") or ""})
        if not d[f"{lo}bn"]:
            del d[f"{lo}bn"]
    nullable = [c for c in tab.cols if c.has_null]
    rng.shuffle(nullable)
    if nullable:
        d.update({f"{up}Z": nullable[0].name, f"{lo}z": noun(nullable[0])})
        texts = [c for c in nullable if c.kind in ("cat", "label", "text") and not c.sensitive]
        if texts:
            d.update(
                {f"{up}ZT": texts[0].name, f"{lo}zt": noun(texts[0]), "NA": rng.choice(["없음", "미입력", "정보 없음"])}
            )
    show = [c for c in tab.cols if c.kind in ("label", "cat", "num", "date") and not c.sensitive]
    if show:
        first = labels[:1] or [rng.choice(show)]
        rest = [c for c in show if c is not first[0]]
        chosen = first + rng.sample(rest, min(len(rest), rng.choice([0, 1, 1, 2])))
        d[f"{up}S"] = ", ".join(c.name for c in chosen)
        d[f"{up}Sa"] = ", ".join(f"{tab.alias}.{c.name}" for c in chosen)
        d[f"{lo}s"] = ko_list([noun(c) for c in chosen])
    return d


def _keys(tpl: Template) -> set[str]:
    texts = [tpl.sql, *tpl.questions] + ([tpl.probe[0]] if tpl.probe else [])
    return {f for t in texts for _, f, _, _ in string.Formatter().parse(t) if f}


def instantiate(tpl: Template, tabs: dict[str, PTab], rng: random.Random, probe: Callable[[str], list]) -> dict | None:
    """Fill one template on a database; None when no table fits it."""
    skill, sql, questions = tpl.skill, tpl.sql, tpl.questions
    keys = _keys(tpl)
    need_p = any(k in ("P", "p", "F", "Pa") or k.startswith(("P_", "p_")) for k in keys)
    need_r = any(k in ("R", "r", "RJ", "Ra") or k.startswith(("R_", "r_")) for k in keys)
    question = rng.choice(questions)
    order = sorted(tabs)
    rng.shuffle(order)
    for tname in order:
        t = tabs[tname]
        # (foreign key column, parent) of the join, and (side, column, table) of the third table
        combos: list[tuple[tuple[str, str] | None, tuple[str, str, str] | None]] = [(None, None)]
        if need_p:
            combos = []
            for fcol, ref, _ in t.fks:
                if not need_r:
                    combos.append(((fcol, ref), None))
                    continue
                combos += [((fcol, ref), ("T", g, r2)) for g, r2, _ in t.fks if r2 not in (ref, t.name)]
                combos += [((fcol, ref), ("P", g, r2)) for g, r2, _ in tabs[ref].fks if r2 not in (ref, t.name)]
            rng.shuffle(combos)
        for edge, third in combos[:4]:
            slots = _fill(t, "", "", rng, True)
            used = {t.alias}
            if edge:
                p = tabs[edge[1]]
                slots.update(_fill(p, "P_", "p_", rng, False))
                slots["F"] = edge[0]
                slots["Pa"] = p.alias if p.alias not in used else p.alias + "2"
                used.add(slots["Pa"])
            if third:
                r = tabs[third[2]]
                slots.update(_fill(r, "R_", "r_", rng, False))
                slots["Ra"] = r.alias if r.alias not in used else r.alias + "3"
                src = slots["Ta"] if third[0] == "T" else slots["Pa"]
                slots["RJ"] = f"JOIN {r.name} {slots['Ra']} ON {src}.{third[1]} = {slots['Ra']}.{r.pk}"
            slots["k"] = rng.choice([3, 5, 5, 10])
            for name, pool in ENDINGS.items():
                slots[name] = rng.choice(pool)
            slots["MANY"] = f"몇 {slots['cnt']}" + slots["MANY"]
            if "p_cnt" in slots:
                slots["P_MANY"] = f"몇 {slots['p_cnt']}" + rng.choice(ENDINGS["MANY"])
            slots["WHO"] = rng.choice(WHO.get(t.counter, WHO[""]))
            try:
                if tpl.probe:
                    values = sorted(float(r[0]) for r in probe(tpl.probe[0].format(**slots)) if r[0] is not None)
                    if len(values) < 2:
                        continue
                    h = values[int(len(values) * rng.uniform(0.4, 0.75))]
                    if tpl.probe[1] is None:
                        slots["H"] = max(2, int(h))
                    else:
                        slots["H"] = nice(h * 0.95)
                        slots["Hd"] = num_text(slots["H"], slots.get(tpl.probe[1], ""), rng)
                text_sql = sql.format(**slots).replace("total_total_", "sum_total_").replace("avg_avg_", "mean_avg_")
                text_q = question.format(**slots)
            except KeyError:
                continue
            tables = [t.name] + ([slots["P"]] if edge else []) + ([slots["R"]] if third else [])
            return {"skill": skill, "answer": text_sql, "question": _clean(josa(text_q)), "tables": tables}
    return None


def _clean(q: str) -> str:
    q = re.sub(r"\s+", " ", q).strip()
    return q.replace(" ?", "?")
