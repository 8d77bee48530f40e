#!/usr/bin/env python3
"""Build a synthetic SQLite DB of a Korean chicken/burger franchise HQ.

Identifiers use romanized Korean (SI-project style) mixed with common
abbreviations (_nm, _cd, _il, _yn, _no, _amt, _cnt) and a few English words.
Deterministic: fixed random seed. Run:  python benchmarks/franchise/build.py [OUT_DIR]
Writes OUT_DIR/franchise.sqlite and OUT_DIR/schema.sql (default: .t2sql/bench/franchise).
The SQL comments in the DDL are for people: t2sql introspects the database and never reads them.
"""

import os
import random
import sqlite3
import sys
from datetime import date, datetime, timedelta

OUT_DIR = sys.argv[1] if len(sys.argv) > 1 else os.path.join(".t2sql", "bench", "franchise")
os.makedirs(OUT_DIR, exist_ok=True)
DB_PATH = os.path.join(OUT_DIR, "franchise.sqlite")
SCHEMA_PATH = os.path.join(OUT_DIR, "schema.sql")

rnd = random.Random(20240517)

DATA_START = date(2024, 1, 1)
DATA_END = date(2026, 2, 28)  # last day with transactions

DDL = """
CREATE TABLE jeomju (                       -- 점주 (가맹점주)
    jeomju_no        INTEGER PRIMARY KEY,   -- 점주번호
    jeomju_nm        TEXT NOT NULL,         -- 점주 이름
    hp_no            TEXT,                  -- 휴대폰 번호
    email            TEXT,
    seongbyeol       TEXT CHECK (seongbyeol IN ('남','여')),  -- 성별
    chulsaeng_yeondo INTEGER,               -- 출생연도
    gyeyak_il        TEXT NOT NULL          -- 가맹계약일 (YYYY-MM-DD)
);

CREATE TABLE jikwon (                       -- 본사 직원
    jikwon_no  INTEGER PRIMARY KEY,         -- 사번
    jikwon_nm  TEXT NOT NULL,               -- 직원 이름
    buseo_nm   TEXT NOT NULL,               -- 부서명
    jikgeup_nm TEXT NOT NULL,               -- 직급
    sv_yn      TEXT NOT NULL CHECK (sv_yn IN ('Y','N')),      -- 슈퍼바이저 여부
    ipsa_il    TEXT NOT NULL,               -- 입사일
    toesa_il   TEXT,                        -- 퇴사일
    jaejik_yn  TEXT NOT NULL CHECK (jaejik_yn IN ('Y','N'))   -- 재직 여부
);

CREATE TABLE gamaengjeom (                  -- 가맹점
    gamaengjeom_cd    TEXT PRIMARY KEY,     -- 가맹점 코드
    gamaengjeom_nm    TEXT NOT NULL,        -- 가맹점명
    jeomju_no         INTEGER NOT NULL REFERENCES jeomju(jeomju_no),
    sido_nm           TEXT NOT NULL,        -- 시/도
    sigungu_nm        TEXT NOT NULL,        -- 시/군/구
    juso              TEXT,                 -- 주소
    jeonhwa_no        TEXT,                 -- 매장 전화번호
    maejang_yuhyeong  TEXT NOT NULL,        -- 매장 유형 (로드샵/쇼핑몰/역사/배달전문/특수상권)
    myeonjeok_pyeong  REAL,                 -- 매장 면적(평)
    gaeup_il          TEXT NOT NULL,        -- 개업일
    sangtae           TEXT NOT NULL CHECK (sangtae IN ('정상','휴업','폐점')),  -- 영업 상태
    hyueop_sijak_il   TEXT,                 -- 휴업 시작일
    pyejeom_il        TEXT,                 -- 폐점일
    damdang_sv_no     INTEGER REFERENCES jikwon(jikwon_no)      -- 담당 슈퍼바이저
);

CREATE TABLE menu (                         -- 메뉴
    menu_cd        TEXT PRIMARY KEY,
    menu_nm        TEXT NOT NULL,
    menu_bunryu    TEXT NOT NULL,           -- 메뉴 분류 (치킨/버거/사이드/음료/세트)
    panmae_gagyeok INTEGER NOT NULL,        -- 판매가격(원)
    chulsi_il      TEXT NOT NULL,           -- 출시일
    panmae_yn      TEXT NOT NULL CHECK (panmae_yn IN ('Y','N')),  -- 현재 판매 여부
    panmae_jongryo_il TEXT                  -- 판매 종료일
);

CREATE TABLE wonjaeryo (                    -- 원재료
    wonjaeryo_cd    TEXT PRIMARY KEY,
    wonjaeryo_nm    TEXT NOT NULL,
    wonjaeryo_bunryu TEXT NOT NULL,         -- 원재료 분류 (육류/유지류/분말/소스/채소/음료/포장재)
    danwi           TEXT NOT NULL,          -- 단위
    gonggeup_danga  INTEGER NOT NULL,       -- 공급단가(원)
    gonggeupcheo_nm TEXT NOT NULL           -- 공급업체명
);

CREATE TABLE baljul (                       -- 원재료 발주 / 납품
    baljul_no        INTEGER PRIMARY KEY,
    gamaengjeom_cd   TEXT NOT NULL REFERENCES gamaengjeom(gamaengjeom_cd),
    wonjaeryo_cd     TEXT NOT NULL REFERENCES wonjaeryo(wonjaeryo_cd),
    baljul_il        TEXT NOT NULL,         -- 발주일
    baljul_suryang   INTEGER NOT NULL,      -- 발주 수량
    baljul_amt       INTEGER NOT NULL,      -- 발주 금액
    napum_yejeong_il TEXT,                  -- 납품 예정일
    napum_il         TEXT,                  -- 실제 납품일
    baljul_sangtae   TEXT NOT NULL CHECK (baljul_sangtae IN ('발주접수','배송중','납품완료','취소'))
);

CREATE TABLE jumun (                        -- 주문(매출) 헤더
    jumun_no        INTEGER PRIMARY KEY,
    gamaengjeom_cd  TEXT NOT NULL REFERENCES gamaengjeom(gamaengjeom_cd),
    jumun_ilsi      TEXT NOT NULL,          -- 주문일시 (YYYY-MM-DD HH:MM:SS)
    jumun_yuhyeong  TEXT NOT NULL CHECK (jumun_yuhyeong IN ('매장','포장','배달')),
    baedal_channel  TEXT,                   -- 배달 주문 채널 (배민/쿠팡이츠/요기요/자사앱), 배달 아니면 NULL
    gyeolje_sudan   TEXT NOT NULL,          -- 결제수단 (카드/현금/간편결제)
    chong_geumaek   INTEGER NOT NULL,       -- 주문 총금액(할인 전)
    halin_amt       INTEGER NOT NULL DEFAULT 0,  -- 할인 금액(쿠폰 등)
    gyeolje_amt     INTEGER NOT NULL,       -- 실 결제금액
    chwiso_yn       TEXT NOT NULL DEFAULT 'N' CHECK (chwiso_yn IN ('Y','N'))  -- 취소 여부
);

CREATE TABLE jumun_sangse (                 -- 주문 상세 (주문-메뉴 연결)
    jumun_no  INTEGER NOT NULL REFERENCES jumun(jumun_no),
    menu_cd   TEXT NOT NULL REFERENCES menu(menu_cd),
    suryang   INTEGER NOT NULL,
    danga     INTEGER NOT NULL,
    geumaek   INTEGER NOT NULL,
    PRIMARY KEY (jumun_no, menu_cd)
);

CREATE TABLE gogaek_review (                -- 고객 리뷰
    review_no      INTEGER PRIMARY KEY,
    jumun_no       INTEGER REFERENCES jumun(jumun_no),
    gamaengjeom_cd TEXT NOT NULL REFERENCES gamaengjeom(gamaengjeom_cd),
    pyeongjeom     INTEGER NOT NULL CHECK (pyeongjeom BETWEEN 1 AND 5),  -- 평점
    review_naeyong TEXT,                    -- 리뷰 내용
    jakseong_il    TEXT NOT NULL,           -- 작성일
    dapbyeon_yn    TEXT NOT NULL CHECK (dapbyeon_yn IN ('Y','N'))       -- 사장님 답변 여부
);

CREATE TABLE jeomgeom (                     -- 슈퍼바이저 방문 점검
    jeomgeom_no     INTEGER PRIMARY KEY,
    gamaengjeom_cd  TEXT NOT NULL REFERENCES gamaengjeom(gamaengjeom_cd),
    jikwon_no       INTEGER NOT NULL REFERENCES jikwon(jikwon_no),
    bangmun_il      TEXT NOT NULL,          -- 방문일
    wisaeng_jeomsu  INTEGER NOT NULL,       -- 위생 점수 (100점 만점)
    seobiseu_jeomsu INTEGER NOT NULL,       -- 서비스 점수 (100점 만점)
    jijeok_cnt      INTEGER NOT NULL,       -- 지적 사항 건수
    jeomgeom_gyeolgwa TEXT NOT NULL CHECK (jeomgeom_gyeolgwa IN ('우수','양호','미흡')),
    bigo            TEXT                    -- 비고
);
"""


