"""Korean grammar for generated questions: particles that follow the last sound, numbers and values
written the way people type them, and the sentence endings questions are phrased with."""

from __future__ import annotations

import math
import random
import re

COUNT_UNITS = ("개", "명", "건", "실", "석", "팔레트", "일", "층")  # units counted: "가장 많은", not "가장 높은"
ENDINGS = {
    "SHOW": [
        "보여줘",
        "알려줘",
        "조회해줘",
        "뽑아줘",
        "보여주세요",
        "알려주세요",
        "조회해 주세요",
        "보여줄래요?",
        "알려줄래?",
        "찾아줘",
        "출력해줘",
        "확인해 주세요",
        "보여 줄 수 있어?",
    ],
    "CALC": ["구해줘", "계산해줘", "알려줘", "구해 주세요", "계산해 주세요", "알려주세요", "집계해줘", "뽑아줘"],
    "VAL": [
        "얼마야?",
        "얼마인가요?",
        "얼마예요?",
        "어떻게 돼?",
        "어떻게 되나요?",
        "얼마지?",
        "얼마인지 알려줘",
        "얼마인지 알려주세요",
    ],
    "WHEN": ["언제야?", "언제인가요?", "언제예요?", "언제인지 알려줘", "언제인지 알려주세요"],
    "MANY": [
        "<이야>?",
        "인가요?",
        "<이에요>?",
        "인지 알려줘",
        "인지 알려주세요",
        "일까?",
        " 있어?",
        " 있나요?",
        "<이나> 돼?",
        "<이나> 되나요?",
        "인지 궁금해요",
    ],
}
WHO = {
    "명": ["누구야?", "누구인가요?", "누구예요?", "누군지 알려줘", "누구인지 알려주세요"],
    "곳": ["어디야?", "어디인가요?", "어디예요?", "어딘지 알려줘"],
    "": ["뭐야?", "무엇인가요?", "뭔지 알려줘", "어떤 거야?", "무엇인지 알려주세요"],
}
JOSA = {
    "을": ("을", "를"),
    "이": ("이", "가"),
    "은": ("은", "는"),
    "과": ("과", "와"),
    "으로": ("으로", "로"),
    "이에요": ("이에요", "예요"),
    "이야": ("이야", "야"),
    "이나": ("이나", "나"),
    "이고": ("이고", "고"),
}


def _batchim(ch: str) -> int | None:
    """Final-consonant index of a syllable (0 = none), or None when it cannot be told."""
    if "가" <= ch <= "힣":
        return (ord(ch) - 0xAC00) % 28
    if ch.isdigit():
        return 0 if ch in "2459" else (8 if ch in "178" else 1)
    if ch.isalpha() and ch.isascii():
        return 8 if ch.lower() in "lr" else (1 if ch.lower() in "mn" else 0)
    return None


def josa(text: str) -> str:
    """Resolve particle markers such as ``<을>`` to 을/를 by the preceding word's last sound."""

    def pick(m):
        i = m.start() - 1
        if text[max(0, i - 1) : i + 1].lower() == "kg":
            return JOSA[m.group(1)][0]  # 킬로그램
        while i >= 0 and text[i] in "'\")]} %㎡":
            if text[i] == "%":
                return JOSA[m.group(1)][1]  # 퍼센트
            if text[i] == "㎡":
                return JOSA[m.group(1)][1]  # 제곱미터
            i -= 1
        b = _batchim(text[i]) if i >= 0 else 0
        has, none = JOSA[m.group(1)]
        if m.group(1) == "으로" and b == 8:
            return "로"
        return has if b else none

    return re.sub(r"<(" + "|".join(JOSA) + r")>", pick, text)


def nice(x: float) -> float | int:
    """A round number near ``x`` (2 significant digits)."""
    if x == 0:
        return 0
    mag = 10 ** max(0, int(math.floor(math.log10(abs(x)))) - 1)
    v = round(x / mag) * mag
    return int(v) if abs(x) >= 10 or float(v).is_integer() else round(x, 1)


def num_text(x, unit: str, rng: random.Random) -> str:
    """A number as a question writes it: 1,200원, 1200원 or 3억 5000만 원."""
    if isinstance(x, float) and not x.is_integer():
        s = f"{x:g}"
    elif unit == "원" and x >= 10000 and x % 10000 == 0 and rng.random() < 0.5:
        man = int(x // 10000)
        s = (f"{man // 10000}억" + (f" {man % 10000}만" if man % 10000 else "")) if man >= 10000 else f"{man:,}만"
        return s + " 원"
    else:
        s = f"{int(x):,}" if rng.random() < 0.6 else str(int(x))
    return s + unit if unit else s


def value_text(v, rng: random.Random) -> str:
    """A stored value as said in a question, sometimes in quotes."""
    return f"'{v}'" if rng.random() < 0.25 else str(v)


def ko_list(nouns: list[str]) -> str:
    """'a, b<과> c' (the particle resolved later by ``josa``)."""
    return nouns[0] if len(nouns) == 1 else ", ".join(nouns[:-1]) + "<과> " + nouns[-1]
