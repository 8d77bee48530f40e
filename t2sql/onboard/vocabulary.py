"""Korean words for English identifiers, and Hangul loanwords matched back to English.

Three sources, tried in order: the generic glossary shipped in ``t2sql/data/glossary`` (words,
phrases, identifier abbreviations), a phonetic match of Hangul loanwords against identifier words
(이메일 ~ Email, 플레이리스트 ~ Playlist, 브라질 ~ Brazil), and the cross-lingual embedding as a
last resort. Nothing here knows any particular database.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cached_property, lru_cache
from pathlib import Path

GLOSSARY_DIR = Path(__file__).resolve().parents[1] / "data" / "glossary"
HANGUL = re.compile(r"[가-힣]+")
# Particles and endings stripped from a question word before it is looked up (longest first).
PARTICLES = sorted(
    [
        "은",
        "는",
        "이",
        "가",
        "을",
        "를",
        "의",
        "에",
        "에서",
        "에게",
        "께",
        "로",
        "으로",
        "와",
        "과",
        "도",
        "만",
        "별",
        "들",
        "까지",
        "부터",
        "보다",
        "처럼",
        "이나",
        "나",
        "랑",
        "이랑",
        "하고",
        "에는",
        "에서는",
        "으로는",
        "로는",
        "이라는",
        "라는",
        "인",
        "이고",
        "이며",
        "중",
        "중에서",
        "마다",
        "당",
        "로부터",
        "에게서",
        "한테",
        "이라고",
        "라고",
        "씩",
        "이야",
        "야",
        "이에요",
        "예요",
        "입니다",
        "인가요",
        "인지",
        "이지",
        "지",
        "들의",
        "들이",
        "들을",
        "들은",
        "들은",
        "들에",
        "의한",
    ],
    key=len,
    reverse=True,
)


@dataclass
class Glossary:
    words: dict[str, list[str]] = field(default_factory=dict)  # english word/phrase -> Korean terms
    abbreviations: dict[str, str] = field(default_factory=dict)  # abbr -> english expansion
    proper_nouns: dict[str, list[str]] = field(default_factory=dict)  # English name -> Korean renderings

    @cached_property
    def korean_to_proper(self) -> dict[str, str]:
        """Korean rendering -> English proper noun (브라질 -> Brazil); the first English name wins."""
        out: dict[str, str] = {}
        for en, kos in self.proper_nouns.items():
            for ko in kos:
                out.setdefault(ko, en)
        return out

    @cached_property
    def hangul_terms(self) -> dict[str, int]:
        """The word list's one-word Hangul terms of two syllables or more, with how many entries use each."""
        uses: dict[str, int] = {}
        for term in (t for terms in self.words.values() for t in terms):
            if HANGUL.fullmatch(term) and len(term) >= 2:
                uses[term] = uses.get(term, 0) + 1
        return uses

    @cached_property
    def romanized(self) -> dict[str, list[tuple[str, str]]]:
        """Romanized shape -> [(romanization, Korean term)] of the word list's Hangul terms."""
        out: dict[str, list[tuple[str, str]]] = {}
        for term in self.hangul_terms:
            roman = romanize(term)
            out.setdefault(romanized_shape(roman), []).append((roman, term))
        return out

    def from_romanized(self, word: str, min_ratio: float = 0.8) -> str | None:
        """The Korean term a romanized identifier word spells (gogaek -> 고객, bohumryo -> 보험료)."""
        best = max(
            (
                (SequenceMatcher(None, word, roman).ratio(), term)
                for roman, term in self.romanized.get(romanized_shape(word), [])
            ),
            default=(0.0, None),
        )
        return best[1] if best[0] >= min_ratio else None

    @cached_property
    def readings(self) -> dict[str, str]:
        """Loose romanization -> the word list's Hangul term that reads so (the most used one of homophones):
        'gyeoljae' -> 결제, 'yeollam' -> 열람, 'hakbun' -> 학번."""
        uses = self.hangul_terms
        out: dict[str, str] = {}
        for term in sorted(uses, key=lambda t: -uses[t]):
            for roman in (romanize(term), romanize(term, pronounced=True)):
                out.setdefault(loose_roman(roman), term)
        return out

    @cached_property
    def syllables(self) -> dict[str, int]:
        """How often each Hangul syllable occurs in the word list's terms (to read romanized words)."""
        counts: dict[str, int] = {}
        for terms in self.words.values():
            for syllable in (ch for term in terms for ch in term if HANGUL.fullmatch(ch)):
                counts[syllable] = counts.get(syllable, 0) + 1
        return counts

    @cached_property
    def korean_terms(self) -> frozenset[str]:
        """Every Korean term of the word list (native words are never matched by sound)."""
        return frozenset(t for terms in self.words.values() for t in terms)