def d2s(d):
    return d.isoformat()


def rand_date(a, b):
    """uniform date in [a, b]"""
    return a + timedelta(days=rnd.randint(0, (b - a).days))


# ---------------------------------------------------------------- names
SURNAMES = [
    "김",
    "이",
    "박",
    "최",
    "정",
    "강",
    "조",
    "윤",
    "장",
    "임",
    "한",
    "오",
    "서",
    "신",
    "권",
    "황",
    "안",
    "송",
    "류",
    "홍",
]
SURNAME_W = [21, 15, 9, 5, 5, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1]
GIVEN_M = [
    "민준",
    "서준",
    "도윤",
    "예준",
    "시우",
    "주원",
    "하준",
    "지호",
    "준서",
    "현우",
    "성민",
    "재훈",
    "동현",
    "상우",
    "영수",
    "정호",
    "태식",
    "광수",
    "진우",
    "승현",
]
GIVEN_F = [
    "서연",
    "서윤",
    "지우",
    "하은",
    "민서",
    "지민",
    "수빈",
    "은지",
    "혜진",
    "미경",
    "영희",
    "수정",
    "정아",
    "유진",
    "나연",
    "소영",
    "현주",
    "은정",
    "지현",
    "다은",
]

used_names = set()


def person_name(sex):
    while True:
        n = rnd.choices(SURNAMES, SURNAME_W)[0] + rnd.choice(GIVEN_M if sex == "남" else GIVEN_F)
        if n not in used_names:
            used_names.add(n)
            return n


