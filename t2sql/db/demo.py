"""Deterministic sample DuckDB databases with Korean data: ``shop``, ``marketing`` and ``game``.

They let the app be tried, demoed and evaluated without a real database. Fixed seeds make every build
identical in content, so evaluation questions keep the same answers. Only the standard library is
imported at module level because the CLI imports this module on its fast path; numpy, pandas and
duckdb are loaded only when a database is actually built.

All times are generated as integer seconds (or day numbers) counted from 2023-01-01 00:00:00 and
stay within 2023-01-01 .. 2025-12-31.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from t2sql.db.korean_names import EMAIL_DOMAINS, EMAIL_WORDS, GIVEN_FIRST, GIVEN_LAST, REGIONS, SURNAMES
from t2sql.errors import T2SQLError

SAMPLE_NAMES: tuple[str, ...] = ("shop", "marketing", "game")
SAMPLE_TITLES = {"shop": "shop · 온라인 쇼핑몰", "marketing": "marketing · 마케팅 캠페인", "game": "game · 모바일 게임"}

_SEEDS = {"shop": 20230101, "marketing": 20230102, "game": 20230103}
_DAY = 86_400
_NDAYS = 1096  # 2023-01-01 .. 2025-12-31
_END = _NDAYS * _DAY - 1  # 2025-12-31 23:59:59
_HOURS = (3, 2, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 7, 6, 6, 6, 6, 6, 7, 8, 9, 10, 9, 6)  # activity by hour of day


# ---------------------------------------------------------------------------------------------- public API


def sample_path(sample_dir: Path, name: str) -> Path:
    """Where the sample database ``name`` lives inside ``sample_dir``."""
    return Path(sample_dir) / f"{name}.duckdb"


def build_samples(
    sample_dir: Path,
    names: Iterable[str] | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Path]:
    """Build the named sample databases (default: all): missing ones, or every one when ``force``."""
    names = SAMPLE_NAMES if names is None else tuple(names)
    unknown = [n for n in names if n not in SAMPLE_NAMES]
    if unknown:
        raise T2SQLError(f"알 수 없는 샘플 데이터베이스입니다: {', '.join(unknown)} (가능: {', '.join(SAMPLE_NAMES)})")
    Path(sample_dir).mkdir(parents=True, exist_ok=True)
    paths = {}
    for name in names:
        paths[name] = sample_path(sample_dir, name)
        if force or not paths[name].exists():
            _build(name, paths[name], progress or (lambda _message: None))
    return paths


def ensure_samples(sample_dir: Path, progress: Callable[[str], None] | None = None) -> dict[str, Path]:
    """All sample databases, building only the ones that are missing (cheap when they all exist)."""
    return build_samples(sample_dir, progress=progress)


# ---------------------------------------------------------------------------------------------- building


def _build(name: str, path: Path, progress: Callable[[str], None]) -> None:
    """Write into a temporary file and move it into place only when complete, so a crash never leaves a
    half-built database behind (and an existing one stays intact)."""
    import numpy as np  # numpy: kept off the start-up path of `sql`

    started = time.perf_counter()
    progress(f"샘플 데이터베이스 '{name}' 생성 중…")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    _discard(tmp)
    try:
        tables = _BUILDERS[name](np.random.default_rng(_SEEDS[name]))
        import duckdb  # duckdb: only when a sample is built (see the module docstring)

        con = duckdb.connect(str(tmp))
        try:
            for table, columns, *frames in tables:
                progress(f"  {name}.{table}: {sum(map(len, frames)):,}행")
                con.execute(f"CREATE TABLE {table} ({columns})")
                for frame in frames:  # several frames when a table references itself (parents go first)
                    con.register("_frame", frame)
                    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _frame")
                    con.unregister("_frame")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        _discard(path, data=False)  # a stale WAL would be replayed onto the new file
        os.replace(tmp, path)
    finally:
        _discard(tmp)
    progress(f"샘플 데이터베이스 '{name}' 완료 ({time.perf_counter() - started:.1f}초)")


def _discard(path: Path, data: bool = True) -> None:
    """Remove a database file (when ``data``) and its write-ahead log, if present."""
    for p in ((path,) if data else ()) + (path.with_name(path.name + ".wal"),):
        p.unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------- helpers


def _pick(rng, values, n, weights=None):
    """``n`` draws from ``values``; ``weights`` need not be normalised."""
    import numpy as np  # numpy: kept off the start-up path of `sql`

    values = np.asarray(values)
    p = None if weights is None else np.asarray(weights, float) / np.sum(weights)
    return values[rng.choice(len(values), n, p=p)]


def _day_weights(growth=0.0, months=None, weekend=1.0, spikes=()):
    """Weight per day: linear growth, month-of-year seasonality, weekend factor and decaying spikes
    given as (day, height, decay days) for launches and updates."""
    import numpy as np  # numpy: kept off the start-up path of `sql`

    d = np.arange(_NDAYS)
    w = 1 + growth * d / _NDAYS
    if months is not None:
        w = w * np.asarray(months)[_month(d) - 1]
    w = w * np.where(_weekday(d) >= 5, weekend, 1.0)
    for day, height, decay in spikes:
        w = w + np.where(d >= day, height * np.exp(-(d - day) / decay), 0)
    return w


def _days(rng, n, weights):
    """``n`` day numbers drawn with the given per-day weights."""
    return _pick(rng, range(_NDAYS), n, weights)


def _stamp(rng, days):
    """Seconds of a realistic time of day (evening-heavy) on each of ``days``."""
    n = len(days)
    return days * _DAY + _pick(rng, range(24), n, _HOURS) * 3600 + rng.integers(0, 3600, n)


def _weekday(days):
    return (days + 6) % 7  # 2023-01-01 was a Sunday; Monday = 0


def _month(days):
    return _date(days).astype("datetime64[M]").astype(int) % 12 + 1


def _date(days):
    import numpy as np  # numpy: kept off the start-up path of `sql`

    return np.datetime64("2023-01-01") + np.asarray(days, "int64").astype("timedelta64[D]")


def _ts(secs):
    import numpy as np  # numpy: kept off the start-up path of `sql`

    return np.datetime64("2023-01-01T00:00:00", "s") + np.asarray(secs, "int64").astype("timedelta64[s]")


def _null(values, mask):
    """``values`` with NULL where ``mask`` holds (nullable integers, NaT timestamps, None text)."""
    import numpy as np  # numpy: kept off the start-up path of `sql`
    import pandas as pd  # pandas: kept off the start-up path of `sql`

    values, mask = np.asarray(values), np.asarray(mask, bool)
    if values.dtype.kind in "iu":
        return pd.arrays.IntegerArray(values.astype("int64"), mask)
    out = values.astype("datetime64[s]" if values.dtype.kind == "M" else object)
    out[mask] = None
    return out


def _pick_started(rng, starts, weights, times):
    """For each event time pick an owner that already existed (start <= time), proportionally to weight.
    Events earlier than every weighted owner move to that owner's start. Returns (owner, time)."""
    import numpy as np  # numpy: kept off the start-up path of `sql`

    order = np.argsort(starts, kind="stable")
    cum = np.cumsum(weights[order])
    k = np.maximum(np.searchsorted(starts[order], times, side="right"), np.searchsorted(cum, 0, side="right") + 1)
    owner = order[np.searchsorted(cum, rng.random(len(times)) * cum[k - 1], side="right")]
    return owner, np.maximum(times, starts[owner])