def _read_tsv(path: Path) -> list[tuple[str, str]]:
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        key, value = line.split("\t", 1)
        if key.strip() and value.strip():
            rows.append((key.strip(), value.strip()))
    return rows


@lru_cache(maxsize=4)
def load_glossary(folder: Path = GLOSSARY_DIR) -> Glossary:
    """The shipped generic glossary (a missing file is an empty section, not an error)."""
    glossary = Glossary()
    for key, value in _read_tsv(folder / "words.tsv"):
        terms = glossary.words.setdefault(key.lower(), [])
        terms += [t.strip() for t in value.split("|") if t.strip() and t.strip() not in terms]
    for key, value in _read_tsv(folder / "abbreviations.tsv"):
        glossary.abbreviations.setdefault(key.lower(), value.lower())
    for key, value in _read_tsv(folder / "proper_nouns.tsv"):
        terms = glossary.proper_nouns.setdefault(key, [])
        terms += [t.strip() for t in value.split("|") if t.strip() and t.strip() not in terms]
    return glossary


def romanized_shape(text: str) -> str:
    """Consonants with vowel runs collapsed: 'bohumryo' and romanize('보험료') = 'boheomryo' agree."""
    return re.sub(r"[aeiouwy]+", "V", text.lower())


def loose_roman(text: str) -> str:
    """A romanized word with the spellings people vary on made equal (eo/u, ae/e, r/l, doubled letters):
    'bohumryo' ~ 'boheomryo', 'gyeoljae' ~ 'gyeolje', 'yeolram' ~ 'yeollam'."""
    s = text.lower().replace("eo", "u").replace("ae", "e").replace("r", "l")
    return re.sub(r"(.)\1+", r"\1", s)


def romanized_readings(words: set[str], glossary: Glossary, min_known: int = 3) -> dict[str, str]:
    """Identifier words read back into Hangul, for a schema named in romanized Korean (``gaip_il``,
    ``dokja``, ``yeollam_dt``); {} for any other schema, whose unknown words stay as they are.

    A schema counts as romanized Korean when at least ``min_known`` of its words (and a third of
    those the glossary does not know as English) spell a Korean term of the word list. Then each
    such word gets that term, and every other word that parses as Revised Romanization gets its
    syllables (``pilmyeong`` -> 필명, ``il`` -> 일): a romanized name *is* the Korean word."""
    unknown = {w for w in words if w.isalpha() and w not in glossary.words and w not in glossary.abbreviations}
    known = {w: glossary.readings[loose_roman(w)] for w in unknown if loose_roman(w) in glossary.readings}
    if len(known) < min_known or 3 * len(known) < len(unknown):
        return {}
    out = dict(known)
    for word in unknown - known.keys():
        if hangul := read_romanized(word, glossary.syllables):
            out[word] = hangul
    return out


def glossary_hash(folder: Path = GLOSSARY_DIR) -> str:
    """Changes when any glossary file changes (onboarding redoes the vocabulary then)."""

    digest = hashlib.sha256()
    for name in ("words.tsv", "abbreviations.tsv", "proper_nouns.tsv"):
        path = folder / name
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()[:16]