def hp():
    return f"010-{rnd.randint(2000, 9999)}-{rnd.randint(1000, 9999)}"


# ---------------------------------------------------------------- stores
AREA_CODE = {
    "서울특별시": "02",
    "경기도": "031",
    "인천광역시": "032",
    "부산광역시": "051",
    "대구광역시": "053",
    "광주광역시": "062",
    "대전광역시": "042",
    "울산광역시": "052",
    "세종특별자치시": "044",
    "강원특별자치도": "033",
    "충청북도": "043",
    "충청남도": "041",
    "전북특별자치도": "063",
    "전라남도": "061",
    "경상북도": "054",
    "경상남도": "055",
    "제주특별자치도": "064",
}

STORES = [  # (sido, sigungu, store name, type)
    ("서울특별시", "강남구", "강남역점", "로드샵"),
    ("서울특별시", "강남구", "삼성점", "쇼핑몰"),
    ("서울특별시", "서초구", "서초교대점", "로드샵"),
    ("서울특별시", "마포구", "홍대입구점", "로드샵"),
    ("서울특별시", "마포구", "합정점", "배달전문"),
    ("서울특별시", "송파구", "잠실새내점", "로드샵"),
    ("서울특별시", "송파구", "문정점", "배달전문"),
    ("서울특별시", "관악구", "신림점", "로드샵"),
    ("서울특별시", "관악구", "서울대입구점", "배달전문"),
    ("서울특별시", "영등포구", "여의도점", "쇼핑몰"),
    ("서울특별시", "영등포구", "문래점", "배달전문"),
    ("서울특별시", "광진구", "건대입구점", "로드샵"),
    ("서울특별시", "노원구", "노원역점", "역사"),
    ("서울특별시", "강서구", "발산점", "로드샵"),
    ("서울특별시", "성북구", "성신여대점", "로드샵"),
    ("서울특별시", "동작구", "노량진점", "로드샵"),
    ("서울특별시", "용산구", "이태원점", "로드샵"),
    ("서울특별시", "중구", "명동점", "특수상권"),
    ("경기도", "성남시", "분당서현점", "로드샵"),
    ("경기도", "성남시", "판교점", "쇼핑몰"),
    ("경기도", "수원시", "수원인계점", "로드샵"),
    ("경기도", "수원시", "광교점", "쇼핑몰"),
    ("경기도", "고양시", "일산라페스타점", "로드샵"),
    ("경기도", "용인시", "수지점", "배달전문"),
    ("경기도", "부천시", "부천역점", "역사"),
    ("경기도", "안양시", "평촌점", "로드샵"),
    ("경기도", "화성시", "동탄점", "배달전문"),
    ("경기도", "의정부시", "의정부역점", "역사"),
    ("경기도", "남양주시", "다산점", "배달전문"),
    ("경기도", "김포시", "김포장기점", "로드샵"),
    ("인천광역시", "남동구", "구월점", "로드샵"),
    ("인천광역시", "연수구", "송도점", "쇼핑몰"),
    ("인천광역시", "부평구", "부평점", "역사"),
    ("부산광역시", "부산진구", "서면점", "로드샵"),
    ("부산광역시", "해운대구", "해운대점", "특수상권"),
    ("부산광역시", "남구", "경성대점", "로드샵"),
    ("부산광역시", "동래구", "동래점", "배달전문"),
    ("대구광역시", "중구", "동성로점", "로드샵"),
    ("대구광역시", "수성구", "범어점", "배달전문"),
    ("대구광역시", "달서구", "상인점", "로드샵"),
    ("광주광역시", "서구", "상무점", "로드샵"),
    ("광주광역시", "북구", "전대후문점", "로드샵"),
    ("대전광역시", "서구", "둔산점", "로드샵"),
    ("대전광역시", "유성구", "유성온천점", "역사"),
    ("울산광역시", "남구", "삼산점", "로드샵"),
    ("세종특별자치시", "세종시", "나성점", "배달전문"),
    ("강원특별자치도", "춘천시", "춘천명동점", "로드샵"),
    ("강원특별자치도", "원주시", "원주혁신점", "배달전문"),
    ("충청북도", "청주시", "청주성안길점", "로드샵"),
    ("충청남도", "천안시", "천안두정점", "로드샵"),
    ("전북특별자치도", "전주시", "전주객사점", "로드샵"),
    ("전라남도", "순천시", "순천연향점", "배달전문"),
    ("경상북도", "포항시", "포항양덕점", "로드샵"),
    ("경상남도", "창원시", "창원상남점", "로드샵"),
    ("경상남도", "김해시", "김해내외점", "배달전문"),
    ("제주특별자치도", "제주시", "제주노형점", "특수상권"),
]
ROADS = [
    "중앙로",
    "대학로",
    "시청로",
    "역전로",
    "문화로",
    "번영로",
    "상가로",
    "공원로",
    "신흥로",
    "평화로",
    "한빛로",
    "은행로",
]