def _emails(rng, ids):
    """Unique e-mail addresses (the row id makes them unique)."""
    return (
        _pick(rng, EMAIL_WORDS, len(ids))
        + ids.astype(str)
        + "@"
        + _pick(rng, list(EMAIL_DOMAINS), len(ids), list(EMAIL_DOMAINS.values()))
    )


def _people(rng, ids, gender):
    """Korean full names (surname by real frequency, given name by gender), e-mails and 010 numbers."""
    import numpy as np  # numpy: kept off the start-up path of `sql`

    n = len(ids)
    last = np.where(gender == "남", _pick(rng, list(GIVEN_LAST["남"]), n), _pick(rng, list(GIVEN_LAST["여"]), n))
    name = _pick(rng, list(SURNAMES), n, list(SURNAMES.values())) + _pick(rng, list(GIVEN_FIRST), n) + last
    digits = np.char.zfill(rng.integers(0, 10_000, (2, n)).astype(str), 4)
    return name, _emails(rng, ids), "010-" + digits[0] + "-" + digits[1]


def _cities(rng, n):
    return _pick(rng, list(REGIONS), n, list(REGIONS.values()))


def _frame(**columns):
    import pandas as pd  # pandas: kept off the start-up path of `sql`

    return pd.DataFrame(columns)


def _ids(n):
    import numpy as np  # numpy: kept off the start-up path of `sql`

    return np.arange(1, n + 1)


# ---------------------------------------------------------------------------------------------- shop

_CATALOG = {  # top category -> leaf -> (product bases, modifiers, sizes, price range in 원); brands per top
    "패션": (
        {
            "여성의류": (
                "원피스,블라우스,니트,가디건,슬랙스,트렌치코트,롱스커트",
                "린넨,오버핏,베이직,플리츠,울,크롭",
                "",
                (19_000, 159_000),
            ),
            "남성의류": (
                "셔츠,맨투맨,후드티,청바지,블레이저,패딩 점퍼",
                "오버핏,슬림핏,기모,데님,코튼,경량",
                "",
                (19_000, 199_000),
            ),
            "신발": ("운동화,스니커즈,로퍼,샌들,슬리퍼,첼시부츠", "쿠션,가죽,캔버스,경량,방수", "", (29_000, 189_000)),
        },
        "모노웨어,어반핏,데일리룩,소프트코튼",
    ),
    "뷰티": (
        {
            "스킨케어": (
                "수분크림,토너,에센스,선크림,클렌징폼,앰플",
                "히알루론산,시카,저자극,비타민,어성초",
                "30ml,50ml,150ml",
                (9_900, 49_000),
            ),
            "메이크업": (
                "쿠션 팩트,립틴트,아이섀도 팔레트,마스카라,파운데이션",
                "촉촉,매트,롱래스팅,글로우,커버",
                "",
                (8_900, 45_000),
            ),
        },
        "라온뷰티,퓨어랩,글로우데이,미세린",
    ),
    "식품": (
        {
            "신선식품": (
                "사과,감귤,삼겹살,한우 등심,전복,방울토마토,고구마",
                "국내산,산지직송,프리미엄,특등급,실속형",
                "500g,1kg,2kg,5kg",
                (9_900, 89_000),
            ),
            "가공식품": (
                "아몬드,견과 믹스,그래놀라,원두커피,현미,귀리,호두",
                "유기농,무첨가,볶음,저당,프리미엄",
                "500g,1kg,2kg",
                (4_900, 39_000),
            ),
            "건강식품": (
                "종합비타민,오메가3,유산균,루테인,비타민D,마그네슘",
                "고함량,어린이,식물성,프리미엄,데일리",
                "30정,60정,90정,120정",
                (12_900, 89_000),
            ),
        },
        "그린팜,바른식탁,한결푸드,자연담은",
    ),
    "가전·디지털": (
        {
            "음향기기": (
                "블루투스 이어폰,헤드폰,블루투스 스피커,사운드바,넥밴드 이어폰",
                "무선,노이즈캔슬링,초경량,방수,프리미엄",
                "",
                (19_000, 399_000),
            ),
            "주방가전": (
                "에어프라이어,전기밥솥,커피머신,블렌더,전기포트,식기세척기",
                "대용량,스마트,미니,스테인리스,저소음",
                "",
                (29_000, 890_000),
            ),
            "컴퓨터·주변기기": (
                "기계식 키보드,무선 마우스,27인치 모니터,USB 허브,노트북 거치대,외장 SSD",
                "게이밍,사무용,저소음,휴대용,고속",
                "",
                (12_900, 459_000),
            ),
        },
        "하이텍,스마트온,소리샘,키친플러스",
    ),
    "생활용품": (
        {
            "욕실용품": (
                "샴푸,바디워시,핸드워시,컨디셔너,바디로션",
                "약산성,탈모케어,무향,천연,리필형",
                "300ml,500ml,1L",
                (3_900, 29_000),
            ),
            "주방용품": (
                "프라이팬,냄비 세트,밀폐용기,도마,텀블러",
                "인덕션,스테인리스,논스틱,항균,세라믹",
                "",
                (6_900, 119_000),
            ),
        },
        "홈앤리빙,깨끗한날,살림공방",
    ),
    "스포츠·레저": (
        {
            "캠핑": (
                "원터치 텐트,캠핑 의자,침낭,캠핑 랜턴,아이스박스",
                "초경량,방수,대형,접이식,프리미엄",
                "",
                (19_000, 390_000),
            ),
            "피트니스": (
                "요가매트,덤벨 세트,폼롤러,저항 밴드,실내 자전거",
                "미끄럼방지,가정용,고밀도,초보자용,프로",
                "",
                (9_900, 290_000),
            ),
        },
        "아웃도어랩,핏메이트,캠프원",
    ),
    "도서": (
        {
            "소설·에세이": (
                "서점,편지,정원,여행,계절,도서관,식탁",
                "달빛,여름,기억,고양이,바다,작은,마지막",
                "",
                (12_000, 19_800),
            ),
            "자기계발": (
                "기술,법칙,힘,원칙,심리학,태도",
                "부의,습관의,말하기의,일의,시간의,관계의",
                "",
                (14_000, 22_000),
            ),
        },
        "한빛책방,푸른숲출판,새벽출판사",
    ),
}
_COUPONS = (  # code, title, valid (month, day) from/to within each year, discount type, value, minimum order
    ("WELCOME", "신규가입 환영", (1, 1), (12, 31), "정률", 10, 0),
    ("APP", "앱 첫 구매", (1, 1), (12, 31), "정액", 5_000, 25_000),
    ("VIP", "VIP 전용", (1, 1), (12, 31), "정률", 15, 100_000),
    ("SPRING", "봄맞이", (3, 1), (4, 30), "정률", 15, 30_000),
    ("FAMILY", "가정의 달", (5, 1), (5, 31), "정액", 5_000, 30_000),
    ("THANKS", "재구매 감사", (6, 1), (6, 30), "정률", 5, 0),
    ("SUMMER", "여름 특가", (7, 1), (8, 31), "정액", 3_000, 20_000),
    ("CHUSEOK", "추석 선물", (9, 1), (9, 30), "정액", 10_000, 50_000),
    ("BLACKFRI", "블랙프라이데이", (11, 20), (11, 30), "정률", 20, 50_000),
    ("XMAS", "연말 감사", (12, 1), (12, 31), "정률", 10, 30_000),
)
_REVIEW_TEXT = (  # (main sentences, optional closing sentences) for ratings 1-2, 3 and 4-5
    (
        (
            "생각보다 품질이 별로예요.",
            "배송이 너무 늦었어요.",
            "사진과 색상이 달라요.",
            "포장이 엉망이었어요.",
            "금방 고장 났어요.",
        ),
        ("다시는 안 살 것 같아요.", "교환 요청했습니다.", "실망이에요."),
    ),
    (
        ("그냥 무난해요.", "가격 생각하면 괜찮은 편이에요.", "기대만큼은 아니에요.", "보통이에요."),
        ("그럭저럭 쓸 만해요.", "배송은 빨랐어요."),
    ),
    (
        (
            "배송이 빠르고 상품도 좋아요.",
            "가격 대비 품질이 훌륭해요.",
            "선물용으로 샀는데 만족합니다.",
            "사진이랑 똑같아요.",
            "품질이 정말 좋아요.",
        ),
        ("재구매 의사 있어요!", "추천합니다.", "다음에 또 살게요.", "부모님도 좋아하세요."),
    ),
)
_PAYMENTS = {"카드": 45, "카카오페이": 20, "네이버페이": 18, "계좌이체": 10, "휴대폰결제": 7}
_REFUND_REASONS = {
    "단순 변심": 35,
    "상품 불량": 25,
    "상품 정보 상이": 12,
    "배송 지연": 10,
    "오배송": 10,
    "사이즈 안 맞음": 8,
}