def split_identifier(name: str) -> list[str]:
    """``BillingCountry`` / ``billing_country`` / ``BILLING-COUNTRY`` / ``tbl_cust2`` -> lowercase words."""
    parts = re.split(r"[^A-Za-z0-9]+", name)
    words = []
    for part in parts:
        words += re.findall(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+", part)
    return [w.lower() for w in words if w and not w.isdigit()]


def expand(words: list[str], glossary: Glossary) -> list[str]:
    """Identifier abbreviations spelled out (``cust_nm`` -> customer name); ``id`` stays ``id``."""
    out = []
    for w in words:
        if w not in glossary.words and w in glossary.abbreviations:
            out += glossary.abbreviations[w].split()
        else:
            out.append(w)
    return out


def _singular(word: str) -> str:
    for suffix, repl in (("ies", "y"), ("ses", "s"), ("xes", "x"), ("s", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)] + repl
    return word


def translate(words: list[str], glossary: Glossary, readings: dict[str, str] | None = None) -> list[list[str]]:
    """Korean terms per phrase, longest glossary phrase first: [['청구'], ['국가', '나라']].

    Words the glossary does not know are read from ``readings`` (``romanized_readings``), else
    matched to a term by sound when they look romanized, else come back as their English word
    (the caller may try the embedding fallback on them).
    """
    readings = readings or {}
    out, i = [], 0
    while i < len(words):
        for j in range(min(len(words), i + 4), i, -1):
            phrase = " ".join(words[i:j])
            for key in (phrase, _singular(phrase)):
                if key in glossary.words:
                    out.append(glossary.words[key])
                    i = j
                    break
            else:
                continue
            break
        else:
            korean = readings.get(words[i]) or (glossary.from_romanized(words[i]) if len(words[i]) >= 4 else None)
            out.append([korean] if korean else [words[i]])
            i += 1
    return out


# --- Hangul loanwords -------------------------------------------------------------------------

_INITIAL = ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"]
_MEDIAL = [
    "a",
    "ae",
    "ya",
    "yae",
    "eo",
    "e",
    "yeo",
    "ye",
    "o",
    "wa",
    "wae",
    "oe",
    "yo",
    "u",
    "wo",
    "we",
    "wi",
    "yu",
    "eu",
    "ui",
    "i",
]
_FINAL = [
    "",
    "k",
    "k",
    "k",
    "n",
    "n",
    "n",
    "t",
    "l",
    "k",
    "m",
    "l",
    "l",
    "l",
    "p",
    "l",
    "m",
    "p",
    "p",
    "t",
    "t",
    "ng",
    "t",
    "t",
    "k",
    "t",
    "p",
    "t",
]


def romanize(hangul: str, pronounced: bool = False) -> str:
    """Revised Romanization, letter by letter (good enough to compare loanwords, not for display);
    ``pronounced`` applies the sound changes people write: 열람 yeollam, 학년 hangnyeon, 종료 jongnyo."""
    out: list[list[str]] = []  # [initial, medial, final] per syllable
    for ch in hangul:
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            out.append([_INITIAL[code // 588], _MEDIAL[(code % 588) // 28], _FINAL[code % 28]])
        else:
            out.append([ch.lower(), "", ""])
    if pronounced:
        for prev, cur in zip(out, out[1:]):
            if cur[0] == "r" and prev[2] in ("n", "l"):
                prev[2], cur[0] = "l", "l"
            elif cur[0] == "n" and prev[2] == "l":
                cur[0] = "l"
            elif cur[0] == "r" and prev[2] in ("m", "ng", "k", "p"):
                cur[0] = "n"
            if cur[0] in ("n", "m") and prev[2] in ("k", "t", "p"):
                prev[2] = {"k": "ng", "t": "n", "p": "m"}[prev[2]]
    return "".join("".join(s) for s in out)


_ONSET_INDEX = {v: i for i, v in enumerate(_INITIAL)} | {"l": 5}  # "" is ㅇ (a syllable that starts with a vowel)
_VOWEL_INDEX = {v: i for i, v in enumerate(_MEDIAL)}
_CODA_INDEX = {"": 0, "k": 1, "n": 4, "t": 19, "l": 8, "m": 16, "p": 17, "ng": 21}


def read_romanized(word: str, syllables: dict[str, int] | None = None) -> str | None:
    """Hangul for a word spelled in Revised Romanization (``yeollam`` -> 열람, ``nyeon`` -> 년), or None
    when it does not parse. Fewest syllables first, then the syllables Korean words use most
    (``syllables``: counts; 공용 over 곤굥, 회원권 over 회웡원), then consonants as onsets."""
    syllables = syllables or {}
    word = word.lower()
    best: dict[int, tuple[float, str]] = {0: (0.0, "")}  # position -> (cost, Hangul so far)
    for i in range(len(word)):
        if i not in best:
            continue
        cost, text = best[i]
        for onset in (o for o in _ONSET_INDEX if word.startswith(o, i)):
            j = i + len(onset)
            for vowel in (v for v in _VOWEL_INDEX if word.startswith(v, j)):
                k = j + len(vowel)
                for coda in (c for c in _CODA_INDEX if word.startswith(c, k)):
                    end = k + len(coda)
                    index = (_ONSET_INDEX[onset] * 21 + _VOWEL_INDEX[vowel]) * 28 + _CODA_INDEX[coda]
                    syllable = chr(0xAC00 + index)
                    uses = syllables.get(syllable, 0)
                    step = 10 + (0 if uses >= 20 else 1 if uses >= 3 else 3) + 0.5 * (not onset and i > 0)
                    if end not in best or cost + step < best[end][0]:
                        best[end] = (cost + step, text + syllable)
    return best[len(word)][1] if len(word) in best and word else None


_LATIN_RULES = [
    ("ph", "p"),
    ("ck", "k"),
    ("qu", "kw"),
    ("x", "ks"),
    ("th", "s"),
    ("sh", "s"),
    ("ch", "s"),
    ("ce", "se"),
    ("ci", "si"),
    ("cy", "sy"),
    ("c", "k"),
    ("q", "k"),
    ("f", "p"),
    ("v", "b"),
    ("z", "j"),
    ("l", "r"),
    ("d", "t"),
    ("g", "k"),
    ("b", "p"),
    ("j", "s"),
]


def phonetic_key(text: str) -> str:
    """Consonant skeleton shared by an English word and its Hangul rendering: fax ~ 팩스 -> 'pks'."""
    s = text.lower()
    if HANGUL.search(s):
        s = romanize(s)
    s = re.sub(r"[^a-z]", "", s)
    for a, b in _LATIN_RULES:
        s = s.replace(a, b)
    s = re.sub(r"ng", "n", s)
    s = re.sub(r"[aeiouwyh]", "", s)
    return re.sub(r"(.)\1+", r"\1", s)


def sounds_like(hangul: str, english: str) -> float:
    """0..1: how well a Hangul word transliterates an English word (1 = same consonant skeleton)."""
    a, b = phonetic_key(hangul), phonetic_key(english)
    if len(a) < 2 or len(b) < 2:
        return 0.0
    if a == b:
        vowels = SequenceMatcher(None, romanize(hangul), english.lower()).ratio()
        if len(a) < 3 and len(hangul) < 3 and vowels < 0.75:  # chance matches of short words (얼마 ~ Rome)
            return 0.8
        return 0.9 + 0.1 * vowels
    return SequenceMatcher(None, a, b).ratio() * 0.85


def stems(word: str) -> list[str]:
    """A question word and the word without its particle: 국가별로 -> 국가별로, 국가별, 국가."""
    out = [word]
    current = word
    for _ in range(2):
        for p in PARTICLES:
            if current.endswith(p) and len(current) - len(p) >= 1:
                current = current[: -len(p)]
                out.append(current)
                break
        else:
            break
    return out


def hangul_words(question: str) -> list[str]:
    """Every Hangul word of the question with its particle-stripped stems."""
    out: list[str] = []
    for token in HANGUL.findall(question):
        for s in stems(token):
            if s not in out:
                out.append(s)
    return out