# ---------------------------------------------------------------- menu
MENUS = [  # (name, category, price, launch, on_sale, end, popularity weight)
    ("후라이드치킨", "치킨", 19000, "2024-01-02", "Y", None, 30),
    ("양념치킨", "치킨", 20000, "2024-01-02", "Y", None, 26),
    ("간장마늘치킨", "치킨", 21000, "2024-01-02", "Y", None, 14),
    ("반반치킨", "치킨", 20500, "2024-01-02", "Y", None, 22),
    ("순살후라이드", "치킨", 21500, "2024-01-02", "Y", None, 16),
    ("순살양념", "치킨", 22500, "2024-01-02", "Y", None, 12),
    ("뿌링클치즈치킨", "치킨", 22000, "2024-06-15", "Y", None, 13),
    ("매운불닭치킨", "치킨", 22000, "2024-03-01", "N", "2025-02-28", 9),
    ("트러플크림치킨", "치킨", 24000, "2025-09-01", "Y", None, 8),
    ("마라치킨", "치킨", 23000, "2026-02-23", "Y", None, 0),  # 출시 직후, 판매 실적 없음
    ("클래식치킨버거", "버거", 6900, "2024-01-02", "Y", None, 11),
    ("핫치킨버거", "버거", 7400, "2024-01-02", "Y", None, 8),
    ("더블치즈버거", "버거", 8900, "2024-05-01", "Y", None, 6),
    ("불고기버거", "버거", 6500, "2024-01-02", "N", "2025-06-30", 5),
    ("감자튀김", "사이드", 3500, "2024-01-02", "Y", None, 18),
    ("치즈볼", "사이드", 4500, "2024-01-02", "Y", None, 15),
    ("치킨무", "사이드", 500, "2024-01-02", "Y", None, 10),
    ("코울슬로", "사이드", 2500, "2024-01-02", "Y", None, 6),
    ("어니언링", "사이드", 4000, "2024-08-01", "Y", None, 7),
    ("떡볶이", "사이드", 5500, "2026-02-26", "Y", None, 0),  # 출시 직후, 판매 실적 없음
    ("콜라 1.25L", "음료", 3000, "2024-01-02", "Y", None, 20),
    ("사이다 1.25L", "음료", 3000, "2024-01-02", "Y", None, 10),
    ("생맥주 500cc", "음료", 4500, "2024-01-02", "Y", None, 7),
    ("제로콜라 500ml", "음료", 2000, "2024-10-01", "Y", None, 8),
    ("1인혼닭세트", "세트", 15900, "2024-04-01", "Y", None, 9),
    ("패밀리세트", "세트", 35900, "2024-01-02", "Y", None, 7),
    ("치맥세트", "세트", 27000, "2024-01-02", "Y", None, 8),
]

# ---------------------------------------------------------------- raw materials
WONJAERYO = [  # (name, category, unit, price, supplier, lead days (min,max))
    ("생닭 10호", "육류", "박스", 58000, "하림", (1, 2)),
    ("순살 닭다리살", "육류", "박스", 72000, "하림", (1, 2)),
    ("닭가슴살 패티", "육류", "박스", 45000, "마니커", (2, 4)),
    ("튀김가루", "분말", "포대", 32000, "CJ제일제당", (2, 3)),
    ("염지제", "분말", "봉", 18000, "CJ제일제당", (2, 3)),
    ("카놀라유 18L", "유지류", "통", 69000, "롯데푸드", (2, 5)),
    ("양념소스", "소스", "통", 41000, "오뚜기", (2, 4)),
    ("간장마늘소스", "소스", "통", 43000, "오뚜기", (2, 4)),
    ("치즈시즈닝", "분말", "봉", 27000, "대상", (3, 6)),
    ("냉동 감자", "채소", "박스", 38000, "팜스코", (2, 5)),
    ("치즈볼 반제품", "가공품", "박스", 52000, "대상", (3, 6)),
    ("양배추", "채소", "kg", 2500, "농협유통", (1, 2)),
    ("햄버거 번", "가공품", "박스", 24000, "삼립", (1, 3)),
    ("치킨무", "가공품", "박스", 16000, "농협유통", (1, 2)),
    ("콜라 1.25L", "음료", "박스", 21000, "코카콜라음료", (2, 4)),
    ("사이다 1.25L", "음료", "박스", 19000, "롯데칠성", (2, 4)),
    ("생맥주 케그 20L", "음료", "통", 88000, "하이트진로", (3, 5)),
    ("치킨박스", "포장재", "묶음", 35000, "태림포장", (4, 7)),
    ("비닐봉투", "포장재", "묶음", 12000, "태림포장", (4, 7)),
    ("트러플오일", "유지류", "병", 39000, "대상", (3, 6)),
]
WJ_WEIGHT = [30, 14, 6, 14, 8, 12, 12, 7, 5, 9, 6, 5, 5, 9, 8, 5, 3, 6, 4, 2]

