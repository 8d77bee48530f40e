"""Korean surnames, given-name syllables, regions and e-mail parts with how often each occurs: the one
table both the demo databases and the lab's procedural databases draw people and places from."""

from __future__ import annotations

REGIONS = {"서울": 30, "경기": 26, "인천": 6, "부산": 6.5, "대구": 4.5, "대전": 3, "광주": 2.8, "울산": 2,
           "세종": 0.8, "강원": 2.6, "충북": 2.6, "충남": 3.4, "전북": 2.8, "전남": 2.8, "경북": 4, "경남": 5.5,
           "제주": 1.3}
SURNAMES = {"김": 21.5, "이": 14.7, "박": 8.4, "최": 4.7, "정": 4.3, "강": 2.3, "조": 2.1, "윤": 2.0, "장": 2.0,
            "임": 1.7, "한": 1.5, "오": 1.5, "서": 1.5, "신": 1.5, "권": 1.4, "황": 1.4, "안": 1.3, "송": 1.3,
            "류": 1.1, "전": 1.1, "홍": 1.1, "고": 0.9, "문": 0.9, "양": 0.8, "손": 0.8}
GIVEN_FIRST = "민서지현수준도예하은유재승연채윤태성다시주정영우진"  # first syllable of a given name
GIVEN_LAST = {"남": "준호훈석혁우성민진현빈원", "여": "은아희연린영나윤서지원경"}  # second syllable, by gender
EMAIL_WORDS = ("minji", "jiho", "seoyeon", "hyun", "sky", "blue", "happy", "sunny", "kim", "lee", "park",
               "choi", "jun", "yuna", "daniel", "grace", "star", "moon", "coffee", "tiger", "dream", "ocean")
EMAIL_DOMAINS = {"naver.com": 45, "gmail.com": 30, "daum.net": 10, "kakao.com": 7, "hanmail.net": 5, "nate.com": 3}