def _shop(rng):
    """Online shop: categories, customers, products, coupons, orders, order_items, reviews, refunds."""
    import numpy as np  # numpy: kept off the start-up path of `sql`

    # categories: the self-referencing parent_id needs the top level inserted before the leaves
    tops = list(_CATALOG)
    leaves = [(leaf, top, spec) for top, (subs, _) in _CATALOG.items() for leaf, spec in subs.items()]
    leaf_ids = len(tops) + _ids(len(leaves))

    # products: 60 % in the launch catalogue on 2023-01-01, the rest added over time
    parts = []
    counts = rng.multinomial(500, [1 / len(leaves)] * len(leaves))
    for cat_id, (_, top, (bases, mods, sizes, (lo, hi))), k in zip(leaf_ids, leaves, counts):
        label = _pick(rng, mods.split(","), k) + " " + _pick(rng, bases.split(","), k)  # e.g. 유기농 아몬드 1kg
        if sizes:
            label = label + " " + _pick(rng, sizes.split(","), k)
        price = (np.ceil(np.exp(rng.uniform(np.log(lo), np.log(hi), k)) / 1000) * 1000 - 100).astype(np.int64)  # 29,900
        parts.append((label, np.full(k, cat_id), _pick(rng, _CATALOG[top][1].split(","), k), price))
    p_name, p_cat, p_brand, price = (np.concatenate(c) for c in zip(*parts))
    n_prod = len(price)
    created = np.where(rng.random(n_prod) < 0.6, 0, _stamp(rng, rng.integers(1, _NDAYS - 30, n_prod)))
    order = np.argsort(created, kind="stable")
    p_name, p_cat, p_brand, price, created = p_name[order], p_cat[order], p_brand[order], price[order], created[order]
    active = rng.random(n_prod) < 0.93
    popularity = (1 + rng.permutation(n_prod)) ** -0.9 / np.sqrt(price)  # Zipf-like, cheaper items sell more

    # customers: a grand-opening wave, then growing signups; order activity is Pareto-like, a quarter never order
    n_cust = 5_000
    signup_day = np.sort(_days(rng, n_cust, _day_weights(growth=1.2, spikes=((0, 30, 20),))))
    signup = _stamp(rng, signup_day)
    activity = np.minimum(rng.pareto(1.3, n_cust) + 1, 40) * (rng.random(n_cust) > 0.25)
    gender = _null(_pick(rng, ["여", "남"], n_cust, [60, 40]), rng.random(n_cust) < 0.06)
    city = _cities(rng, n_cust)

    # orders: volume follows the signed-up customer base with seasonality (November/December peaks)
    n_ord = 40_000
    months = (1.0, 0.85, 0.95, 0.95, 1.05, 0.95, 1.0, 0.95, 1.1, 1.0, 1.35, 1.25)
    base = np.cumsum(np.bincount(signup_day, activity, _NDAYS))
    when = np.sort(_stamp(rng, _days(rng, n_ord, base * _day_weights(months=months, weekend=0.9))))
    cust, when = _pick_started(rng, signup, activity, when)
    order = np.argsort(when, kind="stable")
    cust, when = cust[order], when[order]

    item_order = np.repeat(np.arange(n_ord), 1 + np.minimum(rng.poisson(1.5, n_ord), 7))
    product, _ = _pick_started(rng, created, popularity, when[item_order])
    qty = _pick(rng, [1, 2, 3, 4, 5], len(item_order), [78, 14, 5, 2, 1])
    subtotal = np.rint(np.bincount(item_order, qty * price[product], n_ord)).astype(np.int64)

    age = _END - when
    status = np.where(
        age < 2 * _DAY,
        "결제완료",
        np.where(age < 5 * _DAY, "배송중", _pick(rng, ["배송완료", "취소", "환불"], n_ord, [90.5, 4.5, 5])),
    )

    years = (2023, 2024, 2025)
    coupons = [
        (
            f"{code}{y % 100}",
            f"{y} {title} " + (f"{v}% 할인" if kind == "정률" else f"{v:,}원 할인"),
            kind,
            v,
            floor,
            np.datetime64(f"{y}-{a[0]:02d}-{a[1]:02d}"),
            np.datetime64(f"{y}-{b[0]:02d}-{b[1]:02d}"),
        )
        for y in years
        for code, title, a, b, kind, v, floor in _COUPONS
    ]
    c_code, c_name, c_kind, c_value, c_min, c_from, c_to = (np.array(c) for c in zip(*coupons))
    day = (when // _DAY)[:, None]
    valid = (_date(0) + day <= c_to) & (_date(0) + day >= c_from) & (c_min <= subtotal[:, None])
    coupon = np.where(valid, rng.random(valid.shape), -1).argmax(1)
    used = valid.any(1) & (rng.random(n_ord) < 0.25)
    rate_off = subtotal * c_value[coupon] // 1000 * 10  # percent off, rounded down to 10 원
    discount = np.where(used, np.where(c_kind[coupon] == "정률", rate_off, c_value[coupon]), 0)
    ship_city = np.where(rng.random(n_ord) < 0.92, city[cust], _cities(rng, n_ord))
    fee = np.where(subtotal - discount < 30_000, 3_000, 0) + np.where(ship_city == "제주", 3_000, 0)
    total = subtotal - discount + fee

    paid = ~np.isin(status, ["취소", "환불"])
    spend = np.bincount(cust, np.where(paid, total, 0), n_cust)
    grade = np.select([spend >= 5_000_000, spend >= 2_000_000, spend >= 800_000], ["VIP", "골드", "실버"], "일반")
    last_seen = signup.copy()
    np.maximum.at(last_seen, cust, when)
    last_login = np.minimum(last_seen + rng.exponential(20 * _DAY, n_cust).astype(np.int64), _END)
    name, email, phone = _people(rng, _ids(n_cust), gender)

    # reviews: about one in six delivered items, 2-20 days after the order, ratings skewed high
    cand = np.flatnonzero((status[item_order] == "배송완료") & (rng.random(len(item_order)) < 0.175))
    r_when = when[item_order[cand]] + rng.integers(2 * _DAY, 21 * _DAY, len(cand))
    order = np.argsort(r_when, kind="stable")[: (r_when <= _END).sum()]
    cand, r_when = cand[order], r_when[order]
    n_rev = len(cand)
    rating = _pick(rng, [1, 2, 3, 4, 5], n_rev, [4, 4, 10, 25, 57])
    bucket = np.select([rating <= 2, rating == 3], [0, 1], 2)
    content = np.empty(n_rev, object)
    for b, (main, closing) in enumerate(_REVIEW_TEXT):
        m = bucket == b
        text = _pick(rng, main, m.sum())
        content[m] = np.where(rng.random(m.sum()) < 0.4, text + " " + _pick(rng, closing, m.sum()), text)
    content[rng.random(n_rev) < 0.22] = None

    # refunds: exactly the orders whose status is 환불; most full, some partial
    ref = np.flatnonzero(status == "환불")
    n_ref = len(ref)
    amount = np.where(rng.random(n_ref) < 0.8, total[ref], np.round(total[ref] * rng.uniform(0.2, 0.8, n_ref), -2))
    requested = np.minimum(when[ref] + rng.integers(_DAY, 10 * _DAY, n_ref), _END)
    done = requested + rng.integers(_DAY // 2, 7 * _DAY, n_ref)
    order = np.argsort(requested, kind="stable")

    return [
        (
            "categories",
            "category_id INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
            "parent_id INTEGER REFERENCES categories (category_id)",
            _frame(category_id=_ids(len(tops)), name=tops),
            _frame(
                category_id=leaf_ids,
                name=[leaf for leaf, _, _ in leaves],
                parent_id=[tops.index(top) + 1 for _, top, _ in leaves],
            ),
        ),
        (
            "customers",
            "customer_id INTEGER PRIMARY KEY, name VARCHAR NOT NULL, email VARCHAR NOT NULL UNIQUE, "
            "phone VARCHAR, gender VARCHAR, birth_year INTEGER, city VARCHAR NOT NULL, grade VARCHAR NOT NULL, "
            "signup_date DATE NOT NULL, marketing_opt_in BOOLEAN NOT NULL, password_hash VARCHAR NOT NULL, "
            "last_login_at TIMESTAMP",
            _frame(
                customer_id=_ids(n_cust),
                name=name,
                email=email,
                phone=_null(phone, rng.random(n_cust) < 0.03),
                gender=gender,
                birth_year=_null(
                    np.clip(rng.normal(1987, 11, n_cust), 1950, 2007).astype(int), rng.random(n_cust) < 0.07
                ),
                city=city,
                grade=grade,
                signup_date=_date(signup_day),
                marketing_opt_in=rng.random(n_cust) < 0.45,
                password_hash=[row.tobytes().hex() for row in rng.integers(0, 256, (n_cust, 32), np.uint8)],
                last_login_at=_null(_ts(last_login), rng.random(n_cust) < 0.1),
            ),
        ),
        (
            "products",
            "product_id INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
            "category_id INTEGER NOT NULL REFERENCES categories (category_id), brand VARCHAR, price INTEGER NOT NULL, "
            "cost INTEGER NOT NULL, stock_qty INTEGER NOT NULL, is_active BOOLEAN NOT NULL, "
            "created_at TIMESTAMP NOT NULL",
            _frame(
                product_id=_ids(n_prod),
                name=p_name,
                category_id=p_cat,
                brand=_null(p_brand, rng.random(n_prod) < 0.04),
                price=price,
                cost=(price * rng.uniform(0.45, 0.75, n_prod)).astype(np.int64) // 10 * 10,
                stock_qty=np.where(active & (rng.random(n_prod) > 0.05), rng.integers(1, 800, n_prod), 0),
                is_active=active,
                created_at=_ts(created),
            ),
        ),
        (
            "coupons",
            "coupon_id INTEGER PRIMARY KEY, code VARCHAR NOT NULL UNIQUE, name VARCHAR NOT NULL, "
            "discount_type VARCHAR NOT NULL, discount_value INTEGER NOT NULL, min_order_amount INTEGER NOT NULL, "
            "valid_from DATE NOT NULL, valid_to DATE NOT NULL",
            _frame(
                coupon_id=_ids(len(c_code)),
                code=c_code,
                name=c_name,
                discount_type=c_kind,
                discount_value=c_value,
                min_order_amount=c_min,
                valid_from=c_from,
                valid_to=c_to,
            ),
        ),
        (
            "orders",
            "order_id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers (customer_id), "
            "order_date TIMESTAMP NOT NULL, status VARCHAR NOT NULL, payment_method VARCHAR NOT NULL, "
            "coupon_id INTEGER REFERENCES coupons (coupon_id), total_amount INTEGER NOT NULL, "
            "discount_amount INTEGER NOT NULL, shipping_fee INTEGER NOT NULL, shipping_city VARCHAR NOT NULL",
            _frame(
                order_id=_ids(n_ord),
                customer_id=cust + 1,
                order_date=_ts(when),
                status=status,
                payment_method=_pick(rng, list(_PAYMENTS), n_ord, list(_PAYMENTS.values())),
                coupon_id=_null(coupon + 1, ~used),
                total_amount=total,
                discount_amount=discount,
                shipping_fee=fee,
                shipping_city=ship_city,
            ),
        ),
        (
            "order_items",
            "order_item_id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders (order_id), "
            "product_id INTEGER NOT NULL REFERENCES products (product_id), quantity INTEGER NOT NULL, "
            "unit_price INTEGER NOT NULL",
            _frame(
                order_item_id=_ids(len(item_order)),
                order_id=item_order + 1,
                product_id=product + 1,
                quantity=qty,
                unit_price=price[product],
            ),
        ),
        (
            "reviews",
            "review_id INTEGER PRIMARY KEY, product_id INTEGER NOT NULL REFERENCES products (product_id), "
            "customer_id INTEGER NOT NULL REFERENCES customers (customer_id), "
            "order_id INTEGER NOT NULL REFERENCES orders (order_id), "
            "rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5), "
            "content VARCHAR, created_at TIMESTAMP NOT NULL",
            _frame(
                review_id=_ids(n_rev),
                product_id=product[cand] + 1,
                customer_id=cust[item_order[cand]] + 1,
                order_id=item_order[cand] + 1,
                rating=rating,
                content=content,
                created_at=_ts(r_when),
            ),
        ),
        (
            "refunds",
            "refund_id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders (order_id), "
            "amount INTEGER NOT NULL, reason VARCHAR NOT NULL, requested_at TIMESTAMP NOT NULL, completed_at TIMESTAMP",
            _frame(
                refund_id=_ids(n_ref),
                order_id=ref[order] + 1,
                amount=amount[order].astype(np.int64),
                reason=_pick(rng, list(_REFUND_REASONS), n_ref, list(_REFUND_REASONS.values())),
                requested_at=_ts(requested[order]),
                completed_at=_null(_ts(done[order]), (done[order] > _END) | (rng.random(n_ref) < 0.03)),
            ),
        ),
    ]


# ---------------------------------------------------------------------------------------------- marketing

_CHANNELS = (  # name, type, billing model, cost per 1,000 impressions (원), CTR range, weight
    ("네이버 검색광고", "검색", "CPC", 9_000, (0.025, 0.05), 14),
    ("구글 애즈", "검색", "CPC", 8_000, (0.02, 0.045), 10),
    ("카카오 모먼트", "디스플레이", "CPM", 2_500, (0.003, 0.008), 9),
    ("구글 디스플레이 네트워크", "디스플레이", "CPM", 1_800, (0.003, 0.006), 6),
    ("메타", "소셜", "CPM", 5_000, (0.008, 0.016), 12),
    ("인스타그램", "소셜", "CPM", 5_500, (0.006, 0.014), 9),
    ("틱톡", "소셜", "CPM", 4_000, (0.005, 0.012), 6),
    ("유튜브", "동영상", "CPV", 6_000, (0.004, 0.01), 10),
    ("이메일", "CRM", "발송 건당", 1_000, (0.02, 0.04), 8),
    ("문자(SMS)", "CRM", "발송 건당", 15_000, (0.01, 0.03), 6),
)
_THEMES = (
    "신년",
    "설 연휴",
    "봄",
    "봄 신학기",
    "가정의 달",
    "여름",
    "여름 휴가",
    "여름 휴가",
    "추석",
    "가을",
    "블랙프라이데이",
    "연말",
)
_PURPOSES = {  # campaign name suffix -> objective
    "신상품 런칭": "인지도",
    "브랜드 캠페인": "인지도",
    "기획전 트래픽": "트래픽",
    "리타겟팅": "전환",
    "구매 전환 프로모션": "전환",
    "회원가입 이벤트": "전환",
    "앱 설치 캠페인": "전환",
    "상담 신청 리드 수집": "리드",
    "무료 체험 리드": "리드",
}
_COMPANY = (
    "한빛,새솔,미래,다온,푸른,누리,대한,세움,이음,온누리",
    "소프트,테크,상사,물산,에듀,헬스케어,디자인,컨설팅,푸드,랩스",
)


def _marketing(rng):
    """Ad marketing: channels, campaigns, daily_ad_stats, leads, conversions; snapshot taken 2025-12-15."""
    import numpy as np  # numpy: kept off the start-up path of `sql`

    as_of = int((np.datetime64("2025-12-15") - _date(0)).astype(int))  # later campaigns are still 예정
    ch_name, ch_type, billing, cpm, ctr_range, ch_weight = (np.array(c) for c in zip(*_CHANNELS))

    n_camp = 150
    start = np.sort(np.concatenate([rng.integers(0, as_of - 7, n_camp - 5), rng.integers(as_of + 1, _NDAYS - 7, 5)]))
    end = np.minimum(start + _pick(rng, [14, 30, 31, 45, 60, 61, 90, 92, 120, 180, 181], n_camp) - 1, _NDAYS - 1)
    chan = _pick(rng, np.arange(len(ch_name)), n_camp, ch_weight)
    purpose = _pick(rng, list(_PURPOSES), n_camp)
    objective = np.array([_PURPOSES[p] for p in purpose])
    year = _date(start).astype("datetime64[Y]").astype(int) + 1970
    crm = ch_type[chan] == "CRM"
    days = end - start + 1
    budget = np.maximum(
        np.round(rng.lognormal(np.log(400_000), 0.6, n_camp) * np.where(crm, 0.15, 1) * days, -5), 1_000_000
    ).astype(np.int64)
    paused = (start <= as_of) & (end >= as_of) & (rng.random(n_camp) < 0.2)
    status = np.select([start > as_of, end < as_of, paused], ["예정", "종료", "일시중지"], "진행중")
    name = year.astype(str) + " " + np.array(_THEMES)[_month(start) - 1] + " " + purpose  # e.g. 2024 봄 신상품 런칭
    team = np.where(crm, "CRM팀", np.where(objective == "인지도", "브랜드마케팅팀", "퍼포먼스마케팅팀"))

    # one stats row per campaign and active day, up to the snapshot (or the day a campaign was paused)
    last = np.where(paused, rng.integers(np.minimum(start, as_of), as_of + 1), np.minimum(end, as_of))
    length = np.maximum(last - start + 1, 0)
    camp = np.repeat(np.arange(n_camp), length)
    day = start[camp] + np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length)
    n_stat = len(day)
    spend = np.rint(
        budget[camp] / days[camp] * rng.lognormal(0, 0.25, n_stat) * np.where(_weekday(day) >= 5, 0.85, 1)
    ).astype(np.int64)
    impressions = np.maximum(spend / cpm[chan[camp]] * 1000 * rng.lognormal(0, 0.2, n_stat), 1).astype(np.int64)
    ctr = rng.uniform(ctr_range[chan, 0], ctr_range[chan, 1])[camp] * rng.lognormal(0, 0.15, n_stat)
    clicks = rng.binomial(impressions, np.clip(ctr, 0.003, 0.05))

    # leads arrive with clicks, mostly from lead-generation campaigns; status follows their age
    factor = {"리드": 8, "전환": 2, "트래픽": 1, "인지도": 0.3}
    n_lead = 20_000
    row = _pick(rng, np.arange(n_stat), n_lead, clicks * np.vectorize(factor.get)(objective[camp]))
    l_when = _stamp(rng, day[row])
    order = np.argsort(l_when, kind="stable")
    row, l_when = row[order], l_when[order]
    age = as_of - day[row]
    l_status = np.select(
        [age < 3, age < 14],
        [
            _pick(rng, ["신규", "연락중"], n_lead, [7, 3]),
            _pick(rng, ["신규", "연락중", "적격", "부적격"], n_lead, [2, 5, 1.5, 1.5]),
        ],
        _pick(rng, ["연락중", "적격", "부적격", "전환"], n_lead, [5, 30, 52, 13]),
    )
    l_name, email, phone = _people(rng, _ids(n_lead), _pick(rng, ["남", "여"], n_lead))
    company = (
        np.where(rng.random(n_lead) < 0.5, "(주)", "")
        + _pick(rng, _COMPANY[0].split(","), n_lead)
        + _pick(rng, _COMPANY[1].split(","), n_lead)
    )

    # conversions: converted leads (days later) plus direct conversions without a lead
    won = np.flatnonzero(l_status == "전환")
    won_camp = camp[row[won]]
    direct = _pick(rng, np.arange(n_stat), 5_000 - len(won), clicks * np.where(objective[camp] == "전환", 4, 0.5))
    c_lead = np.concatenate([won + 1, np.zeros(len(direct), np.int64)])
    c_camp = np.concatenate([won_camp, camp[direct]])
    c_when = np.concatenate(
        [
            np.minimum(
                l_when[won] + 600 + rng.exponential(5 * _DAY, len(won)).astype(np.int64), (as_of + 1) * _DAY - 1
            ),
            _stamp(rng, day[direct]),
        ]
    )
    c_type = np.concatenate(
        [
            np.where(
                objective[won_camp] == "리드",
                _pick(rng, ["상담신청", "구매"], len(won), [8, 2]),
                _pick(rng, ["회원가입", "구매"], len(won), [6, 4]),
            ),
            _pick(rng, ["구매", "앱설치", "회원가입"], len(direct), [55, 25, 20]),
        ]
    )
    order = np.argsort(c_when, kind="stable")
    n_conv = len(order)
    revenue = _null(np.round(rng.lognormal(np.log(55_000), 0.7, n_conv), -2).astype(np.int64), c_type[order] != "구매")

    return [
        (
            "channels",
            "channel_id INTEGER PRIMARY KEY, name VARCHAR NOT NULL, channel_type VARCHAR NOT NULL, "
            "billing_model VARCHAR NOT NULL",
            _frame(channel_id=_ids(len(ch_name)), name=ch_name, channel_type=ch_type, billing_model=billing),
        ),
        (
            "campaigns",
            "campaign_id INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
            "channel_id INTEGER NOT NULL REFERENCES channels (channel_id), objective VARCHAR NOT NULL, "
            "start_date DATE NOT NULL, end_date DATE NOT NULL, budget BIGINT NOT NULL, status VARCHAR NOT NULL, "
            "owner_team VARCHAR NOT NULL",
            _frame(
                campaign_id=_ids(n_camp),
                name=name,
                channel_id=chan + 1,
                objective=objective,
                start_date=_date(start),
                end_date=_date(end),
                budget=budget,
                status=status,
                owner_team=team,
            ),
        ),
        (
            "daily_ad_stats",
            "stat_id INTEGER PRIMARY KEY, campaign_id INTEGER NOT NULL REFERENCES campaigns (campaign_id), "
            "stat_date DATE NOT NULL, spend INTEGER NOT NULL, impressions INTEGER NOT NULL, clicks INTEGER NOT NULL, "
            "UNIQUE (campaign_id, stat_date)",
            _frame(
                stat_id=_ids(n_stat),
                campaign_id=camp + 1,
                stat_date=_date(day),
                spend=spend,
                impressions=impressions,
                clicks=clicks,
            ),
        ),
        (
            "leads",
            "lead_id INTEGER PRIMARY KEY, campaign_id INTEGER NOT NULL REFERENCES campaigns (campaign_id), "
            "name VARCHAR NOT NULL, email VARCHAR NOT NULL, phone VARCHAR, company_name VARCHAR, region VARCHAR, "
            "created_at TIMESTAMP NOT NULL, status VARCHAR NOT NULL",
            _frame(
                lead_id=_ids(n_lead),
                campaign_id=camp[row] + 1,
                name=l_name,
                email=email,
                phone=_null(phone, rng.random(n_lead) < 0.08),
                company_name=_null(company, rng.random(n_lead) < 0.6),
                region=_null(_cities(rng, n_lead), rng.random(n_lead) < 0.05),
                created_at=_ts(l_when),
                status=l_status,
            ),
        ),
        (
            "conversions",
            "conversion_id INTEGER PRIMARY KEY, lead_id INTEGER REFERENCES leads (lead_id), "
            "campaign_id INTEGER NOT NULL REFERENCES campaigns (campaign_id), conversion_type VARCHAR NOT NULL, "
            "revenue INTEGER, converted_at TIMESTAMP NOT NULL",
            _frame(
                conversion_id=_ids(n_conv),
                lead_id=_null(c_lead[order], c_lead[order] == 0),
                campaign_id=c_camp[order] + 1,
                conversion_type=c_type[order],
                revenue=revenue,
                converted_at=_ts(c_when[order]),
            ),
        ),
    ]


# ---------------------------------------------------------------------------------------------- game

_COUNTRIES = {"KR": 82, "JP": 6, "US": 4, "TW": 4, "TH": 2, "VN": 2}
_DEVICES = {
    "iOS": ("iPhone 13", "iPhone 14", "iPhone 15", "iPhone 15 Pro", "iPhone 16", "iPad Air"),
    "Android": (
        "Galaxy S23",
        "Galaxy S24",
        "Galaxy S24 Ultra",
        "Galaxy A54",
        "Galaxy Z Flip5",
        "Galaxy Z Fold5",
        "Pixel 8",
        "Galaxy Tab S9",
    ),
}
_NICK = (
    "용감한,빛나는,졸린,배고픈,무적의,귀여운,행복한,어둠의,신속한,조용한,불타는,얼음",
    "호랑이,고양이,기사,마법사,드래곤,궁수,전사,토끼,늑대,판다,닌자,용사",
)
_RARITY = {"일반": ("견습생의", 1_100), "희귀": ("정예", 5_500), "영웅": ("영웅의", 22_000), "전설": ("전설의", 55_000)}
_GEAR = {"무기": "검,활,지팡이,도끼,창,단검", "방어구": "갑옷,투구,방패,장화,망토,장갑"}
_SHOP_ITEMS = (  # item type -> (name, rarity, price in 원)
    (
        "소모품",
        "체력 물약 세트:일반:1100,마나 물약 세트:일반:1100,경험치 부스터:희귀:3300,골드 부스터:희귀:3300,"
        "부활 주문서:희귀:2200,강화석 묶음:희귀:5500,스태미나 충전권:일반:1100,뽑기권 1회:희귀:3300,"
        "뽑기권 10회:영웅:33000,닉네임 변경권:일반:5500,가방 확장권:희귀:4400,펫 먹이 세트:일반:1100,"
        "순간이동 주문서:일반:1100,보호 주문서:영웅:11000,합성 촉매제:영웅:8800,우정 포인트 상자:일반:1100",
    ),
    (
        "재화",
        "다이아 60개:일반:1200,다이아 330개:일반:5900,다이아 680개:희귀:12000,다이아 1400개:희귀:25000,"
        "다이아 3000개:영웅:49000,다이아 6500개:전설:99000,월정액 패스:희귀:5500,시즌 패스:희귀:11000,"
        "프리미엄 시즌 패스:영웅:33000,성장 지원 패키지:영웅:22000,"
        "초보자 패키지:일반:3300,한정 특가 패키지:전설:119000",
    ),
)
_COSTUMES = (
    "벚꽃 한복,산타,여름 수영복,사이버 닌자,할로윈 마녀,설날 복주머니,"
    "교복,마법학교,해적 선장,우주 비행사,기사단 정복,판다 잠옷"
)
_EVENTS = {"로그인": 38, "스테이지클리어": 36, "레벨업": 10, "가챠": 13, "친구초대": 3}


def _game_items():
    """The fixed item catalogue: gear in every rarity, consumables, costumes and currency packs."""
    rows = [
        (f"{prefix} {base}", kind, rarity, price)
        for kind, bases in _GEAR.items()
        for base in bases.split(",")
        for rarity, (prefix, price) in _RARITY.items()
    ]
    rows += [
        (name, kind, rarity, int(price))
        for kind, spec in _SHOP_ITEMS
        for name, rarity, price in (entry.split(":") for entry in spec.split(","))
    ]
    rows += [
        (f"{theme} 코스튬{suffix}", "코스튬", rarity, price)
        for theme in _COSTUMES.split(",")
        for suffix, rarity, price in (("", "영웅", 19_800), (" (한정판)", "전설", 39_000))
    ]
    return rows


def _device(rng, ios):
    """A phone or tablet model matching each player's platform."""
    import numpy as np  # numpy: kept off the start-up path of `sql`

    return np.where(ios, _pick(rng, _DEVICES["iOS"], len(ios)), _pick(rng, _DEVICES["Android"], len(ios)))


def _game(rng):
    """Mobile game: players, items, sessions, purchases (a few whales spend most), events."""
    import numpy as np  # numpy: kept off the start-up path of `sql`

    # players: launch spike on 2023-01-01 and smaller spikes at each big update; most churn within days
    n = 20_000
    updates = tuple((d, 2.5, 7) for d in (182, 365, 540, 730, 912))
    signup = _stamp(rng, np.sort(_days(rng, n, _day_weights(weekend=1.3, spikes=((0, 8, 15),) + updates))))
    country = _pick(rng, list(_COUNTRIES), n, list(_COUNTRIES.values()))
    ios = rng.random(n) < np.where(country == "KR", 0.35, 0.55)
    device = _device(rng, ios)
    life = rng.exponential(_pick(rng, [2, 25, 400], n, [45, 35, 20])) * _DAY
    quit_at = np.minimum(signup + 3600 + life.astype(np.int64), _END)

    # sessions: the first one at signup, the rest spread over each player's active life (∝ engagement)
    extra = 180_000
    owner = _pick(rng, np.arange(n), extra, rng.lognormal(0, 0.8, n) * (quit_at - signup + _DAY / 2))
    t = signup[owner] + (rng.random(extra) * (quit_at - signup)[owner]).astype(np.int64)
    player = np.concatenate([np.arange(n), owner])
    start = np.concatenate([signup, np.clip(_stamp(rng, t // _DAY), signup[owner], quit_at[owner])])
    dur = np.minimum(np.clip(rng.lognormal(np.log(900), 0.9, len(start)), 30, 4 * 3600).astype(np.int64), _END - start)
    first_dur = dur[:n].copy()
    order = np.argsort(start, kind="stable")
    player, start, dur = player[order], start[order], dur[order]
    n_sess = len(start)
    s_device = np.where(rng.random(n_sess) < 0.08, _device(rng, ios[player]), device[player])  # at times another one
    count = np.bincount(player, minlength=n)
    growth = np.rint(4.5 * (count - 1) ** 0.6 * rng.lognormal(0, 0.3, n)).astype(int)  # levels grow with play
    level = np.minimum(1 + growth + rng.integers(0, 4, n), 80)
    last_login = np.zeros(n, np.int64)
    np.maximum.at(last_login, player, start)

    # purchases happen inside sessions of paying players; whales (huge weights) buy the expensive packs
    i_name, i_type, i_rarity, i_price = (np.array(c) for c in zip(*_game_items()))
    type_w = np.vectorize({"재화": 8, "소모품": 4, "코스튬": 2, "무기": 1, "방어구": 1}.get)(i_type)
    spend_w = np.where(rng.random(n) < 0.07, np.minimum(rng.pareto(1.1, n) + 1, 400), 0)
    n_buy = 30_000
    sess = _pick(rng, np.arange(n_sess), n_buy, spend_w[player])
    buyer = player[sess]
    whale = spend_w[buyer] > 20
    item = np.where(
        whale,
        _pick(rng, np.arange(len(i_name)), n_buy, type_w * i_price**0.5),
        _pick(rng, np.arange(len(i_name)), n_buy, type_w / i_price**0.5),
    )
    qty = np.where(i_type[item] == "소모품", _pick(rng, [1, 2, 3, 5], n_buy, [70, 15, 10, 5]), 1)
    bought = start[sess] + (rng.random(n_buy) * dur[sess]).astype(np.int64)
    refunded = rng.random(n_buy) < 0.015
    order = np.argsort(bought, kind="stable")
    store = np.where(ios[buyer], "앱스토어", "구글플레이")
    paid = np.bincount(buyer, np.where(refunded, 0, i_price[item] * qty), n)

    # events: a tutorial completion for most players who stayed two minutes, the rest inside random sessions
    tut = np.flatnonzero((first_dur >= 120) & (rng.random(n) < 0.8))
    m = 150_000 - len(tut)
    es = rng.integers(0, n_sess, m)
    lvl = level[player[es]]
    kind = _pick(rng, list(_EVENTS), m, list(_EVENTS.values()))
    kind = np.where((kind == "레벨업") & (lvl < 2), "로그인", kind)
    e_player = np.concatenate([tut, player[es]])
    e_kind = np.concatenate([np.full(len(tut), "튜토리얼완료"), kind])
    e_time = np.concatenate(
        [
            signup[tut] + (first_dur[tut] * 0.6).astype(np.int64),
            start[es] + np.where(kind == "로그인", 0, rng.random(m) * dur[es]).astype(np.int64),
        ]
    )
    stage = np.concatenate([np.zeros(len(tut), int), np.maximum(1, lvl * 3 * rng.uniform(0.5, 1, m)).astype(int)])
    value = np.concatenate(
        [
            np.zeros(len(tut), int),
            np.select(
                [kind == "스테이지클리어", kind == "가챠", kind == "레벨업"],
                [rng.integers(1, 4, m), _pick(rng, [1, 10], m, [7, 3]), rng.integers(2, np.maximum(lvl, 2) + 1)],
                0,
            ),
        ]
    )
    e_order = np.argsort(e_time, kind="stable")
    e_kind = e_kind[e_order]

    nick = (
        _pick(rng, _NICK[0].split(","), n)
        + _pick(rng, _NICK[1].split(","), n)
        + np.where(rng.random(n) < 0.6, rng.integers(1, 10_000, n).astype(str), "")
    )
    _, first = np.unique(nick, return_index=True)
    nick = np.where(np.isin(np.arange(n), first), nick, nick + "_" + _ids(n).astype(str))

    return [
        (
            "players",
            "player_id INTEGER PRIMARY KEY, nickname VARCHAR NOT NULL UNIQUE, email VARCHAR, "
            "country VARCHAR NOT NULL, platform VARCHAR NOT NULL, signup_at TIMESTAMP NOT NULL, "
            "level INTEGER NOT NULL, "
            "vip_tier INTEGER NOT NULL, last_login_at TIMESTAMP, is_banned BOOLEAN NOT NULL",
            _frame(
                player_id=_ids(n),
                nickname=nick,
                email=_null(_emails(rng, _ids(n)), rng.random(n) < 0.15),
                country=country,
                platform=np.where(ios, "iOS", "Android"),
                signup_at=_ts(signup),
                level=level,
                vip_tier=np.searchsorted([10_000, 50_000, 200_000, 1_000_000, 5_000_000], paid, side="right"),
                last_login_at=_ts(last_login),
                is_banned=rng.random(n) < 0.008,
            ),
        ),
        (
            "items",
            "item_id INTEGER PRIMARY KEY, name VARCHAR NOT NULL, item_type VARCHAR NOT NULL, "
            "rarity VARCHAR NOT NULL, price_krw INTEGER NOT NULL",
            _frame(item_id=_ids(len(i_name)), name=i_name, item_type=i_type, rarity=i_rarity, price_krw=i_price),
        ),
        (
            "sessions",
            "session_id INTEGER PRIMARY KEY, player_id INTEGER NOT NULL REFERENCES players (player_id), "
            "started_at TIMESTAMP NOT NULL, ended_at TIMESTAMP NOT NULL, duration_sec INTEGER NOT NULL, "
            "device_model VARCHAR",
            _frame(
                session_id=_ids(n_sess),
                player_id=player + 1,
                started_at=_ts(start),
                ended_at=_ts(start + dur),
                duration_sec=dur,
                device_model=_null(s_device, rng.random(n_sess) < 0.02),
            ),
        ),
        (
            "purchases",
            "purchase_id INTEGER PRIMARY KEY, player_id INTEGER NOT NULL REFERENCES players (player_id), "
            "item_id INTEGER NOT NULL REFERENCES items (item_id), purchased_at TIMESTAMP NOT NULL, "
            "quantity INTEGER NOT NULL, "
            "amount_krw INTEGER NOT NULL, payment_channel VARCHAR NOT NULL, is_refunded BOOLEAN NOT NULL",
            _frame(
                purchase_id=_ids(n_buy),
                player_id=buyer[order] + 1,
                item_id=item[order] + 1,
                purchased_at=_ts(bought[order]),
                quantity=qty[order],
                amount_krw=(i_price[item] * qty)[order],
                payment_channel=np.where(rng.random(n_buy) < 0.15, "웹결제", store)[order],
                is_refunded=refunded[order],
            ),
        ),
        (
            "events",
            "event_id INTEGER PRIMARY KEY, player_id INTEGER NOT NULL REFERENCES players (player_id), "
            "event_type VARCHAR NOT NULL, event_time TIMESTAMP NOT NULL, stage INTEGER, value INTEGER",
            _frame(
                event_id=_ids(len(e_order)),
                player_id=e_player[e_order] + 1,
                event_type=e_kind,
                event_time=_ts(e_time[e_order]),
                stage=_null(stage[e_order], e_kind != "스테이지클리어"),
                value=_null(value[e_order], ~np.isin(e_kind, ["스테이지클리어", "가챠", "레벨업"])),
            ),
        ),
    ]


_BUILDERS = {"shop": _shop, "marketing": _marketing, "game": _game}