REVIEW_TXT = {
    5: [
        "바삭하고 맛있어요!",
        "역시 믿고 먹는 맛",
        "배달도 빠르고 따뜻하게 왔어요",
        "양념이 딱 제 스타일이에요",
        "재주문 의사 100%",
        "아이들이 너무 좋아해요",
    ],
    4: ["맛있는데 조금 짰어요", "양이 넉넉해요", "무난하게 맛있어요", "배달이 살짝 늦었지만 맛은 좋아요"],
    3: ["그냥 평범해요", "예전보다 양이 줄은 것 같아요", "소스가 좀 부족했어요"],
    2: ["식어서 왔어요", "너무 기름져요", "배달이 한 시간 넘게 걸렸어요"],
    1: [
        "주문한 메뉴가 빠져서 왔어요",
        "튀김이 눅눅하고 별로였어요",
        "고객센터 응대가 불친절했어요",
        "위생 상태가 의심돼요",
    ],
}
JEOMGEOM_BIGO = {
    "우수": [None, None, "우수 매장 사례로 공유", "청결 상태 매우 양호"],
    "양호": [None, None, "유통기한 라벨 부착 보완 필요", "주방 후드 청소 권고", "유니폼 착용 미흡 1건"],
    "미흡": [
        "튀김유 교체 주기 미준수",
        "냉장고 온도 기준 초과",
        "원재료 보관 상태 불량, 재점검 예정",
        "위생모 미착용 다수",
    ],
}


