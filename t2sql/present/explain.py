"""Plain-Korean explanation of a SQL query, built from the sqlglot tree (no model involved).

Business users who cannot read SQL decide from these sentences whether to trust a query, so the
sentences must say what the SQL *does*, not what the question asked. They are generated
deterministically from the parsed tree (and regenerated whenever the analyst edits the SQL), so
the explanation can never drift from the query the way a model's summary could. Wording lives in
the tables below; each clause has one small function. Whatever is not recognised is shown as
compact SQL or as a truthful generic sentence, and `explain` never raises.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp

from t2sql.db.catalog import short_label  # the same short form as Catalog.labels(), so either input works
from t2sql.sqltext import DIALECTS

UNPARSABLE = "SQL을 해석하지 못해 설명을 만들 수 없습니다."
EMPTY = "설명할 SQL이 없습니다."
NOT_A_QUERY = "데이터를 조회하는 SELECT 문이 아니어서 설명하지 않습니다."
MANY_STATEMENTS = "SQL 문장이 여러 개입니다. 조회 문장은 한 번에 하나만 설명할 수 있습니다."
UNSUPPORTED = "이 부분은 자동 설명이 지원되지 않습니다: {}"

# Nodes that change data or schema wherever they sit (a DELETE inside a CTE writes just as well).
_WRITES = ("Insert", "Update", "Delete", "Merge", "Create", "Drop", "Alter", "Into", "Command")

# --- Particles (조사) --------------------------------------------------------------------------
# The particle depends on how the word's last syllable is *read*: "" = vowel, "l" = ㄹ batchim,
# "n" = any other batchim. Digits by their Korean reading (0 영/십/백/천, 1 일, 3 삼, 6 육 ...).
_DIGIT_SOUND = {"0": "n", "1": "l", "2": "", "3": "n", "4": "", "5": "", "6": "n", "7": "l", "8": "l", "9": ""}
_LETTER_SOUND = {"L": "l", "M": "n", "N": "n", "R": "l"}  # 엘, 엠, 엔, 알; the other letters end in a vowel
_WORD_SOUND = {"at": "n", "id": "", "ok": "n", "top": "n"}  # whole trailing words read specially
# English endings as usually transcribed: name 네임, type 타입, table 테이블, stock 스톡, email 이메일.
_ENDING_SOUND = (
    ("ng", "n"),
    ("me", "n"),
    ("ne", "n"),
    ("pe", "n"),
    ("le", "l"),
    ("ck", "n"),
    ("l", "l"),
    ("m", "n"),
    ("n", "n"),
    ("p", "n"),
    ("b", "n"),
)


def _strip_trailing_group(text: str) -> str:
    """'거주 도시(city)' -> '거주 도시': a particle agrees with the word before the parentheses."""
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[i], 0)
        if depth == 0:
            return text[:i].rstrip() or text[i + 1 : -1]
    return text[:-1]


def final_sound(word: str) -> str | None:
    """How ``word`` ends when read aloud: '' (vowel), 'l' (ㄹ), 'n' (other batchim), None (unknown)."""
    text = word.strip()
    while text and text[-1] in ")'\"` ":
        text = _strip_trailing_group(text) if text[-1] == ")" else text[:-1]
    if not text:
        return None
    ch = text[-1]
    if "가" <= ch <= "힣":
        jong = (ord(ch) - 0xAC00) % 28
        return "" if jong == 0 else "l" if jong == 8 else "n"
    if ch in _DIGIT_SOUND:
        return _DIGIT_SOUND[ch]
    if not ch.isascii() or not ch.isalpha():
        return None
    last_word = re.findall(r"[A-Za-z]+$", text)[0]
    if len(last_word) == 1 or last_word.isupper() and len(last_word) <= 4:  # letters: r, VIP, URL
        return _LETTER_SOUND.get(last_word[-1].upper(), "")
    last_word = last_word.lower()
    if last_word in _WORD_SOUND:
        return _WORD_SOUND[last_word]
    return next((sound for end, sound in _ENDING_SOUND if last_word.endswith(end)), "")


def with_particle(word: str, pair: str) -> str:
    """``word`` plus the right half of ``pair`` ('을/를', '이/가', '은/는', '과/와', '으로/로', '이라는/라는')."""
    first, second = pair.split("/")
    sound = final_sound(word)
    if sound is None:  # last resort: show both forms
        both = f"({first[: -len(second)]}){second}" if first.endswith(second) else f"({first}){second}"
        return word + both
    if first == "으로":
        return word + (second if sound in ("", "l") else first)
    return word + (first if sound else second)


# --- Wording tables --------------------------------------------------------------------------
_AGGREGATES = {
    "Sum": "{}의 합계",
    "Avg": "{}의 평균",
    "Min": "{}의 최솟값",
    "Max": "{}의 최댓값",
    "Median": "{}의 중앙값",
    "Stddev": "{}의 표준편차",
    "StddevSamp": "{}의 표준편차",
    "Variance": "{}의 분산",
    "GroupConcat": "{} 값을 이어 붙인 문자열",
    "ArrayAgg": "{}의 목록",
    "AnyValue": "{} 중 하나의 값",
    "CountIf": "{}인 행 수",
}
_EXTRACT_UNITS = {
    "YEAR": "연도",
    "QUARTER": "분기",
    "MONTH": "월",
    "WEEK": "주차",
    "DAY": "일",
    "DOW": "요일",
    "DAYOFWEEK": "요일",
    "ISODOW": "요일",
    "DOY": "연중 일수",
    "DAYOFYEAR": "연중 일수",
    "HOUR": "시",
    "MINUTE": "분",
    "SECOND": "초",
    "EPOCH": "유닉스 시간(초)",
}
_TRUNC_UNITS = {
    "YEAR": "연",
    "QUARTER": "분기",
    "MONTH": "월",
    "WEEK": "주",
    "DAY": "일",
    "HOUR": "시간",
    "MINUTE": "분",
}
_PART_FUNCTIONS = {
    "Year": "YEAR",
    "Quarter": "QUARTER",
    "Month": "MONTH",
    "Week": "WEEK",
    "Day": "DAY",
    "DayOfMonth": "DAY",
    "DayOfWeek": "DOW",
    "DayOfYear": "DOY",
    "Hour": "HOUR",
}
_TIME_FORMATS = {
    "%Y": "연도",
    "%Y-%m": "연월",
    "%Y%m": "연월",
    "%Y-%m-%d": "날짜",
    "%m": "월",
    "%d": "일",
    "%H": "시",
    "%w": "요일",
    "%Y-%W": "연도·주차",
    "%W": "주차",
    "%Y-%m-%d %H": "날짜·시",
}
_TYPES = (
    ("INTERVAL", "기간"),
    ("DATETIME", "날짜·시각"),
    ("TIMESTAMP", "날짜·시각"),
    ("DATE", "날짜"),
    ("TIME", "시각"),
    ("INT", "정수"),
    ("DEC", "숫자"),
    ("NUMERIC", "숫자"),
    ("FLOAT", "실수"),
    ("DOUBLE", "실수"),
    ("REAL", "실수"),
    ("CHAR", "문자열"),
    ("TEXT", "문자열"),
    ("STRING", "문자열"),
    ("BOOL", "참/거짓 값"),
)
_CURRENT = {"CurrentDate": "오늘 날짜", "CurrentTimestamp": "현재 시각", "CurrentTime": "현재 시각"}
_PASS_THROUGH = ("Paren", "TsOrDsToTimestamp", "TsOrDsToDate", "TsOrDsToTime")
_NEGATABLE = ("In", "Between", "Like", "ILike", "Is", "Exists", "EQ", "NEQ", "Column")
_ARITHMETIC = ("Add", "Sub", "Mul", "Div", "Mod", "IntDiv", "SafeDivide", "DPipe")
# Window functions: what they produce, and the verb for the sentence.
_RANKING = {
    "RowNumber": ("행 번호", "매깁니다"),
    "Rank": ("순위", "매깁니다"),
    "DenseRank": ("순위", "매깁니다. 같은 값은 같은 순위를 받고 다음 순위를 건너뛰지 않습니다"),
    "PercentRank": ("백분위 순위", "구합니다"),
    "CumeDist": ("누적 비율", "구합니다"),
    "Ntile": ("구간 번호", "매깁니다"),
}
_OFFSETS = {
    "Lag": "{n}앞 행의 {x}",
    "Lead": "{n}다음 행의 {x}",
    "FirstValue": "첫 행의 {x}",
    "LastValue": "마지막 행의 {x}",
}
_JOIN_SUFFIX = {
    "": "합니다.",
    "LEFT": "하되, 짝이 없어도 {l}의 행은 모두 남깁니다.",
    "RIGHT": "하되, 짝이 없어도 {r}의 행은 모두 남깁니다.",
    "FULL": "하되, 짝이 없어도 양쪽 행을 모두 남깁니다.",
}
_SET_OPERATIONS = {
    ("Union", True): "{n} 조회 결과를 위아래로 합쳐 중복된 행은 하나만 남깁니다.",
    ("Union", False): "{n} 조회 결과를 위아래로 합쳐 중복된 행도 그대로 둡니다.",
    ("Intersect", True): "{n} 조회 결과에 모두 들어 있는 행만 남깁니다.",
    ("Intersect", False): "{n} 조회 결과에 모두 들어 있는 행만 남깁니다.",
    ("Except", True): "첫 번째 조회 결과에서 뒤의 조회 결과에 있는 행을 뺍니다.",
    ("Except", False): "첫 번째 조회 결과에서 뒤의 조회 결과에 있는 행을 뺍니다.",
}
_COUNT_WORDS = {2: "두", 3: "세", 4: "네", 5: "다섯"}
_TEMPORAL_NAME = re.compile(r"(_at|_on|date|_dt|time|timestamp|day|week|month|year|ym|period)$", re.I)
_DATE_LITERAL = re.compile(r"^\d{4}-\d{2}(-\d{2})?([ T][\d:.]+)?$")


@dataclass
class _Ctx:
    """What a clause needs to name things: labels, the aliases in scope, and a subquery counter."""

    dialect: str
    labels: Mapping[str, str]
    aliases: dict[str, str] = field(default_factory=dict)  # alias -> table name
    tables: list[str] = field(default_factory=list)  # tables in scope, innermost first
    ctes: set[str] = field(default_factory=set)
    pending: list[str] = field(default_factory=list)  # sentences of subqueries met in a clause
    counter: list[int] = field(default_factory=lambda: [0])

    def child(self) -> _Ctx:
        return _Ctx(self.dialect, self.labels, dict(self.aliases), list(self.tables), self.ctes, [], self.counter)


@dataclass(frozen=True)
class _Pred:
    """One condition as '<subject>이/가 <stem>'; kind picks the endings (noun+이다, verb, adjective)."""

    subject: str | None
    stem: str
    kind: str = "noun"


def _sql(node: exp.Expr, ctx: _Ctx, limit: int = 80) -> str:
    """Compact SQL for what has no wording (arithmetic, unknown functions), without table prefixes."""
    node = node.copy()
    for col in node.find_all(exp.Column):
        col.set("table", None)
    text = node.sql(dialect=ctx.dialect)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is(node: object, *names: str) -> bool:
    """Type test by class name, so a class missing from another sqlglot version is simply no match."""
    return isinstance(node, exp.Expression) and type(node).__name__ in names


# --- Nouns: what a value or expression is called ---------------------------------------------
def _column(col: exp.Column, ctx: _Ctx, qualified: bool = False) -> str:
    """'거주 도시(city)' with a label, else 'city'; qualified adds the table when two names collide."""
    table = ctx.aliases.get(col.table, col.table) if col.table else ""
    if isinstance(col.this, exp.Star):
        return f"{table}의 모든 열" if table else "모든 열"
    name = col.name
    for candidate in [table] if table else ctx.tables:
        label = ctx.labels.get(f"{candidate}.{name}")
        if label and label != name:
            name = f"{label}({name})"
            break
    return f"{table}.{name}" if qualified and table else name


def _table(name: str, ctx: _Ctx) -> str:
    """'쇼핑몰 회원(customers) 테이블', or '중간 결과 x' for a CTE defined earlier."""
    if name in ctx.ctes:
        return f"중간 결과 {name}"
    label = ctx.labels.get(name, "")
    return f"{label}({name}) 테이블" if label and label != name else f"{name} 테이블"


def _noun(node: exp.Expr, ctx: _Ctx) -> str:
    """What a value or expression is called in a sentence; unknown ones fall back to compact SQL."""
    kind = type(node).__name__
    if isinstance(node, exp.Column):
        return _column(node, ctx)
    if isinstance(node, exp.Star):
        return "모든 열"
    if isinstance(node, exp.Literal):
        if not node.is_string:
            return node.name
        return node.name if _DATE_LITERAL.match(node.name) else f"'{node.name}'"
    if isinstance(node, exp.Null):
        return "NULL"
    if isinstance(node, exp.Boolean):
        return "참" if node.this else "거짓"
    if kind in ("Alias", *_PASS_THROUGH):
        return _noun(node.this, ctx)
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal):
        return "-" + _noun(node.this, ctx)
    if isinstance(node, (exp.AggFunc, exp.Filter)):
        return _aggregate(node, ctx)
    if kind in _CURRENT:
        return _CURRENT[kind]
    if isinstance(node, exp.Subquery):
        return _subquery_noun(node.this, ctx)
    if kind in ("Any", "All"):
        return f"{_noun(node.this, ctx)} {'중 하나' if kind == 'Any' else '모두'}"
    return _function_noun(node, ctx) or _sql(node, ctx)


def _function_noun(node: exp.Expr, ctx: _Ctx) -> str | None:
    """Date parts, truncation, formats, casts, rounding, COALESCE, CASE, window functions."""
    kind = type(node).__name__
    arg = node.this
    if kind == "Extract" or kind in _PART_FUNCTIONS:
        unit, value = (node.name.upper(), node.expression) if kind == "Extract" else (_PART_FUNCTIONS[kind], arg)
        return f"{_noun(value, ctx)}의 {_EXTRACT_UNITS.get(unit, unit.lower())}"
    if kind in ("TimestampTrunc", "DateTrunc", "DatetimeTrunc", "TimeTrunc"):
        unit = node.text("unit").upper()
        return f"{_TRUNC_UNITS.get(unit, unit.lower())} 단위로 자른 {_noun(arg, ctx)}"
    if kind == "TimeToStr":
        fmt = node.text("format")
        word = _TIME_FORMATS.get(fmt)
        return f"{_noun(arg, ctx)}의 {word}" if word else f"{_noun(arg, ctx)}을 '{fmt}' 형식으로 바꾼 값"
    if kind in ("Cast", "TryCast"):
        if isinstance(arg, exp.Literal):
            return _noun(arg, ctx)
        target = node.args["to"].sql().upper()
        word = next((w for key, w in _TYPES if key in target), target)
        return f"{with_particle(word, '으로/로')} 변환한 {_noun(arg, ctx)}"
    if kind == "Round":
        digits = node.text("decimals")
        how = f"소수점 {digits}자리까지 반올림" if digits not in ("", "0") else "정수로 반올림"
        return f"{how}한 {_noun(arg, ctx)}"
    if kind == "Coalesce":
        rest = ", ".join(_noun(e, ctx) for e in node.expressions)
        return f"비어 있으면 {with_particle(rest, '으로/로')} 채운 {_noun(arg, ctx)}"
    if kind == "Nullif":
        return f"{with_particle(_noun(node.expression, ctx), '과/와')} 같으면 NULL로 바꾼 {_noun(arg, ctx)}"
    if isinstance(node, exp.Case):
        return _case(node, ctx)
    if isinstance(node, exp.Window):
        return _window_object(node, ctx)[0]
    return None


def _aggregate(node: exp.Expr, ctx: _Ctx) -> str:
    """'행 수', '서로 다른 x의 수', 'x의 합계' …; SUM(CASE WHEN c THEN 1 ELSE 0 END) reads as a count."""
    if isinstance(node, exp.Filter):
        where = node.expression.this if isinstance(node.expression, exp.Where) else node.expression
        inner, cond = node.this, _phrase(where, ctx, "adn")
        if isinstance(inner, exp.Count) and (inner.this is None or isinstance(inner.this, exp.Star)):
            return f"{cond} 행 수"
        return f"{cond} 행의 {_aggregate(inner, ctx)}"
    kind, arg = type(node).__name__, node.this
    distinct = isinstance(arg, exp.Distinct)
    inner = ", ".join(_noun(e, ctx) for e in arg.expressions) if distinct else _noun(arg, ctx) if arg else ""
    if kind == "Count":
        if distinct:
            return f"서로 다른 {inner}의 수"
        return "행 수" if arg is None or isinstance(arg, exp.Star) else f"{inner} 값이 있는 행 수"
    if kind == "Sum" and isinstance(arg, exp.Case) and len(arg.args.get("ifs") or []) == 1:
        case, default = arg.args["ifs"][0], arg.args.get("default")
        if case.args["true"].name == "1" and (default is None or default.name == "0"):
            return f"{_phrase(case.this, ctx, 'adn')} 행 수"
    if kind == "CountIf":
        return f"{_phrase(arg, ctx, 'adn')} 행 수"
    template = _AGGREGATES.get(kind)
    if template is None:
        return _sql(node, ctx)
    return template.format(f"서로 다른 {inner}" if distinct else inner)


def _case(node: exp.Case, ctx: _Ctx, alias: str = "") -> str:
    """CASE as its branches in words, so users see how values are classified."""
    parts = []
    for branch in node.args.get("ifs") or []:
        cond = branch.this
        if node.this is not None:  # CASE x WHEN v THEN ...
            cond = exp.EQ(this=node.this.copy(), expression=cond.copy())
        parts.append(f"{_phrase(cond, ctx, 'if')} {_noun(branch.args['true'], ctx)}")
    default = node.args.get("default")
    parts.append(f"그 밖에는 {_noun(default, ctx) if default is not None else 'NULL'}")
    if alias:
        return f"{alias}(조건에 따라 분류한 값: {', '.join(parts)})"
    return f"조건에 따라 분류한 값({', '.join(parts)})"


def _subquery_noun(query: exp.Expr, ctx: _Ctx, rows: bool = False) -> str:
    """A one-table subquery in words ('orders 테이블에서 …인 행의 amount의 합계'); others get sentences."""
    if isinstance(query, exp.Subquery):
        query = query.this
    simple = (
        isinstance(query, exp.Select)
        and not any(query.args.get(k) for k in ("joins", "group", "with_", "limit"))
        and isinstance(query.args.get("from_") and query.args["from_"].this, exp.Table)
        and (rows or len(query.expressions) == 1)
    )
    if not simple:
        ctx.counter[0] += 1
        name = f"하위 조회 {ctx.counter[0]}"
        ctx.pending += [f"[{name}] {line}" for line in _query(query, ctx.child())]
        return f"{name}의 결과 행" if rows else f"{name}의 결과"
    inner = ctx.child()
    assert isinstance(query, exp.Select)  # simple implies it
    _enter_scope(query, inner)
    table, where = _table(query.args["from_"].this.name, inner), query.args.get("where")
    cond = _phrase(where.this, inner, "adn") if where else ""
    value = "" if rows else _noun(query.expressions[0], inner)
    ctx.pending += inner.pending  # subqueries nested inside this one
    if rows:
        return f"{table}에 {cond} 행" if cond else f"{table}에 행"
    return f"{table}에서 {cond} 행의 {value}" if cond else f"{table} 전체의 {value}"


# --- Conditions ------------------------------------------------------------------------------
def _ending(pred: _Pred, form: str) -> str:
    """The predicate with the ending for ``form``: adn (…인 행), and (…이고), or (…이거나), if (…이면)."""
    stem = pred.stem
    if pred.kind == "noun":
        return stem + {"adn": "인", "and": "이고", "or": "이거나", "if": "이면"}[form]
    if form == "adn":
        if pred.kind == "verb":
            return stem + "는"
        last = stem[-1]
        if final_sound(last):  # 같 -> 같은
            return stem + "은"
        return stem[:-1] + chr(ord(last) + 4)  # 크 -> 큰, 아니 -> 아닌 (add ㄴ batchim)
    if form == "if":
        return stem + ("으면" if final_sound(stem[-1]) == "n" else "면")
    return stem + {"and": "고", "or": "거나"}[form]


def _phrase(node: exp.Expr, ctx: _Ctx, form: str = "adn") -> str:
    """A whole condition as one Korean phrase; a repeated subject is said once ('a가 1 이상이고 2 미만인')."""
    connector = "and" if isinstance(node, exp.And) else "or" if isinstance(node, exp.Or) else None
    parts = list(node.flatten()) if connector else [node]
    preds = [_atom(p, ctx) for p in parts]
    words, previous = [], None
    for i, pred in enumerate(preds):
        text = _ending(pred, form if i == len(preds) - 1 else connector or form)
        if pred.subject and pred.subject != previous:
            text = f"{with_particle(pred.subject, '이/가')} {text}"
        words.append(text)
        previous = pred.subject
    return " ".join(words)


def _atom(node: exp.Expr, ctx: _Ctx, negate: bool = False) -> _Pred:
    """One comparison, range, list, pattern, NULL test or EXISTS as a predicate."""
    while isinstance(node, exp.Paren):
        node = node.this
    kind = type(node).__name__
    negate ^= bool(node.args.get("negate"))
    if isinstance(node, exp.Not):
        return _atom(node.this, ctx, not negate)
    if negate and kind not in _NEGATABLE:
        return _Pred(None, f"{_phrase(node, ctx)} 경우가 아니", "adj")
    if isinstance(node, (exp.And, exp.Or)):  # a nested group is kept together
        return _Pred(None, f"{_phrase(node, ctx)} 경우에 해당하", "verb")
    if isinstance(node, exp.Column):  # a boolean column on its own
        return _Pred(_noun(node, ctx), "거짓" if negate else "참")
    if kind in ("EQ", "NEQ", "GT", "GTE", "LT", "LTE"):
        return _comparison(node, ctx, negate)
    subject = _noun(node.this, ctx)
    if kind == "Between":
        low, high = _noun(node.args["low"], ctx), _noun(node.args["high"], ctx)
        return (
            _Pred(subject, f"{low}부터 {high}까지의 범위를 벗어나", "verb")
            if negate
            else _Pred(subject, f"{low} 이상 {high} 이하")
        )
    if kind == "In":
        query = node.args.get("query")
        values = _subquery_noun(query, ctx) if query else ", ".join(_noun(e, ctx) for e in node.expressions)
        if not query and len(node.expressions) == 1:  # a IN ('x') is a = 'x'
            return _Pred(subject, f"{with_particle(values, '이/가')} 아니", "adj") if negate else _Pred(subject, values)
        return _Pred(subject, f"{values} 중 어느 것도 아니", "adj") if negate else _Pred(subject, f"{values} 중 하나")
    if kind in ("Like", "ILike"):
        return _like(subject, node, ctx, negate)
    if kind == "Is":
        if isinstance(node.expression, exp.Null):
            return _Pred(subject, "비어 있지 않", "adj") if negate else _Pred(subject, "비어 있", "verb")
        value = _noun(node.expression, ctx)
        return _Pred(subject, f"{with_particle(value, '이/가')} 아니", "adj") if negate else _Pred(subject, value)
    if kind == "Exists":
        rows = _subquery_noun(node.this, ctx, rows=True)
        return _Pred(None, f"{with_particle(rows, '이/가')} 하나{'도 없' if negate else '라도 있'}", "verb")
    return _Pred(None, f"{_sql(node, ctx)} 조건을 만족하", "verb")


def _comparison(node: exp.Expr, ctx: _Ctx, negate: bool) -> _Pred:
    kind = type(node).__name__
    if negate:
        kind = {"EQ": "NEQ", "NEQ": "EQ"}[kind]  # _atom passes only these two negated
    left, right = node.this, node.expression
    if isinstance(left, exp.Literal) and not isinstance(right, exp.Literal):  # 3 < x -> x > 3
        left, right = right, left
        kind = {"GT": "LT", "LT": "GT", "GTE": "LTE", "LTE": "GTE"}.get(kind, kind)
    if isinstance(left, exp.Column) and isinstance(right, exp.Column) and left.name == right.name:
        if kind == "EQ":  # join keys: 'customer_id가 같은'
            return _Pred(_column(left, ctx), "같", "adj")
        subject, value = _column(left, ctx, qualified=True), _column(right, ctx, qualified=True)
    else:
        subject, value = _noun(left, ctx), _noun(right, ctx)
    if kind == "EQ":
        plain = isinstance(right, (exp.Literal, exp.Boolean, exp.Null, exp.Neg))
        return _Pred(subject, value) if plain else _Pred(subject, f"{with_particle(value, '과/와')} 같", "adj")
    if kind == "NEQ":
        return _Pred(subject, f"{with_particle(value, '이/가')} 아니", "adj")
    if kind == "GT":
        return _Pred(subject, f"{value}보다 크", "adj")
    return _Pred(subject, f"{value} {({'GTE': '이상', 'LT': '미만', 'LTE': '이하'})[kind]}")


def _like(subject: str | None, node: exp.Expr, ctx: _Ctx, negate: bool) -> _Pred:
    """'서울%' -> '서울'로 시작하는, '%펜%' -> '펜'이 들어가는, '%점' -> '점'으로 끝나는."""
    pattern = node.expression
    text = pattern.name if isinstance(pattern, exp.Literal) and pattern.is_string else None
    core = text.strip("%") if text is not None else ""
    if text is None or "%" in core or "_" in core or not core:
        stem = f"{_noun(pattern, ctx)} 패턴과 일치하"
    elif text.startswith("%") and text.endswith("%"):  # 'name에 '펜'이 들어가는'
        stem = f"{subject}에 {with_particle(_quote(core), '이/가')} 들어가"
        subject = None
    elif text.endswith("%"):
        stem = f"{with_particle(_quote(core), '으로/로')} 시작하"
    elif text.startswith("%"):
        stem = f"{with_particle(_quote(core), '으로/로')} 끝나"
    else:
        stem = f"{with_particle(_quote(core), '과/와')} 같"
        return _Pred(subject, stem + ("지 않" if negate else ""), "adj")
    if isinstance(node, exp.ILike):
        stem = "대소문자 구분 없이 " + stem
    return _Pred(subject, stem + "지 않" if negate else stem, "verb")


def _quote(text: str) -> str:
    """A string value as users see it in the sentences: '서울'."""
    return f"'{text}'"


# --- Clauses ---------------------------------------------------------------------------------
def _enter_scope(select: exp.Select, ctx: _Ctx) -> None:
    """Register the tables and aliases a SELECT reads, innermost first, for labels."""
    sources = [select.args["from_"].this] if select.args.get("from_") else []
    sources += [j.this for j in select.args.get("joins") or []]
    names = []
    for source in sources:
        name = source.name if isinstance(source, exp.Table) else source.alias
        ctx.aliases[source.alias or name] = name
        names.append(name)
    ctx.tables[:0] = names


def _source(node: exp.Expr, ctx: _Ctx, out: list[str]) -> str:
    """A FROM/JOIN source; a derived table is explained first, as its own prefixed sentences."""
    if isinstance(node, exp.Table) and node.name:
        return _table(node.name, ctx)
    if isinstance(node, exp.Subquery):
        name = node.alias or "하위 조회"
        out.append(f"먼저 하위 조회로 {with_particle(name, '이라는/라는')} 중간 결과를 만듭니다.")
        out += [f"[{name}] {line}" for line in _query(node.this, ctx.child())]
        return f"중간 결과 {name}"
    return _sql(node, ctx)


def _from_clause(select: exp.Select, ctx: _Ctx) -> list[str]:
    """Where rows come from and how joined tables are matched (join type decides what is kept)."""
    if not select.args.get("from_"):
        return ["테이블 없이 값을 바로 계산합니다."]
    out: list[str] = []
    left = _source(select.args["from_"].this, ctx, out)
    joins = select.args.get("joins") or []
    if not joins:
        return out + [f"{left}에서 데이터를 가져옵니다."]
    for join in joins:
        right = _source(join.this, ctx, out)
        side, kind = join.side.upper(), join.kind.upper()
        using = join.args.get("using")
        on = join.args.get("on")
        if using:
            cond = f"{with_particle(', '.join(_noun(c, ctx) for c in using), '이/가')} 같은"
        elif on:
            cond = _phrase(on, ctx, "adn")
        if kind == "CROSS" or not (using or on):
            out.append(f"{with_particle(left, '과/와')} {right}의 모든 행을 서로 짝지어 연결합니다(모든 조합).")
        elif kind in ("SEMI", "ANTI"):
            verb = "있는" if kind == "SEMI" else "없는"
            out.append(f"{left}의 행 중 {right}에 {cond} 행이 {verb} 것만 남깁니다.")
        else:
            suffix = _JOIN_SUFFIX.get(side, "합니다.").format(l=left, r=right)
            out.append(f"{with_particle(left, '과/와')} {with_particle(right, '을/를')} {cond} 행끼리 연결{suffix}")
        left = "지금까지 연결한 결과"
    return out


def _where_clause(select: exp.Select, ctx: _Ctx) -> list[str]:
    """The row filter as one sentence."""
    where = select.args.get("where")
    return [f"{_phrase(where.this, ctx)} 행만 고릅니다."] if where else []


def _find_aggregates(node: exp.Expr) -> list[exp.Expr]:
    """Aggregates of this SELECT, not those inside windows or subqueries (they are explained there)."""
    if isinstance(node, (exp.Window, exp.Subquery, exp.Select)):
        return []
    if isinstance(node, (exp.AggFunc, exp.Filter)):
        return [node]
    return [a for child in node.iter_expressions() for a in _find_aggregates(child)]


def _group_clause(select: exp.Select, ctx: _Ctx) -> list[str]:
    """Grouping keys and what is computed per group (or over all rows when there is no GROUP BY)."""
    items, seen, counts_only = [], set(), True
    for projection in select.expressions:
        for agg in _find_aggregates(projection):
            key = agg.sql()
            if key in seen:
                continue
            seen.add(key)
            counts_only &= isinstance(agg.this if isinstance(agg, exp.Filter) else agg, exp.Count)
            alias = projection.alias if isinstance(projection, exp.Alias) and projection.this is agg else ""
            items.append(f"{_noun(agg, ctx)}({alias})" if alias else _noun(agg, ctx))
    group = select.args.get("group")
    verb = "셉니다" if counts_only else "구합니다"
    what = f"{with_particle(', '.join(items), '을/를')} {verb}" if items else ""
    if not group:
        return [f"전체 행을 하나로 모아 {what}."] if items else []
    keys, extra = [], ""
    for key in group.expressions:
        if _is(key, "Rollup", "Cube", "GroupingSets"):
            extra = " 소계·총계 행도 함께 만듭니다."
            keys += [_noun(e, ctx) for e in key.expressions]
        elif isinstance(key, exp.Literal) and key.name.isdigit() and 0 < int(key.name) <= len(select.expressions):
            keys.append(_noun(select.expressions[int(key.name) - 1], ctx))  # GROUP BY 1
        else:
            keys.append(_noun(key, ctx))
    head = f"{', '.join(keys)}별로 묶어"
    return [f"{head} {what}.{extra}" if items else f"{head} 같은 값끼리 한 행으로 모읍니다.{extra}"]


def _having_clause(select: exp.Select, ctx: _Ctx) -> list[str]:
    """The group filter as one sentence."""
    having = select.args.get("having")
    return [f"묶은 결과 중 {_phrase(having.this, ctx)} 그룹만 남깁니다."] if having else []


def _window_object(window: exp.Window, ctx: _Ctx) -> tuple[str, str]:
    """What a window function produces and the verb: ('행 번호', '매깁니다')."""
    func, kind = window.this, type(window.this).__name__
    if kind in _RANKING:
        return _RANKING[kind]
    if kind in _OFFSETS:
        step = func.text("offset")
        step = f"{step}행 " if step and step != "1" else "바로 "
        return _OFFSETS[kind].format(n=step if kind in ("Lag", "Lead") else "", x=_noun(func.this, ctx)), "가져옵니다"
    what = _noun(func, ctx)
    spec = window.args.get("spec")
    start = spec.args.get("start") if spec is not None else None
    if spec is not None and start is not None and spec.text("start").upper() != "UNBOUNDED":
        moving = spec.text("start_side").upper() == "PRECEDING" and spec.text("end").upper() == "CURRENT ROW"
        span = f"앞 {_noun(start, ctx)}행부터 현재 행까지" if moving else f"{_sql(spec, ctx)} 구간"
        return f"{span}의 {what}", "구합니다"
    if window.args.get("order"):
        return (what.replace("의 ", "의 누적 ", 1) if "의 " in what else f"누적 {what}"), "구합니다"
    return f"{'각 묶음' if window.args.get('partition_by') else '전체 행'}의 {what}", "구해 각 행에 붙입니다"


def _window_clause(select: exp.Select, ctx: _Ctx) -> list[str]:
    """One sentence per window function: partition, order, and what is computed per row."""
    out = []
    for projection in select.expressions:
        for window in projection.find_all(exp.Window):
            what, verb = _window_object(window, ctx)
            alias = f"({projection.alias})" if isinstance(projection, exp.Alias) and projection.this is window else ""
            parts = window.args.get("partition_by") or []
            head = f"{', '.join(_noun(p, ctx) for p in parts)}별로 나누어 " if parts else ""
            order = window.args.get("order")
            head += f"{_order_keys(order, ctx)}으로 " if order else ""
            out.append(f"{head}{with_particle(what + alias, '을/를')} {verb}.")
    return out


def _item(projection: exp.Expr, ctx: _Ctx) -> str:
    """One output column; computed values keep their alias so users can find them in the result."""
    alias = projection.alias if isinstance(projection, exp.Alias) else ""
    node = projection.this if alias else projection
    if isinstance(node, exp.Column):
        noun = _column(node, ctx)
        return f"{noun}(결과 이름 {alias})" if alias and alias != node.name else noun
    if alias and isinstance(node, exp.Case):
        return _case(node, ctx, alias)
    core = node.this if _is(node, "Round") else node
    if alias and _is(core, *_ARITHMETIC):
        digits = node.text("decimals") if core is not node else ""
        rounded = (
            ""
            if core is node
            else f", 소수점 {digits}자리까지 반올림"
            if digits not in ("", "0")
            else ", 정수로 반올림"
        )
        return f"{alias}({with_particle(_sql(core, ctx), '으로/로')} 계산한 값{rounded})"
    noun = _noun(node, ctx)
    if not alias or alias == noun:
        return noun
    return f"{alias}({noun})" if noun.endswith(")") else f"{noun}({alias})"


def _select_clause(select: exp.Select, ctx: _Ctx) -> list[str]:
    """Which columns the result shows (and DISTINCT / DISTINCT ON)."""
    if not select.expressions:
        return [UNSUPPORTED.format(select.sql(dialect=ctx.dialect)[:80])]
    items = ", ".join(_item(p, ctx) for p in select.expressions)
    distinct = select.args.get("distinct")
    head = "결과로 "
    if distinct is not None and distinct.args.get("on"):
        keys = ", ".join(_noun(k, ctx) for k in distinct.args["on"].expressions)
        head = f"{keys}별로 첫 행 하나만 남겨 "
    elif distinct is not None:
        head = "중복된 행을 제거하고 "
    return [f"{head}{with_particle(items, '을/를')} 보여줍니다."]


def _is_temporal(node: exp.Expr) -> bool:
    """Dates read better as 이른/늦은 순 than 작은/큰 순; decided from names and date functions."""
    if isinstance(node, exp.Column):
        return bool(_TEMPORAL_NAME.search(node.name))
    return _is(node, "TimestampTrunc", "DateTrunc", "TimeToStr", "CurrentDate", "Date", "Cast") and (
        not _is(node, "Cast") or "DATE" in node.args["to"].sql().upper() or "TIME" in node.args["to"].sql().upper()
    )


def _order_keys(order: exp.Order, ctx: _Ctx) -> str:
    """'n이 큰 순, 같으면 city가 작은 순' (dates: 이른/늦은 순)."""
    keys = []
    for ordered in order.expressions:
        key = ordered.this
        noun = f"{key.name}번째 열" if isinstance(key, exp.Literal) and not key.is_string else _noun(key, ctx)
        desc = bool(ordered.args.get("desc"))
        word = ("늦은" if desc else "이른") if _is_temporal(key) else ("큰" if desc else "작은")
        keys.append(f"{with_particle(noun, '이/가')} {word} 순")
    return keys[0] + "".join(f"으로, 같으면 {k}" for k in keys[1:])


def _order_clause(query: exp.Expr, ctx: _Ctx) -> list[str]:
    """Sorting, LIMIT and OFFSET together, since users read them as one thing: 'top 10 by n'."""
    order, limit, offset = (query.args.get(k) for k in ("order", "limit", "offset"))
    count = _noun(limit.expression, ctx) if limit is not None and limit.expression is not None else None
    skip = _noun(offset.expression, ctx) if offset is not None and offset.expression is not None else None
    sorted_ = f"{_order_keys(order, ctx)}으로 정렬" if order else ""
    if count and skip:
        tail = f"앞의 {skip}개를 건너뛰고 다음 {count}개를 보여줍니다."
        return [f"{sorted_}한 뒤 {tail}" if sorted_ else tail]
    if count:
        return [f"{sorted_}해 상위 {count}개를 보여줍니다." if sorted_ else f"처음 {count}개 행만 보여줍니다."]
    if skip:
        tail = f"앞의 {skip}개를 건너뛰고 나머지를 보여줍니다."
        return [f"{sorted_}한 뒤 {tail}" if sorted_ else tail]
    return [f"{sorted_}합니다."] if sorted_ else []


_CLAUSES: tuple[tuple[str, Callable[[exp.Select, _Ctx], list[str]]], ...] = (
    ("from_", _from_clause),
    ("where", _where_clause),
    ("group", _group_clause),
    ("having", _having_clause),
    ("expressions", _window_clause),
    ("expressions", _select_clause),
    ("order", _order_clause),
)


# --- Queries ---------------------------------------------------------------------------------
def _select(select: exp.Select, ctx: _Ctx) -> list[str]:
    """All clauses of one SELECT in reading order; a clause that cannot be worded gets the fallback."""
    _enter_scope(select, ctx)
    out = []
    for key, clause in _CLAUSES:
        try:
            out += clause(select, ctx)
        except Exception:  # one clause we cannot word must not hide the rest
            part = select.args.get(key)
            text = ", ".join(p.sql() for p in part) if isinstance(part, list) else part.sql() if part else ""
            out.append(UNSUPPORTED.format(text[:80]))
        out += ctx.pending
        ctx.pending.clear()
    return out


def _set_operation(node: exp.SetOperation, ctx: _Ctx) -> list[str]:
    """UNION/INTERSECT/EXCEPT: each part explained with a [조회 n] prefix, then how they combine."""
    kind, distinct = type(node).__name__, node.args.get("distinct") is not False
    parts, stack = [], [node]
    while stack:  # flatten a chain of the same operation: a UNION b UNION c
        part = stack.pop()
        same = type(part) is type(node) and (part.args.get("distinct") is not False) == distinct
        if same and (part is node or not any(part.args.get(k) for k in ("order", "limit"))):
            stack += [part.expression, part.this]
        else:
            parts.append(part)
    out = []
    for i, part in enumerate(parts, 1):
        out += [f"[조회 {i}] {line}" for line in _query(part, ctx.child())]
    count = _COUNT_WORDS.get(len(parts), f"{len(parts)}개의")
    out.append(_SET_OPERATIONS[(kind, distinct)].format(n=count))
    return out + _order_clause(node, ctx)


def _with(with_: exp.With, ctx: _Ctx) -> list[str]:
    """CTEs first, each as a named intermediate result; recursive ones as start step + repeated step."""
    out = []
    for i, cte in enumerate(with_.expressions):
        name, body = cte.alias, cte.this
        ctx.ctes.add(name)
        first = "먼저" if i == 0 else "다음으로"
        loops = (
            with_.args.get("recursive")
            and isinstance(body, exp.Union)
            and any(t.name == name for t in body.expression.find_all(exp.Table))
        )
        if loops:
            out.append(f"{first} {with_particle(name, '이라는/라는')} 중간 결과를 반복(재귀) 방식으로 만듭니다.")
            out += [f"[{name} 시작] {line}" for line in _query(body.this, ctx.child())]
            out += [f"[{name} 반복] {line}" for line in _query(body.expression, ctx.child())]
            out.append(f"[{name}] 반복 단계에서 새 행이 더 나오지 않을 때까지 되풀이하며 모든 행을 합칩니다.")
        else:
            out.append(f"{first} {with_particle(name, '이라는/라는')} 중간 결과를 만듭니다.")
            out += [f"[{name}] {line}" for line in _query(body, ctx.child())]
    return out + ["이제 중간 결과를 이용해 최종 결과를 만듭니다."]


def _query(node: exp.Expr, ctx: _Ctx) -> list[str]:
    """Any query node: WITH first, then the SELECT, set operation or parenthesised query."""
    out = []
    with_ = node.args.get("with_")
    if with_ is not None:
        out += _with(with_, ctx)
    if isinstance(node, exp.Subquery):
        return out + _query(node.this, ctx) + _order_clause(node, ctx)
    if isinstance(node, exp.Select):
        return out + _select(node, ctx)
    if isinstance(node, exp.SetOperation):
        return out + _set_operation(node, ctx)
    return out + [UNSUPPORTED.format(_sql(node, ctx, 60))]


def explain(sql: str, dialect: str = "duckdb", labels: Mapping[str, str] | None = None) -> list[str]:
    """Korean sentences describing the query; never raises (falls back to a generic sentence).

    Built from the parsed tree rather than by a model, so what users read is what the SQL does.
    ``labels`` maps ``table`` and ``table.column`` to Korean descriptions (short forms are used).
    """
    if not isinstance(sql, str) or not sql.strip():
        return [EMPTY]
    dialect = DIALECTS.get(dialect, dialect)  # backend name (postgresql) -> sqlglot dialect
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except Exception:  # ParseError, TokenError, unknown dialect, deep recursion
        return [UNPARSABLE]
    if not statements:
        return [EMPTY]
    if len(statements) > 1:
        return [MANY_STATEMENTS]
    tree = statements[0]
    if not isinstance(tree, exp.Query) or any(type(n).__name__ in _WRITES for n in tree.walk()):
        return [NOT_A_QUERY]
    try:
        ctx = _Ctx(dialect, {str(k): short_label(v) for k, v in (labels or {}).items()})  # shortened once
        return _query(tree, ctx) or [UNSUPPORTED.format(sql.strip()[:80])]
    except Exception:
        return [UNSUPPORTED.format(" ".join(sql.split())[:80])]