def main():
    if os.path.exists(DB_PATH):
        os.remove(DB_PATH)
    con = sqlite3.connect(DB_PATH)
    con.execute("PRAGMA foreign_keys = ON")
    con.executescript(DDL)

    # ---------------- jikwon (본사 직원)
    jikwon_rows = []
    buseo_plan = (
        [("영업1팀", True)] * 6
        + [("영업2팀", True)] * 5
        + [("마케팅팀", False)] * 4
        + [("구매물류팀", False)] * 4
        + [("품질관리팀", False)] * 3
        + [("경영지원팀", False)] * 2
    )
    for i, (buseo, is_sv) in enumerate(buseo_plan):
        no = 2024001 + i
        sex = rnd.choice(["남", "남", "여"])
        nm = person_name(sex)
        if is_sv:
            jg = rnd.choices(["대리", "과장", "차장", "사원"], [5, 3, 1, 2])[0]
        else:
            jg = rnd.choices(["사원", "대리", "과장", "차장", "팀장"], [4, 4, 2, 1, 1])[0]
        ipsa = (
            rand_date(date(2024, 1, 2), date(2024, 1, 31)) if is_sv else rand_date(date(2024, 1, 2), date(2024, 6, 30))
        )
        jikwon_rows.append([no, nm, buseo, jg, "Y" if is_sv else "N", d2s(ipsa), None, "Y"])
    # 팀장 한 명씩 보정
    jikwon_rows[0][3] = "팀장"
    jikwon_rows[6][3] = "팀장"
    jikwon_rows[0][4] = "N"  # 영업1팀 팀장은 SV 아님
    jikwon_rows[6][4] = "N"
    # 퇴사자 2명 (SV 1명 포함)
    jikwon_rows[4][6] = "2025-08-31"
    jikwon_rows[4][7] = "N"
    jikwon_rows[14][6] = "2025-03-31"
    jikwon_rows[14][7] = "N"
    # 2025년 신규 입사 SV 1명
    nm = person_name("여")
    jikwon_rows.append([2025001, nm, "영업2팀", "사원", "Y", "2025-09-01", None, "Y"])
    con.executemany("INSERT INTO jikwon VALUES (?,?,?,?,?,?,?,?)", jikwon_rows)

    sv_all = [r for r in jikwon_rows if r[4] == "Y"]
    sv_active = [r for r in sv_all if r[7] == "Y"]
    sv_left = [r for r in sv_all if r[7] == "N"][0]

    # ---------------- jeomju (점주)  -- some own several stores
    n_stores = len(STORES)
    owner_of = []
    jeomju_rows = []
    multi_plan = {0: 3, 1: 2, 2: 2, 3: 2, 4: 2, 5: 2}  # owner idx -> #stores
    owner_idx = 0
    remaining = n_stores
    while remaining > 0:
        k = min(multi_plan.get(owner_idx, 1), remaining)
        owner_of.extend([owner_idx] * k)
        remaining -= k
        owner_idx += 1
    n_owner = owner_idx
    # shuffle store assignment but keep multi-store owners' stores mostly in same sido
    order = list(range(n_stores))
    rnd.shuffle(order)
    store_owner = [None] * n_stores
    for pos, s in enumerate(order):
        store_owner[s] = owner_of[pos]

    # gaeup dates first (needed for contract date)
    gaeup = []
    for i in range(n_stores):
        if i < 40:
            g = rand_date(date(2024, 1, 8), date(2024, 12, 20))
        elif i < 52:
            g = rand_date(date(2025, 1, 6), date(2025, 10, 31))
        else:
            g = rand_date(date(2025, 11, 1), date(2026, 1, 20))
        gaeup.append(g)
    # reorder gaeup so that later-opened stores are spread over regions
    rnd.shuffle(gaeup)
    # 강남역점(0), 홍대입구점(3) are flagship stores -> opened early
    gaeup[0] = date(2024, 1, 8)
    gaeup[3] = date(2024, 1, 15)

    for o in range(n_owner):
        sex = rnd.choice(["남", "남", "여"])
        nm = person_name(sex)
        first_store = min(gaeup[s] for s in range(n_stores) if store_owner[s] == o)
        gyeyak = max(DATA_START, first_store - timedelta(days=rnd.randint(20, 60)))
        local = rnd.choice(["naver.com", "gmail.com", "daum.net", "kakao.com", "hanmail.net"])
        email = f"owner{1000 + o}@{local}" if rnd.random() > 0.1 else None
        jeomju_rows.append((o + 1, nm, hp(), email, sex, rnd.randint(1962, 1995), d2s(gyeyak)))
    con.executemany("INSERT INTO jeomju VALUES (?,?,?,?,?,?,?)", jeomju_rows)

    # ---------------- gamaengjeom (가맹점)
    store_rows = []
    store_info = []  # for later simulation
    sv_cycle = [r[0] for r in sv_active]
    closed_idx = {16: date(2025, 7, 31), 29: date(2025, 11, 30), 47: date(2025, 4, 30), 35: date(2026, 1, 31)}
    hyueop_idx = {44: date(2025, 12, 15), 25: date(2026, 1, 10)}
    for i, (sido, sgg, nm, typ) in enumerate(STORES):
        cd = f"GJ{i + 1:04d}"
        juso = f"{sido} {sgg} {rnd.choice(ROADS)} {rnd.randint(1, 250)}"
        if rnd.random() < 0.4:
            juso += f", {rnd.randint(1, 3)}층"
        tel = f"{AREA_CODE[sido]}-{rnd.randint(200, 999)}-{rnd.randint(1000, 9999)}"
        area = {"로드샵": (15, 35), "쇼핑몰": (10, 20), "역사": (8, 15), "배달전문": (6, 12), "특수상권": (12, 25)}[typ]
        pyeong = round(rnd.uniform(*area), 1)
        g = gaeup[i]
        sangtae, hyu, pye = "정상", None, None
        if i in closed_idx:
            sangtae, pye = "폐점", closed_idx[i]
            if g > pye - timedelta(days=120):
                g = pye - timedelta(days=rnd.randint(240, 400))
                g = max(g, date(2024, 1, 8))
                gaeup[i] = g
        elif i in hyueop_idx:
            sangtae, hyu = "휴업", hyueop_idx[i]
            if g > hyu - timedelta(days=120):
                g = hyu - timedelta(days=rnd.randint(240, 400))
                gaeup[i] = g
        # SV assignment: the retired SV's stores were reassigned; by region blocks
        sv = (
            sv_cycle[(i * 7) % len(sv_cycle)]
            if sido not in ("서울특별시", "경기도", "인천광역시")
            else sv_cycle[i % len(sv_cycle)]
        )
        store_rows.append(
            (
                cd,
                nm,
                store_owner[i] + 1,
                sido,
                sgg,
                juso,
                tel,
                typ,
                pyeong,
                d2s(g),
                sangtae,
                d2s(hyu) if hyu else None,
                d2s(pye) if pye else None,
                sv,
            )
        )
        last_day = DATA_END
        if pye:
            last_day = pye
        if hyu:
            last_day = hyu - timedelta(days=1)
        mult = {"로드샵": 1.0, "쇼핑몰": 0.9, "역사": 0.8, "배달전문": 1.1, "특수상권": 1.2}[typ]
        mult *= rnd.uniform(0.6, 1.5)
        if sido == "서울특별시":
            mult *= 1.2
        if i in (0, 3):
            mult *= 1.6
        quality = rnd.gauss(0, 0.5)
        if i in (8, 27, 53):
            quality = -1.3  # 문제 매장
        store_info.append(
            dict(cd=cd, nm=nm, typ=typ, first=g, last=last_day, mult=mult, quality=quality, sv=sv, sido=sido)
        )
    con.executemany("INSERT INTO gamaengjeom VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", store_rows)

    # ---------------- menu
    menu_rows = []
    menu_info = []
    for i, (nm, cat, price, launch, yn, end, w) in enumerate(MENUS):
        cd = f"M{i + 1:03d}"
        menu_rows.append((cd, nm, cat, price, launch, yn, end))
        menu_info.append(
            dict(
                cd=cd,
                nm=nm,
                cat=cat,
                price=price,
                launch=date.fromisoformat(launch),
                end=date.fromisoformat(end) if end else None,
                w=w,
            )
        )
    con.executemany("INSERT INTO menu VALUES (?,?,?,?,?,?,?)", menu_rows)

    # ---------------- wonjaeryo
    wj_rows = []
    wj_info = []
    for i, (nm, cat, unit, price, sup, lead) in enumerate(WONJAERYO):
        cd = f"W{i + 1:03d}"
        wj_rows.append((cd, nm, cat, unit, price, sup))
        wj_info.append(dict(cd=cd, price=price, lead=lead, nm=nm))
    con.executemany("INSERT INTO wonjaeryo VALUES (?,?,?,?,?,?)", wj_rows)

    # ---------------- jumun / jumun_sangse / gogaek_review
    TOTAL_ORDERS = 1600
    order_start = date(2024, 1, 8)
    # weight per store = active days * mult
    weights = []
    for s in store_info:
        days = max(0, (s["last"] - max(s["first"], order_start)).days + 1)
        weights.append(days * s["mult"])
    # month seasonality (chicken: summer / year-end / world-cup style peaks)
    season = {1: 0.9, 2: 0.85, 3: 0.9, 4: 0.95, 5: 1.0, 6: 1.1, 7: 1.25, 8: 1.2, 9: 1.0, 10: 1.0, 11: 0.95, 12: 1.2}
    hour_w = {11: 3, 12: 6, 13: 4, 14: 2, 15: 2, 16: 3, 17: 6, 18: 11, 19: 13, 20: 11, 21: 8, 22: 5, 23: 3}
    jumun_rows, sangse_rows, review_rows = [], [], []
    all_orders = []
    for _ in range(TOTAL_ORDERS):
        s = rnd.choices(store_info, weights)[0]
        a = max(s["first"], order_start)
        while True:
            d = rand_date(a, s["last"])
            if rnd.random() < season[d.month] / 1.25 * (1.15 if d.weekday() >= 4 else 1.0) / 1.15:
                break
        h = rnd.choices(list(hour_w), list(hour_w.values()))[0]
        ts = datetime(d.year, d.month, d.day, h, rnd.randint(0, 59), rnd.randint(0, 59))
        all_orders.append((ts, s))
    all_orders.sort(key=lambda x: (x[0], x[1]["cd"]))

    review_no = 1
    for jn, (ts, s) in enumerate(all_orders, start=100001):
        d = ts.date()
        if s["typ"] == "배달전문":
            yh = rnd.choices(["배달", "포장"], [85, 15])[0]
        elif s["typ"] in ("쇼핑몰", "역사", "특수상권"):
            yh = rnd.choices(["매장", "포장", "배달"], [50, 30, 20])[0]
        else:
            yh = rnd.choices(["매장", "포장", "배달"], [30, 20, 50])[0]
        ch = None
        if yh == "배달":
            ch = rnd.choices(
                ["배민", "쿠팡이츠", "요기요", "자사앱"], [55, 25, 10, 10] if d.year == 2024 else [50, 33, 7, 10]
            )[0]
        if ch and ch != "자사앱":
            sudan = "간편결제" if rnd.random() < 0.7 else "카드"
        else:
            sudan = rnd.choices(["카드", "현금", "간편결제"], [70, 8, 22])[0]
        # items
        avail = [m for m in menu_info if m["w"] > 0 and m["launch"] <= d and (m["end"] is None or d <= m["end"])]
        k = rnd.choices([1, 2, 3, 4], [35, 38, 20, 7])[0]
        chosen = []
        if rnd.random() < 0.9:
            mains = [m for m in avail if m["cat"] in ("치킨", "버거", "세트")]
            chosen.append(rnd.choices(mains, [m["w"] for m in mains])[0])
        while len(chosen) < k:
            m = rnd.choices(avail, [m["w"] for m in avail])[0]
            if m not in chosen:
                chosen.append(m)
        total = 0
        for m in chosen:
            q = rnd.choices([1, 2, 3], [75, 20, 5])[0]
            amt = q * m["price"]
            total += amt
            sangse_rows.append((jn, m["cd"], q, m["price"], amt))
        halin = 0
        if rnd.random() < (0.3 if ch else 0.1):
            halin = rnd.choice([1000, 2000, 3000, 5000])
            halin = min(halin, total // 4 // 100 * 100)
        cancel = "Y" if rnd.random() < 0.03 else "N"
        jumun_rows.append(
            (jn, s["cd"], ts.strftime("%Y-%m-%d %H:%M:%S"), yh, ch, sudan, total, halin, total - halin, cancel)
        )
        # review
        if cancel == "N" and ch is not None and rnd.random() < 0.42:
            base = 4.6 + s["quality"] + rnd.gauss(0, 0.8)
            score = int(min(5, max(1, round(base))))
            if rnd.random() < 0.07:  # 불만 리뷰 (배달 지연, 누락 등)
                score = rnd.choice([1, 1, 2])
            rd = d + timedelta(days=rnd.choices([0, 1, 2], [60, 30, 10])[0])
            if rd > DATA_END:
                rd = DATA_END
            dap = "Y" if rnd.random() < (0.55 if score <= 2 else 0.7) else "N"
            review_rows.append((review_no, jn, s["cd"], score, rnd.choice(REVIEW_TXT[score]), d2s(rd), dap))
            review_no += 1
    con.executemany("INSERT INTO jumun VALUES (?,?,?,?,?,?,?,?,?,?)", jumun_rows)
    con.executemany("INSERT INTO jumun_sangse VALUES (?,?,?,?,?)", sangse_rows)
    con.executemany("INSERT INTO gogaek_review VALUES (?,?,?,?,?,?,?)", review_rows)

    # ---------------- baljul (발주 / 납품)
    baljul_rows = []
    bn = 500001
    bal_events = []
    for s in store_info:
        d = max(s["first"] - timedelta(days=3), DATA_START)
        while d <= s["last"]:
            n_items = rnd.choices([1, 2, 3], [50, 35, 15])[0]
            items = set()
            while len(items) < n_items:
                items.add(rnd.choices(range(len(wj_info)), WJ_WEIGHT)[0])
            for wi in sorted(items):
                bal_events.append((d, s, wj_info[wi]))
            gap = int(rnd.uniform(40, 70) / max(0.5, s["mult"]))
            d += timedelta(days=gap)
    bal_events.sort(key=lambda x: (x[0], x[1]["cd"], x[2]["cd"]))
    for d, s, w in bal_events:
        q = max(
            1,
            int(
                round(
                    rnd.choices([1, 2, 3, 4, 5, 6, 8, 10], [10, 20, 20, 15, 12, 10, 8, 5])[0]
                    * (1.3 if s["mult"] > 1.3 else 1)
                )
            ),
        )
        if w["nm"] == "양배추":
            q *= 5
        amt = q * w["price"]
        lead = rnd.randint(*w["lead"])
        yejeong = d + timedelta(days=w["lead"][0] + 1)
        napum = d + timedelta(days=lead)
        r = rnd.random()
        if napum > DATA_END:
            st = "배송중" if d <= DATA_END - timedelta(days=1) else "발주접수"
            napum_s = None
        elif r < 0.04:
            st, napum_s = "취소", None
        else:
            st, napum_s = "납품완료", d2s(napum)
        baljul_rows.append((bn, s["cd"], w["cd"], d2s(d), q, amt, d2s(yejeong), napum_s, st))
        bn += 1
    con.executemany("INSERT INTO baljul VALUES (?,?,?,?,?,?,?,?,?)", baljul_rows)

    # ---------------- jeomgeom (방문 점검)
    jg_rows = []
    jgn = 1
    sv_left_no, sv_left_out = sv_left[0], date.fromisoformat(sv_left[6])
    new_sv = 2025001
    for idx, s in enumerate(store_info):
        # 최근 개업 매장은 아직 점검 전인 경우가 있음
        d = s["first"] + timedelta(days=rnd.randint(30, 70))
        while d <= min(s["last"], DATA_END):
            # 방문자: 담당 SV가 원칙, 2024~퇴사 전엔 퇴사 SV가 일부 매장 담당했었음
            if idx % 5 == 0 and d <= sv_left_out:
                who = sv_left_no
            elif rnd.random() < 0.12:
                who = rnd.choice(sv_active)[0]
                if who == new_sv and d < date(2025, 9, 1):
                    who = s["sv"]
            else:
                who = s["sv"]
            if who == new_sv and d < date(2025, 9, 1):
                who = sv_active[0][0]
            q = s["quality"]
            wis = int(min(100, max(40, round(rnd.gauss(85 + q * 10, 7)))))
            svc = int(min(100, max(40, round(rnd.gauss(83 + q * 9, 8)))))
            jj = max(0, int(round((100 - wis) / 8 + rnd.gauss(0, 1))))
            avg = (wis + svc) / 2
            res = "우수" if avg >= 90 else ("양호" if avg >= 75 else "미흡")
            jg_rows.append((jgn, s["cd"], who, d2s(d), wis, svc, jj, res, rnd.choice(JEOMGEOM_BIGO[res])))
            jgn += 1
            d += timedelta(days=rnd.randint(75, 130) if res != "미흡" else rnd.randint(25, 45))
    jg_rows.sort(key=lambda r: (r[3], r[1]))
    jg_rows = [(i + 1,) + r[1:] for i, r in enumerate(jg_rows)]
    con.executemany("INSERT INTO jeomgeom VALUES (?,?,?,?,?,?,?,?,?)", jg_rows)

    con.commit()
    # FK sanity
    bad = con.execute("PRAGMA foreign_key_check").fetchall()
    assert not bad, bad

    with open(SCHEMA_PATH, "w", encoding="utf-8") as f:
        for (sql,) in con.execute("SELECT sql FROM sqlite_master WHERE type='table' ORDER BY rowid"):
            f.write(sql + ";\n\n")
    counts = {
        t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
        for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY rowid").fetchall()
    }
    con.close()
    print("wrote", DB_PATH)
    for t, c in counts.items():
        print(f"  {t:15s} {c:6d}")
    print("  total", sum(counts.values()))


if __name__ == "__main__":
    main()
