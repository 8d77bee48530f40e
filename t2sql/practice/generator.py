"""Verified Korean question -> SQL training pairs over procedurally generated business databases.

The small model is fine-tuned to read an *unseen* company's schema (DDL with Korean comments) and
write SQL, so the data is built to look like that situation:

* 13 business domains (HR, logistics, accounting, clinic, academy, SaaS, retail, hotel, real estate,
  manufacturing, insurance, food delivery, fitness) are written as small table specs (``DOMAINS``);
  each is realised in several variants (alternative table/column names, optional columns and
  tables, different category values, column types and row counts) as a real DuckDB file with
  Korean annotations in the ``schemas/*.yaml`` format. The project's sample databases (shop,
  marketing, game) are added to the training split.
* Question templates (``TEMPLATES``) cover filters, counts, aggregates, grouping, HAVING, top-N,
  2-3 table joins, date ranges, month grouping, ratios, average comparisons, IN subqueries, NULL
  handling, LIKE and window functions, with several polite and casual Korean phrasings each, using
  the Korean nouns of tables and columns and values exactly as stored.
* Every SQL is portable (it must run on SQLite and DuckDB alike) and is kept only when it runs on
  the DuckDB file and on an in-memory SQLite copy, both return the same rows, and the answer is
  not empty.
* The prompt context is what the retriever would show: the gold tables, their foreign-key
  neighbours (sometimes one dropped), sometimes an unrelated table or two, at most 6 tables.
* Splits are by database: whole domains are held out for validation and test, so the test split
  only has schemas the model never saw.

* ``augment`` adds what the app's prompt can carry besides the schema: similar verified pairs as
  examples, follow-up turns with the previous question and SQL, and repairs of a broken SQL with
  its real error message (train and validation splits only; the test split stays plain).

Relative dates: training questions use absolute dates only ("2024년 3월", "2023년 4분기");
relative phrases such as 지난달 or 올해 are rewritten to absolute ranges before prompting, so the
model never has to know today's date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import random
import re
import shutil
import sqlite3
import string
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable

from t2sql.practice import augment
from t2sql.errors import T2SQLError
from t2sql.retrieval.example_store import normalize_question, normalize_sql

SPLITS = ("train", "validation", "test")
HELD_OUT = {"test": ("hotel", "insurance"), "validation": ("fitness",)}
SKILLS = ("select_filter", "count", "count_distinct", "aggregate", "group_by", "having", "order_limit", "join",
          "join3", "date_range", "month_group", "ratio", "avg_compare", "in_subquery", "null_handling", "like",
          "window")
MAX_PROMPT_TABLES = 6

# ----------------------------------------------------------------------------------------------- domains
# "# key ; 설명" starts a domain, "@names ; counter ; rows ; descriptions ; synonyms" a table and an indented
# "names ; generator ; descriptions ; synonyms ; key=value ..." a column. "a|b" are alternatives a variant
# picks from; a leading "?" makes a table or column optional; "cat:a,b/c,d" lists alternative value sets.
DOMAINS = """
# hr ; 인사·급여 관리 데이터
@departments|depts|teams ; 개 ; 8-15 ; 부서 정보|회사 부서 목록 ; 부서,팀
  dept_id|department_id|id ; pk
  dept_name|name ; pool:영업팀,마케팅팀,개발팀,인사팀,재무팀,고객지원팀,품질관리팀,생산팀,디자인팀,법무팀,구매팀,전략기획팀,물류팀,연구개발팀,홍보팀 ; 부서명|부서 이름 ; 부서명,부서 이름
  location|region|office_region ; city ; 부서가 위치한 지역|근무지 지역 ; 지역,근무지
  ?budget|annual_budget ; money:50000000,900000000,1000000 ; 연간 예산 (원) ; 예산,연간 예산 ; unit=원
@employees|staff|emp ; 명 ; 80-400 ; 직원 기본 정보|임직원 마스터 ; 직원,사원,임직원
  emp_id|employee_id|id ; pk
  name|emp_name|full_name ; person ; 직원 이름|성명 ; 이름,직원 이름,성명
  dept_id ; fk:departments ; 소속 부서 번호
  position|job_title|rank ; cat:사원,대리,과장,차장,부장/사원,주임,선임,책임,수석 ; 직급 ; 직급,직위
  ?gender ; cat:남,여/M,F ; 성별 ; 성별
  hire_date|hired_on|join_date ; date:2012-01-01,2025-06-30 ; 입사일 ; 입사일,입사 날짜 ; ev=입사한
  ?resign_date|left_on ; after:hire_date,90,3000 ; 퇴사일 (재직 중이면 NULL) ; 퇴사일 ; null=0.8 ; ev=퇴사한
  salary|annual_salary ; money:28000000,120000000,100000 ; 연봉 (원) ; 연봉,급여 ; unit=원
  employment_type|emp_type ; cat:정규직,계약직,인턴/정규,계약,파견 ; 고용 형태 ; 고용 형태,근무 형태
  ?is_remote|remote_yn ; bool:0.2 ; 재택근무 여부 ; 재택근무 여부 ; yes=재택근무하는 ; no=사무실로 출근하는
  ?email|work_email ; email ; 회사 이메일 ; 이메일 ; null=0.05
  ?phone|mobile ; phone ; 휴대전화 번호 ; 전화번호,연락처 ; null=0.1
@payroll|salary_payments|pay_history ; 건 ; 200-500 ; 월별 급여 지급 내역 ; 급여 지급,급여 지급 내역
  pay_id|payment_id|id ; pk
  emp_id ; fk:employees ; 급여를 받은 직원 번호
  pay_date|paid_on ; date:2023-01-01,2025-12-31 ; 급여 지급일 ; 지급일,급여 지급일 ; ev=지급된
  base_pay|base_amount ; money:2000000,8000000,10000 ; 기본급 (원) ; 기본급 ; unit=원
  bonus|bonus_amount ; money:100000,3000000,10000 ; 상여금 (원), 없으면 NULL ; 상여금,보너스 ; unit=원 ; null=0.4
  ?tax_amount|withholding_tax ; money:100000,900000,1000 ; 원천징수 세액 (원) ; 원천징수 세액,세금 ; unit=원
@?leave_requests|vacations|leaves ; 건 ; 100-400 ; 휴가 신청 내역 ; 휴가 신청,휴가
  leave_id|request_id|id ; pk
  emp_id ; fk:employees ; 신청한 직원 번호
  leave_type|kind ; cat:연차,반차,병가,경조사/연차휴가,오전반차,오후반차,병가 ; 휴가 종류 ; 휴가 종류,휴가 유형
  start_date|leave_from ; date:2023-01-01,2025-12-31 ; 휴가 시작일 ; 휴가 시작일,시작일 ; ev=시작된
  days|leave_days ; int:1,5 ; 사용 일수 ; 사용 일수,휴가 일수 ; unit=일 ; add=1
  status|approval_status ; cat:승인,대기,반려/승인완료,검토중,반려 ; 결재 상태 ; 결재 상태,승인 상태
@?evaluations|performance_reviews ; 건 ; 80-300 ; 인사 평가 결과 ; 인사 평가,평가
  eval_id|review_id|id ; pk
  emp_id ; fk:employees ; 평가 대상 직원 번호
  eval_date|reviewed_on ; date:2022-01-01,2025-12-31 ; 평가일 ; 평가일 ; ev=실시된
  score|eval_score ; float:50,100,1 ; 평가 점수 (100점 만점) ; 평가 점수,점수 ; unit=점
  grade|eval_grade ; cat:S,A,B,C,D ; 평가 등급 ; 평가 등급,고과 등급

# logistics ; 물류·배송 관리 데이터
@warehouses|depots|centers ; 곳 ; 6-14 ; 물류 창고(센터) 정보 ; 창고,물류센터,센터
  warehouse_id|depot_id|id ; pk
  name|warehouse_name ; pool:수도권1센터,수도권2센터,이천센터,용인센터,평택센터,부산센터,대구센터,광주센터,대전센터,천안센터,김해센터,인천센터,청주센터,원주센터 ; 창고 이름 ; 창고명,센터명
  region|city ; city ; 창고 소재 지역 ; 지역,소재지
  capacity|max_capacity ; int:5000,50000 ; 최대 보관 용량 (팔레트 수) ; 보관 용량,용량 ; unit=팔레트 ; add=1
  ?opened_on|open_date ; date:2015-01-01,2023-12-31 ; 개소일 ; 개소일,오픈일 ; ev=문을 연
@carriers|couriers|delivery_companies ; 곳 ; 5-10 ; 운송사(택배사) 정보 ; 운송사,택배사
  carrier_id|courier_id|id ; pk
  name|carrier_name ; pool:한빛택배,신속로지스,바로배송,국민물류,하나익스프레스,동방운송,새벽배송,온누리택배,대한특송,스피드로지 ; 운송사 이름 ; 운송사명,택배사 이름
  carrier_type|service_type ; cat:택배,화물,퀵/일반택배,화물운송,당일배송 ; 운송 유형 ; 운송 유형,서비스 유형
  ?base_fee|contract_rate ; money:2000,6000,100 ; 건당 기본 운임 (원) ; 기본 운임,건당 운임 ; unit=원 ; add=0
@shipments|deliveries|shipping_orders ; 건 ; 200-500 ; 배송(출고) 건 ; 배송,출고,배송 건
  shipment_id|delivery_id|id ; pk
  warehouse_id ; fk:warehouses ; 출고 창고 번호
  carrier_id ; fk:carriers ; 배송 운송사 번호
  receiver_name|recipient ; person ; 받는 사람 이름 ; 수취인,받는 사람
  dest_region|destination ; city ; 배송지 지역 ; 배송지,도착 지역
  status|delivery_status ; cat:배송완료,배송중,출고대기,반송/완료,이동중,대기,반품 ; 배송 상태 ; 배송 상태,상태
  weight_kg|weight ; float:0.5,30,1 ; 화물 무게 (kg) ; 무게,중량 ; unit=kg ; add=1
  shipping_fee|fee ; money:2500,30000,100 ; 배송비 (원) ; 배송비,운임 ; unit=원
  shipped_at|dispatched_at ; ts:2023-01-01,2025-12-31 ; 출고 시각 ; 출고일,출고 시각 ; ev=출고된
  ?delivered_at ; after:shipped_at,0,7 ; 배송 완료 시각 (미완료면 NULL) ; 배송 완료일,도착일 ; null=0.25 ; ev=배송 완료된
  ?is_fragile|fragile ; bool:0.15 ; 파손 주의 화물 여부 ; 파손 주의 ; yes=파손 주의 표시가 된 ; no=파손 주의 표시가 없는
@?delivery_issues|claims|incidents ; 건 ; 50-150 ; 배송 사고·문의 접수 내역 ; 배송 사고,사고 접수,클레임
  issue_id|claim_id|id ; pk
  shipment_id ; fk:shipments ; 관련 배송 번호
  issue_type|category ; cat:파손,분실,지연,오배송/상품 파손,분실,배송 지연,주소 오류 ; 사고 유형 ; 사고 유형,문의 유형
  reported_at|created_at ; ts:2023-01-01,2025-12-31 ; 접수 시각 ; 접수일,접수 시각 ; ev=접수된
  compensation|refund_amount ; money:0,200000,1000 ; 보상 금액 (원) ; 보상 금액,보상액 ; unit=원 ; null=0.3
  ?resolved|is_resolved ; bool:0.7 ; 처리 완료 여부 ; 처리 여부 ; yes=처리가 끝난 ; no=아직 처리되지 않은

# finance ; 재무·회계 데이터
@accounts|gl_accounts|chart_of_accounts ; 개 ; 20-40 ; 회계 계정과목 ; 계정과목,계정
  account_id|account_code|id ; pk
  account_name|name ; pool:현금,보통예금,외상매출금,미수금,선급금,재고자산,비품,차량운반구,외상매입금,미지급금,예수금,단기차입금,자본금,상품매출,용역매출,이자수익,급여,복리후생비,여비교통비,접대비,통신비,수도광열비,세금과공과,감가상각비,임차료,수선비,보험료,광고선전비,운반비,교육훈련비,도서인쇄비,소모품비,지급수수료,이자비용,잡손실,잡이익,대손상각비,연구개발비,사무용품비,외화환산이익 ; 계정과목명 ; 계정과목명,계정 이름
  account_type|category ; cat:자산,부채,자본,수익,비용 ; 계정 유형 (자산/부채/자본/수익/비용) ; 계정 유형,계정 구분
  ?is_active ; bool:0.9 ; 사용 여부 ; 사용 여부 ; yes=사용 중인 ; no=사용하지 않는
@vendors|suppliers|partners ; 곳 ; 30-120 ; 거래처 정보 ; 거래처,협력사,공급업체
  vendor_id|partner_id|id ; pk
  vendor_name|company_name|name ; combo:(주)한결,(주)대성,(주)미래,(주)세진,(주)동원,(주)한솔,(주)태영,(주)우진/산업,상사,테크,물산,유통,솔루션 ; 거래처 상호 ; 거래처명,상호
  region|city ; city ; 거래처 소재지 ; 지역,소재지
  vendor_grade|grade ; cat:A,B,C/우수,일반,관리 ; 거래처 등급 ; 거래처 등급,등급
  ?industry|biz_type ; cat:제조,도소매,서비스,건설,IT/제조업,도매업,서비스업,건설업 ; 업종 ; 업종
@invoices|bills|tax_invoices ; 건 ; 150-500 ; 매입·매출 세금계산서 ; 세금계산서,계산서
  invoice_id|bill_id|id ; pk
  vendor_id ; fk:vendors ; 거래처 번호
  invoice_type|direction ; cat:매출,매입 ; 구분 (매출/매입) ; 계산서 구분,매출입 구분
  issue_date|issued_on ; date:2022-01-01,2025-12-31 ; 발행일 ; 발행일,작성일 ; ev=발행된
  supply_amount|net_amount ; money:100000,50000000,1000 ; 공급가액 (원) ; 공급가액,공급가 ; unit=원
  vat|tax_amount ; money:10000,5000000,100 ; 부가세 (원) ; 부가세,세액 ; unit=원
  status|payment_status ; cat:지급완료,미지급,부분지급/완납,미납,부분납 ; 결제 상태 ; 결제 상태,지급 상태
  due_date ; after:issue_date,15,60 ; 지급 기한 ; 지급 기한,만기일
@journal_entries|transactions|ledger ; 건 ; 300-500 ; 회계 전표 (분개) ; 전표,분개,회계 전표
  entry_id|txn_id|id ; pk
  account_id ; fk:accounts ; 계정과목 번호
  ?invoice_id ; fk:invoices ; 관련 계산서 번호 ; null=0.4
  entry_date|posted_on ; date:2022-01-01,2025-12-31 ; 전표 일자 ; 전표일,회계 일자 ; ev=기표된
  debit|debit_amount ; money:0,20000000,1000 ; 차변 금액 (원) ; 차변 금액,차변 ; unit=원
  credit|credit_amount ; money:0,20000000,1000 ; 대변 금액 (원) ; 대변 금액,대변 ; unit=원
  memo|description ; text:월 정산,카드 대금 정산,임차료 지급,급여 이체,매출 입금,외상 대금 회수,비품 구입,출장비 정산 ; 적요 ; 적요,메모 ; null=0.2

# clinic ; 병원·진료 관리 데이터
@departments|clinics|medical_departments ; 개 ; 6-12 ; 진료과 ; 진료과
  dept_id|clinic_id|id ; pk
  dept_name|name ; pool:내과,외과,소아청소년과,정형외과,피부과,안과,이비인후과,산부인과,신경과,정신건강의학과,재활의학과,가정의학과 ; 진료과 이름 ; 진료과명,진료과 이름
  floor|floor_no ; int:1,8 ; 진료실 층수 ; 층,층수 ; unit=층
@doctors|physicians|medical_staff ; 명 ; 20-60 ; 의사(의료진) 정보 ; 의사,의료진,담당의
  doctor_id|physician_id|id ; pk
  name|doctor_name ; person ; 의사 이름 ; 의사 이름,이름
  dept_id ; fk:departments ; 소속 진료과 번호
  title|position ; cat:전문의,전공의,교수,과장/전문의,펠로우,부교수,교수 ; 직위 ; 직위,직급
  career_years|experience_years ; int:1,30 ; 경력 연수 ; 경력,경력 연수 ; unit=년
@patients|patient_master ; 명 ; 150-500 ; 환자 기본 정보 ; 환자,내원객
  patient_id|chart_no|id ; pk
  name|patient_name ; person ; 환자 이름 ; 환자 이름,이름,환자명
  gender|sex ; cat:남,여/M,F ; 성별 ; 성별
  age ; int:1,90 ; 나이 ; 나이,연령 ; unit=세
  region|city ; city ; 거주 지역 ; 거주 지역,지역
  insurance_type|coverage ; cat:건강보험,의료급여,자동차보험,일반/국민건강보험,의료급여,산재보험,비급여 ; 보험 유형 ; 보험 유형,보험 종류
  first_visit|registered_on ; date:2018-01-01,2025-12-31 ; 최초 내원일 ; 최초 내원일,첫 방문일 ; ev=처음 내원한
  ?phone ; phone ; 연락처 ; 전화번호,연락처 ; null=0.1
  ?allergy|allergy_note ; text:페니실린 알레르기,아스피린 알레르기,조영제 알레르기,땅콩 알레르기,계란 알레르기 ; 알레르기 정보 (없으면 NULL) ; 알레르기,알레르기 정보 ; null=0.8
@appointments|visits|encounters ; 건 ; 300-500 ; 진료 예약·내원 기록 ; 진료,진료 예약,내원
  appointment_id|visit_id|id ; pk
  patient_id ; fk:patients ; 환자 번호
  doctor_id ; fk:doctors ; 담당 의사 번호
  visit_at|scheduled_at|appointment_time ; ts:2023-01-01,2025-12-31 ; 진료 일시 ; 진료일,진료 일시 ; ev=예약된
  visit_type|kind ; cat:초진,재진,응급/초진,재진,검진 ; 진료 구분 ; 진료 구분,방문 유형
  status ; cat:완료,예약,취소,노쇼/진료완료,예약중,취소,미방문 ; 진료 상태 ; 진료 상태,상태
  fee|total_fee ; money:5000,300000,100 ; 진료비 (원) ; 진료비,진료 금액 ; unit=원
@?prescriptions|medications ; 건 ; 200-500 ; 처방 내역 ; 처방,처방전
  prescription_id|rx_id|id ; pk
  appointment_id ; fk:appointments ; 진료 번호
  drug_name|medicine ; combo:타이레놀,아모잘탄,리피토,글루코파지,판토록,오구멘틴,소론도,지르텍/정,캡슐,시럽 ; 약품명 ; 약 이름,약품명
  dose_days|days ; int:1,30 ; 처방 일수 ; 처방 일수,투약 일수 ; unit=일 ; add=1
  quantity|qty ; int:1,90 ; 처방 수량 ; 처방 수량,처방량 ; unit=개 ; add=1

# academy ; 학원·교육 관리 데이터
@teachers|instructors|tutors ; 명 ; 10-30 ; 강사 정보 ; 강사,선생님
  teacher_id|instructor_id|id ; pk
  name|teacher_name ; person ; 강사 이름 ; 강사 이름,이름,강사명
  subject|major ; cat:수학,영어,국어,과학,코딩/수학,영어,국어,사회,과학 ; 담당 과목 ; 담당 과목,과목
  hourly_rate|pay_rate ; money:30000,120000,1000 ; 시간당 강사료 (원) ; 시간당 강사료,강사료 ; unit=원 ; add=0
  hired_on|join_date ; date:2015-01-01,2025-06-30 ; 채용일 ; 채용일,입사일 ; ev=채용된
@courses|classes|lectures ; 개 ; 20-60 ; 개설 강좌 ; 강좌,수업,강의
  course_id|class_id|id ; pk
  course_name|title ; combo:기초,심화,실전,내신,수능,특강/수학,영어 회화,문법,독해,물리,화학,파이썬,국어 ; 강좌명 ; 강좌명,강좌 이름,수업 이름
  teacher_id ; fk:teachers ; 담당 강사 번호
  level|difficulty ; cat:초급,중급,고급/입문,기본,심화 ; 난이도 ; 난이도,수준
  tuition|fee ; money:100000,600000,10000 ; 수강료 (원) ; 수강료,수업료 ; unit=원
  capacity|max_students ; int:10,40 ; 정원 ; 정원,최대 인원 ; unit=명 ; add=1
  start_date|opens_on ; date:2022-01-01,2025-12-31 ; 개강일 ; 개강일,시작일 ; ev=개강한
  ?is_online|online ; bool:0.3 ; 온라인 강좌 여부 ; 온라인 여부 ; yes=온라인으로 진행되는 ; no=오프라인으로 진행되는
@students|learners|pupils ; 명 ; 100-500 ; 수강생 정보 ; 학생,수강생,원생
  student_id|learner_id|id ; pk
  name|student_name ; person ; 학생 이름 ; 학생 이름,이름
  grade|school_year ; cat:중1,중2,중3,고1,고2,고3/초6,중1,중2,중3,고1,고2 ; 학년 ; 학년
  region|home_region ; city ; 거주 지역 ; 지역,거주 지역
  joined_on|registered_at ; date:2021-01-01,2025-12-31 ; 등록일 ; 등록일,가입일 ; ev=등록한
  ?parent_phone|guardian_phone ; phone ; 보호자 연락처 ; 보호자 연락처 ; null=0.1
@enrollments|registrations|course_students ; 건 ; 200-500 ; 수강 신청 내역 ; 수강 신청,수강 등록
  enrollment_id|registration_id|id ; pk
  student_id ; fk:students ; 학생 번호
  course_id ; fk:courses ; 강좌 번호
  enrolled_at|applied_on ; date:2022-01-01,2025-12-31 ; 신청일 ; 신청일,수강 신청일 ; ev=접수된
  status ; cat:수강중,수료,환불,대기/진행중,완료,취소,대기 ; 수강 상태 ; 수강 상태,상태
  paid_amount|payment ; money:50000,600000,1000 ; 결제 금액 (원) ; 결제 금액,납부액 ; unit=원
@?exam_scores|test_results|grades ; 건 ; 200-500 ; 시험 성적 ; 시험 성적,성적
  score_id|result_id|id ; pk
  enrollment_id ; fk:enrollments ; 수강 신청 번호
  exam_type|test_kind ; cat:중간고사,기말고사,모의고사,쪽지시험 ; 시험 종류 ; 시험 종류
  score|points ; int:20,100 ; 점수 (100점 만점) ; 점수,시험 점수 ; unit=점
  exam_date|taken_on ; date:2022-01-01,2025-12-31 ; 시험일 ; 시험일,응시일 ; ev=치른

# saas ; SaaS 구독·결제 데이터
@plans|pricing_plans ; 개 ; 4-8 ; 요금제 ; 요금제,플랜
  plan_id|id ; pk
  plan_name|name ; pool:무료,스타터,베이직,스탠다드,프로,비즈니스,엔터프라이즈,팀 ; 요금제 이름 ; 요금제명,플랜 이름
  monthly_price|price ; money:9900,990000,100 ; 월 요금 (원) ; 월 요금,가격 ; unit=원 ; add=0
  max_users|seat_limit ; int:1,500 ; 최대 사용자 수 ; 최대 사용자 수,좌석 한도 ; unit=명
@companies|accounts|customers ; 곳 ; 80-400 ; 고객사(가입 회사) ; 고객사,회사,가입 기업
  company_id|account_id|id ; pk
  company_name|name ; combo:한빛,누리,다온,새봄,온결,라움,해솔,미르,가람,도담/소프트,테크,랩스,커머스,헬스,에듀,파트너스 ; 회사명 ; 회사명,고객사명
  industry|sector ; cat:IT,제조,유통,금융,교육,의료/소프트웨어,제조업,이커머스,핀테크,교육,헬스케어 ; 업종 ; 업종,산업
  company_size|size ; cat:스타트업,중소기업,중견기업,대기업/1-10명,11-50명,51-200명,200명 이상 ; 회사 규모 ; 회사 규모,규모
  region|city ; city ; 본사 지역 ; 지역,본사 위치
  signed_up_at|created_at ; ts:2022-01-01,2025-12-31 ; 가입 일시 ; 가입일,가입 시각 ; ev=가입한
  ?churned|is_churned ; bool:0.2 ; 해지(이탈) 여부 ; 이탈 여부 ; yes=이탈한 ; no=이용 중인
@subscriptions|contracts ; 건 ; 100-500 ; 구독 계약 ; 구독,구독 계약
  subscription_id|contract_id|id ; pk
  company_id ; fk:companies ; 고객사 번호
  plan_id ; fk:plans ; 요금제 번호
  billing_cycle|cycle ; cat:월간,연간/월 결제,연 결제 ; 결제 주기 ; 결제 주기
  status ; cat:활성,해지,일시정지,체험중/active,canceled,paused,trial ; 구독 상태 ; 구독 상태,상태
  started_at|start_date ; date:2022-01-01,2025-12-31 ; 구독 시작일 ; 구독 시작일,시작일 ; ev=시작된
  ended_at|end_date ; after:started_at,30,900 ; 구독 종료일 (유지 중이면 NULL) ; 종료일,해지일 ; null=0.6 ; ev=종료된
  seats|user_count ; int:1,200 ; 사용 좌석 수 ; 좌석 수,사용자 수 ; unit=석 ; add=1
@invoices|billing|payments ; 건 ; 200-500 ; 청구·결제 내역 ; 청구,청구서,결제
  invoice_id|payment_id|id ; pk
  subscription_id ; fk:subscriptions ; 구독 번호
  billed_on|invoice_date ; date:2022-01-01,2025-12-31 ; 청구일 ; 청구일 ; ev=청구된
  amount|total_amount ; money:9900,5000000,100 ; 청구 금액 (원) ; 청구 금액,금액,매출 ; unit=원
  paid|is_paid ; bool:0.85 ; 결제 완료 여부 ; 결제 여부 ; yes=결제가 완료된 ; no=아직 결제되지 않은
  payment_method|method ; cat:카드,계좌이체,가상계좌/신용카드,자동이체,세금계산서 ; 결제 수단 ; 결제 수단
@?support_tickets|tickets|inquiries ; 건 ; 100-400 ; 고객 지원 문의 티켓 ; 문의,지원 티켓,티켓
  ticket_id|id ; pk
  company_id ; fk:companies ; 문의한 고객사 번호
  category|ticket_type ; cat:결제,버그,기능 문의,계정/요금,오류,사용법,계정 ; 문의 유형 ; 문의 유형,카테고리
  priority ; cat:높음,보통,낮음/긴급,높음,보통,낮음 ; 우선순위 ; 우선순위,중요도
  opened_at|created_at ; ts:2022-01-01,2025-12-31 ; 접수 시각 ; 접수일,접수 시각 ; ev=접수된
  resolved_at|closed_at ; after:opened_at,0,20 ; 해결 시각 (미해결이면 NULL) ; 해결 시각,처리 완료 시각 ; null=0.3
  satisfaction|csat ; int:1,5 ; 만족도 점수 (1~5) ; 만족도,만족도 점수 ; unit=점 ; null=0.4

# retail ; 오프라인 매장·판매 데이터
@stores|shops|branches ; 곳 ; 10-20 ; 매장 정보 ; 매장,지점,점포
  store_id|branch_id|id ; pk
  store_name|name ; pool:강남점,홍대점,잠실점,해운대점,서면점,동성로점,둔산점,수원역점,판교점,일산점,분당점,송도점,청주점,전주점,충장로점,광교점,제주점,천안점,김해점,인천터미널점 ; 매장 이름 ; 매장명,지점명
  region|city ; city ; 매장 지역 ; 지역
  store_type|format ; cat:직영,가맹/직영점,가맹점,팝업 ; 운영 형태 ; 운영 형태,매장 유형
  area_m2|floor_area ; float:30,500,1 ; 매장 면적 (㎡) ; 면적,매장 면적 ; unit=㎡ ; add=1
  opened_on|open_date ; date:2010-01-01,2025-06-30 ; 개점일 ; 개점일,오픈일 ; ev=개점한
@products|items|goods ; 개 ; 60-300 ; 판매 상품 ; 상품,제품,품목
  product_id|item_id|sku_id|id ; pk
  product_name|name ; combo:프리미엄,유기농,국산,대용량,미니,저당,무첨가/우유,생수,라면,커피,초콜릿,샴푸,휴지,세제,과자,주스 ; 상품명 ; 상품명,상품 이름,제품명
  category|category_name ; cat:식품,음료,생활용품,뷰티,가공식품/신선식품,음료,생활,뷰티,간편식 ; 상품 분류 ; 카테고리,분류
  unit_price|price ; money:500,50000,100 ; 판매 단가 (원) ; 판매가,단가,가격 ; unit=원 ; add=0
  ?cost_price|cost ; money:300,30000,100 ; 매입 원가 (원) ; 원가,매입가 ; unit=원 ; add=0
  ?discontinued|is_discontinued ; bool:0.1 ; 단종 여부 ; 단종 여부 ; yes=단종된 ; no=판매 중인
@staff|employees|clerks ; 명 ; 50-150 ; 매장 직원 ; 직원,점원,매장 직원
  staff_id|employee_id|id ; pk
  name|staff_name ; person ; 직원 이름 ; 직원 이름,이름
  store_id ; fk:stores ; 근무 매장 번호
  role|position ; cat:점장,매니저,판매직원,아르바이트/점장,부점장,정직원,파트타이머 ; 직책 ; 직책,역할
  hourly_wage|wage ; money:9860,20000,10 ; 시급 (원) ; 시급 ; unit=원 ; add=0
@sales|transactions|receipts ; 건 ; 300-500 ; 판매(결제) 내역 ; 판매,판매 내역,거래
  sale_id|transaction_id|id ; pk
  store_id ; fk:stores ; 판매 매장 번호
  product_id ; fk:products ; 판매 상품 번호
  ?staff_id ; fk:staff ; 판매 직원 번호 ; null=0.2
  quantity|qty ; int:1,10 ; 판매 수량 ; 판매 수량,수량 ; unit=개 ; add=1
  amount|sale_amount ; money:500,300000,10 ; 판매 금액 (원) ; 판매 금액,매출액,결제 금액 ; unit=원
  payment_type|pay_method ; cat:카드,현금,간편결제/신용카드,현금,페이 ; 결제 수단 ; 결제 수단,결제 방법
  sold_at|sale_time ; ts:2023-01-01,2025-12-31 ; 판매 일시 ; 판매일,판매 일시 ; ev=판매된
@?inventory|stock_levels ; 건 ; 100-400 ; 매장별 재고 현황 ; 재고,재고 현황
  inventory_id|id ; pk
  store_id ; fk:stores ; 매장 번호
  product_id ; fk:products ; 상품 번호
  stock_qty|on_hand ; int:0,500 ; 현재 재고 수량 ; 재고 수량,재고량 ; unit=개 ; add=1
  last_restocked|restocked_at ; date:2024-01-01,2025-12-31 ; 마지막 입고일 ; 입고일,최근 입고일 ; null=0.1 ; ev=입고된

# hotel ; 호텔·숙박 예약 데이터
@hotels|properties|branches ; 곳 ; 6-15 ; 호텔(지점) 정보 ; 호텔,지점,숙소
  hotel_id|property_id|id ; pk
  hotel_name|name ; pool:그랜드 서울,오션뷰 부산,시티 대구,레이크 춘천,한라 제주,센트럴 인천,리버사이드 대전,마운틴 강릉,스테이 광주,하버 여수,포레스트 평창,스카이 수원,파크 울산,클래식 경주,베이 속초 ; 호텔 이름 ; 호텔명,지점명
  region|city ; city ; 소재 지역 ; 지역,위치
  star_rating|grade ; int:2,5 ; 성급 (2~5성) ; 성급,등급 ; unit=성
  ?room_count|total_rooms ; int:30,400 ; 전체 객실 수 ; 객실 수 ; unit=실 ; add=1
@rooms|room_inventory ; 개 ; 50-200 ; 객실 정보 ; 객실,방
  room_id|id ; pk
  hotel_id ; fk:hotels ; 호텔 번호
  room_no|room_number ; code:R ; 객실 번호 ; 호수,객실 번호
  room_type|type ; cat:스탠다드,디럭스,스위트,패밀리/싱글,더블,트윈,스위트 ; 객실 유형 ; 객실 유형,룸 타입
  base_rate|nightly_rate ; money:60000,600000,1000 ; 1박 기본 요금 (원) ; 1박 요금,객실 요금 ; unit=원 ; add=0
  max_guests|capacity ; int:1,6 ; 최대 투숙 인원 ; 최대 인원,정원 ; unit=명
@guests|customers|members ; 명 ; 150-500 ; 투숙객(회원) 정보 ; 투숙객,고객,회원
  guest_id|customer_id|id ; pk
  name|guest_name ; person ; 고객 이름 ; 고객 이름,이름
  nationality|country ; cat:한국,일본,중국,미국,대만/KR,JP,CN,US,TW ; 국적 ; 국적,나라
  membership|member_grade ; cat:일반,실버,골드,플래티넘/BASIC,SILVER,GOLD,VIP ; 멤버십 등급 ; 멤버십 등급,회원 등급
  joined_on|signup_date ; date:2020-01-01,2025-12-31 ; 가입일 ; 가입일 ; ev=가입한
  ?email ; email ; 이메일 ; 이메일 ; null=0.2
@reservations|bookings|stays ; 건 ; 300-500 ; 객실 예약 내역 ; 예약,숙박 예약
  reservation_id|booking_id|id ; pk
  guest_id ; fk:guests ; 예약 고객 번호
  room_id ; fk:rooms ; 객실 번호
  check_in|checkin_date ; date:2023-01-01,2025-12-31 ; 체크인 날짜 ; 체크인 날짜,체크인 ; ev=체크인한
  check_out|checkout_date ; after:check_in,1,7 ; 체크아웃 날짜 ; 체크아웃 날짜,체크아웃
  ?guest_count|num_guests ; int:1,4 ; 투숙 인원 ; 투숙 인원,인원 ; unit=명 ; add=1
  total_price|amount ; money:60000,3000000,1000 ; 총 결제 금액 (원) ; 결제 금액,숙박 요금,매출 ; unit=원
  channel|booking_channel ; cat:홈페이지,OTA,전화,여행사/자사몰,야놀자,여기어때,익스피디아 ; 예약 경로 ; 예약 경로,예약 채널
  status ; cat:확정,취소,완료,노쇼/예약확정,예약취소,투숙완료,노쇼 ; 예약 상태 ; 예약 상태,상태
@?reviews|guest_reviews ; 건 ; 100-300 ; 투숙 후기 ; 후기,리뷰
  review_id|id ; pk
  reservation_id ; fk:reservations ; 예약 번호
  rating|score ; int:1,5 ; 평점 (1~5) ; 평점,별점 ; unit=점
  comment|content ; text:객실이 깨끗해요,직원이 친절해요,조식이 맛있어요,위치가 좋아요,소음이 있어요,가성비가 좋아요,바다 뷰가 멋져요,주차가 불편해요 ; 후기 내용 ; 후기 내용,내용 ; null=0.2
  written_at|created_at ; ts:2023-01-01,2025-12-31 ; 작성 시각 ; 작성일,작성 시각 ; ev=작성된

# realestate ; 부동산 중개 데이터
@agents|brokers|realtors ; 명 ; 15-40 ; 공인중개사 정보 ; 중개사,공인중개사
  agent_id|broker_id|id ; pk
  name|agent_name ; person ; 중개사 이름 ; 중개사 이름,이름
  office_region|region ; city ; 사무소 지역 ; 사무소 지역,지역
  experience_years|career ; int:1,30 ; 경력 연수 ; 경력,경력 연수 ; unit=년
  ?commission_rate|fee_rate ; float:0.3,0.9,2 ; 중개 수수료율 (%) ; 수수료율 ; unit=%
@properties|listings|estates ; 건 ; 100-400 ; 매물 정보 ; 매물,부동산 매물
  property_id|listing_id|id ; pk
  agent_id ; fk:agents ; 담당 중개사 번호
  property_type|type ; cat:아파트,오피스텔,빌라,단독주택,상가/아파트,오피스텔,다세대,원룸,상가 ; 매물 유형 ; 매물 유형,주택 유형
  deal_type|transaction_type ; cat:매매,전세,월세 ; 거래 유형 ; 거래 유형
  district|region ; city ; 매물 소재 지역 ; 지역,소재지
  area_m2|exclusive_area ; float:15,200,1 ; 전용 면적 (㎡) ; 전용 면적,면적 ; unit=㎡
  asking_price|price ; money:5000000,2000000000,1000000 ; 호가 (원) ; 호가,매물 가격 ; unit=원 ; add=0
  rooms|room_count ; int:1,5 ; 방 개수 ; 방 개수,방 수 ; unit=개
  listed_on|registered_at ; date:2022-01-01,2025-12-31 ; 매물 등록일 ; 등록일 ; ev=등록된
  ?has_parking|parking ; bool:0.7 ; 주차 가능 여부 ; 주차 여부 ; yes=주차가 가능한 ; no=주차가 안 되는
@clients|customers ; 명 ; 100-400 ; 고객(매수·임차 희망자) 정보 ; 고객,의뢰인
  client_id|customer_id|id ; pk
  name|client_name ; person ; 고객 이름 ; 고객 이름,이름
  client_type|purpose ; cat:매수,임차,매도,임대 ; 고객 유형 ; 고객 유형,의뢰 유형
  budget|max_budget ; money:10000000,1500000000,1000000 ; 희망 예산 (원) ; 예산,희망 예산 ; unit=원 ; null=0.2
  ?phone ; phone ; 연락처 ; 연락처
@contracts|deals ; 건 ; 80-300 ; 계약 체결 내역 ; 계약,거래,체결 건
  contract_id|deal_id|id ; pk
  property_id ; fk:properties ; 매물 번호
  client_id ; fk:clients ; 계약 고객 번호
  contract_date|signed_on ; date:2022-01-01,2025-12-31 ; 계약일 ; 계약일,체결일 ; ev=체결된
  deal_price|contract_price ; money:5000000,2000000000,1000000 ; 계약 금액 (원) ; 계약 금액,거래 금액 ; unit=원
  commission|fee ; money:100000,15000000,10000 ; 중개 수수료 (원) ; 중개 수수료,수수료 ; unit=원
  status ; cat:체결,잔금완료,해약/계약완료,잔금대기,해지 ; 계약 상태 ; 계약 상태,상태
@?viewings|visits ; 건 ; 100-400 ; 매물 방문(임장) 기록 ; 매물 방문,임장
  viewing_id|visit_id|id ; pk
  property_id ; fk:properties ; 매물 번호
  client_id ; fk:clients ; 방문 고객 번호
  visited_at|visit_time ; ts:2022-01-01,2025-12-31 ; 방문 일시 ; 방문일,방문 일시 ; ev=이루어진
  feedback|result ; cat:관심 있음,보류,관심 없음/긍정,보통,부정 ; 방문 후 반응 ; 방문 후 반응,방문 결과

# manufacturing ; 제조·재고 관리 데이터
@plants|factories|sites ; 곳 ; 3-8 ; 생산 공장 ; 공장,생산 공장,사업장
  plant_id|factory_id|id ; pk
  plant_name|name ; pool:울산공장,구미공장,창원공장,평택공장,아산공장,청주공장,광양공장,시화공장 ; 공장 이름 ; 공장명
  region|city ; city ; 공장 소재지 ; 지역,소재지
  ?opened_on|started_on ; date:1995-01-01,2020-12-31 ; 가동 시작일 ; 가동 시작일
@parts|materials|components ; 개 ; 40-200 ; 부품·자재 마스터 ; 부품,자재
  part_id|material_id|id ; pk
  part_name|name ; combo:알루미늄,스테인리스,고무,플라스틱,구리,강철/볼트,너트,패킹,브래킷,하우징,샤프트,기어,커넥터 ; 부품명 ; 부품명,자재명
  part_type|category ; cat:원자재,반제품,완제품,소모품/원재료,부분품,완성품,소모성 자재 ; 자재 유형 ; 자재 유형,분류
  unit_cost|cost ; money:100,500000,10 ; 단위 원가 (원) ; 단가,원가 ; unit=원 ; add=0
  safety_stock|min_stock ; int:0,1000 ; 안전 재고 수량 ; 안전 재고 ; unit=개 ; add=1
  ?supplier_name|vendor ; combo:(주)대한,(주)성진,(주)한국,(주)동양,(주)삼화/금속,정밀,화학,산업 ; 공급사 ; 공급사,납품 업체 ; null=0.1
@production_orders|work_orders|jobs ; 건 ; 150-500 ; 생산 지시(작업 오더) ; 생산 지시,작업 지시,생산 오더
  order_id|work_order_id|id ; pk
  plant_id ; fk:plants ; 생산 공장 번호
  part_id ; fk:parts ; 생산 품목 번호
  planned_qty|target_qty ; int:100,5000 ; 계획 수량 ; 계획 수량,목표 수량 ; unit=개 ; add=1
  produced_qty|output_qty ; int:0,5000 ; 실제 생산 수량 ; 생산 수량,생산량 ; unit=개 ; add=1 ; null=0.1
  line|line_no ; cat:1라인,2라인,3라인,4라인/A라인,B라인,C라인 ; 생산 라인 ; 생산 라인,라인
  status ; cat:완료,진행중,대기,중단/생산완료,생산중,계획,보류 ; 작업 상태 ; 작업 상태,상태
  started_at|start_time ; ts:2023-01-01,2025-12-31 ; 작업 시작 시각 ; 작업 시작일,시작 시각 ; ev=시작된
@quality_checks|inspections|qc_results ; 건 ; 150-500 ; 품질 검사 결과 ; 품질 검사,검사
  check_id|inspection_id|id ; pk
  order_id ; fk:production_orders ; 생산 지시 번호
  inspector|inspector_name ; person ; 검사자 이름 ; 검사자,검사 담당자
  inspected_on|checked_on ; date:2023-01-01,2025-12-31 ; 검사일 ; 검사일 ; ev=실시된
  defect_count|defects ; int:0,50 ; 불량 수량 ; 불량 수량,불량 개수 ; unit=개 ; add=1
  result|judgement ; cat:합격,불합격,재검사/PASS,FAIL,HOLD ; 판정 결과 ; 판정,검사 결과
  defect_type|defect_reason ; cat:치수 불량,외관 불량,기능 불량,이물질 ; 불량 유형 (불량이 없으면 NULL) ; 불량 유형 ; null=0.5

# insurance ; 보험 계약·청구 데이터
@agents|planners|sales_agents ; 명 ; 15-50 ; 보험 설계사 ; 설계사,보험 설계사
  agent_id|planner_id|id ; pk
  name|agent_name ; person ; 설계사 이름 ; 설계사 이름,이름
  branch|branch_region ; city ; 소속 지점 지역 ; 소속 지역,지점
  ?hired_on ; date:2010-01-01,2025-06-30 ; 위촉일 ; 위촉일 ; ev=위촉된
@customers|policyholders|insureds ; 명 ; 150-500 ; 보험 계약자(고객) ; 고객,계약자,가입자
  customer_id|holder_id|id ; pk
  name|customer_name ; person ; 고객 이름 ; 고객 이름,이름
  gender|sex ; cat:남,여/M,F ; 성별 ; 성별
  age ; int:20,80 ; 나이 ; 나이,연령 ; unit=세
  region|city ; city ; 거주 지역 ; 거주 지역,지역
  job_type|occupation ; cat:사무직,자영업,생산직,전문직,주부,학생/회사원,자영업자,공무원,전문직,무직 ; 직업 ; 직업,직업군
  ?is_smoker|smoker ; bool:0.2 ; 흡연 여부 ; 흡연 여부 ; yes=흡연하는 ; no=담배를 피우지 않는
  ?phone ; phone ; 연락처 ; 연락처 ; null=0.05
@policies|insurance_contracts ; 건 ; 200-500 ; 보험 계약(증권) ; 보험 계약,계약,증권
  policy_id|contract_id|id ; pk
  customer_id ; fk:customers ; 계약자 번호
  agent_id ; fk:agents ; 담당 설계사 번호 ; null=0.1
  product_type|insurance_type ; cat:종신보험,실손보험,자동차보험,암보험,연금보험/생명,실손,자동차,건강,연금 ; 보험 상품 종류 ; 보험 종류,상품 유형
  monthly_premium|premium ; money:10000,500000,100 ; 월 보험료 (원) ; 월 보험료,보험료 ; unit=원
  coverage_amount|sum_insured ; money:10000000,1000000000,1000000 ; 보장 금액 (원) ; 보장 금액,가입 금액 ; unit=원
  start_date|issued_on ; date:2015-01-01,2025-12-31 ; 계약 시작일 ; 계약일,가입일 ; ev=가입한
  status ; cat:유지,해지,실효,만기/정상,해지,실효,만기 ; 계약 상태 ; 계약 상태,상태
@claims|claim_requests ; 건 ; 100-400 ; 보험금 청구 내역 ; 보험금 청구,청구,청구 건
  claim_id|request_id|id ; pk
  policy_id ; fk:policies ; 보험 계약 번호
  claim_type|reason ; cat:입원,통원,수술,사고,진단/질병 입원,통원 치료,수술,교통사고,암 진단 ; 청구 사유 ; 청구 사유,청구 유형
  claimed_at|filed_on ; date:2020-01-01,2025-12-31 ; 청구일 ; 청구일,접수일 ; ev=접수된
  claim_amount|requested_amount ; money:50000,50000000,1000 ; 청구 금액 (원) ; 청구 금액 ; unit=원
  paid_amount|payout ; money:10000,50000000,1000 ; 지급 금액 (원, 미지급이면 NULL) ; 지급 금액,지급액,보험금 ; unit=원 ; null=0.3
  status ; cat:지급완료,심사중,부지급/지급,심사,거절 ; 처리 상태 ; 처리 상태,심사 상태

# delivery ; 음식 배달 플랫폼 데이터
@restaurants|stores|shops ; 곳 ; 30-120 ; 입점 음식점 ; 음식점,가게,식당
  restaurant_id|store_id|id ; pk
  name|store_name ; combo:엄마손,원조,명동,할매,신촌,행복한,맛있는,정통/김밥,치킨,피자,떡볶이,짜장,국밥,돈까스,분식,족발,초밥 ; 가게 이름 ; 가게 이름,상호,가게명
  cuisine|food_category ; cat:한식,중식,일식,양식,분식,치킨,카페/한식,중식,일식,패스트푸드,분식,디저트 ; 음식 종류 ; 음식 종류,카테고리
  region|district ; city ; 가게 지역 ; 지역
  min_order|min_order_amount ; money:8000,20000,1000 ; 최소 주문 금액 (원) ; 최소 주문 금액 ; unit=원 ; add=0
  rating|avg_rating ; float:3.0,5.0,1 ; 평균 별점 ; 별점,평점 ; unit=점
  ?is_open|open_now ; bool:0.85 ; 영업 중 여부 ; 영업 여부 ; yes=영업 중인 ; no=영업하지 않는
@menus|menu_items|dishes ; 개 ; 100-400 ; 메뉴 ; 메뉴,메뉴 항목
  menu_id|item_id|id ; pk
  restaurant_id ; fk:restaurants ; 가게 번호
  menu_name|name ; combo:매운,순살,치즈,반반,특,왕,옛날/치킨,떡볶이,짜장면,짬뽕,김밥,돈까스,피자,국밥,초밥,라면 ; 메뉴 이름 ; 메뉴명,메뉴 이름
  price ; money:3000,40000,500 ; 가격 (원) ; 가격,메뉴 가격 ; unit=원 ; add=0
  ?is_signature|signature ; bool:0.2 ; 대표 메뉴 여부 ; 대표 메뉴 여부 ; yes=대표 메뉴인 ; no=대표 메뉴가 아닌
@customers|users|members ; 명 ; 150-500 ; 주문 고객 ; 고객,회원,사용자
  customer_id|user_id|id ; pk
  name|customer_name ; person ; 고객 이름 ; 고객 이름,이름
  region|address_region ; city ; 배달 주소 지역 ; 지역,주소지
  grade|member_grade ; cat:일반,VIP,VVIP/새싹,단골,우수,최우수 ; 회원 등급 ; 회원 등급,등급
  joined_at|signup_at ; ts:2021-01-01,2025-12-31 ; 가입 일시 ; 가입일 ; ev=가입한
@riders|drivers|couriers ; 명 ; 20-80 ; 배달 라이더 ; 라이더,배달원,기사
  rider_id|driver_id|id ; pk
  name|rider_name ; person ; 라이더 이름 ; 라이더 이름,이름
  vehicle|vehicle_type ; cat:오토바이,자전거,도보,자동차/바이크,전기자전거,도보,차량 ; 이동 수단 ; 이동 수단,배달 수단
  ?active|is_active ; bool:0.8 ; 활동 여부 ; 활동 여부 ; yes=활동 중인 ; no=활동을 쉬고 있는
@orders|delivery_orders ; 건 ; 300-500 ; 배달 주문 ; 주문,배달 주문
  order_id|id ; pk
  customer_id ; fk:customers ; 주문 고객 번호
  restaurant_id ; fk:restaurants ; 주문한 가게 번호
  rider_id ; fk:riders ; 배달 라이더 번호 ; null=0.1
  ordered_at|order_time ; ts:2023-01-01,2025-12-31 ; 주문 일시 ; 주문일,주문 일시 ; ev=들어온
  total_amount|order_amount ; money:8000,120000,100 ; 주문 금액 (원) ; 주문 금액,결제 금액,매출 ; unit=원
  delivery_fee|fee ; money:500,6000,500 ; 배달비 (원) ; 배달비,배달료 ; unit=원
  status ; cat:배달완료,취소,배달중,조리중/완료,취소,배달중,접수 ; 주문 상태 ; 주문 상태,상태
  ?delivery_minutes|delivery_time ; int:10,90 ; 배달 소요 시간 (분) ; 배달 시간,소요 시간 ; unit=분 ; null=0.1

# fitness ; 피트니스 센터 회원 관리 데이터
@trainers|coaches|instructors ; 명 ; 10-30 ; 트레이너 ; 트레이너,코치,강사
  trainer_id|coach_id|id ; pk
  name|trainer_name ; person ; 트레이너 이름 ; 트레이너 이름,이름
  specialty|focus ; cat:웨이트,필라테스,요가,크로스핏,재활/헬스,필라테스,요가,복싱,수영 ; 전문 분야 ; 전문 분야,주 종목
  career_years|experience ; int:1,20 ; 경력 (년) ; 경력,경력 연수 ; unit=년
@members|clients ; 명 ; 150-500 ; 회원 정보 ; 회원,고객
  member_id|customer_id|id ; pk
  name|member_name ; person ; 회원 이름 ; 회원 이름,이름
  gender ; cat:남,여/M,F ; 성별 ; 성별
  age ; int:15,75 ; 나이 ; 나이 ; unit=세
  region|branch_region ; city ; 이용 지점 지역 ; 지역,지점 지역
  joined_on|registered_at ; date:2021-01-01,2025-12-31 ; 가입일 ; 가입일,등록일 ; ev=가입한
  ?trainer_id ; fk:trainers ; 담당 트레이너 번호 ; null=0.4
@memberships|passes|subscriptions ; 건 ; 150-500 ; 회원권 결제 내역 ; 회원권,이용권,회원권 결제
  membership_id|pass_id|id ; pk
  member_id ; fk:members ; 회원 번호
  pass_type|plan ; cat:1개월,3개월,6개월,12개월,PT 10회/월간,분기,반기,연간,PT ; 회원권 종류 ; 회원권 종류,이용권 종류
  price|amount ; money:50000,1500000,1000 ; 결제 금액 (원) ; 결제 금액,가격,매출 ; unit=원
  start_date|valid_from ; date:2021-01-01,2025-12-31 ; 시작일 ; 시작일,이용 시작일 ; ev=시작된
  end_date|valid_to ; after:start_date,30,365 ; 종료일 ; 종료일,만료일
  ?auto_renew|is_auto_renew ; bool:0.3 ; 자동 갱신 여부 ; 자동 갱신 여부 ; yes=자동 갱신되는 ; no=자동 갱신되지 않는
@attendance|check_ins|visits ; 건 ; 300-500 ; 출석(입장) 기록 ; 출석,입장 기록,방문
  attendance_id|checkin_id|id ; pk
  member_id ; fk:members ; 회원 번호
  checked_in_at|entered_at ; ts:2023-01-01,2025-12-31 ; 입장 시각 ; 입장 시각,출석일 ; ev=기록된
  duration_min|stay_minutes ; int:20,180 ; 운동 시간 (분) ; 운동 시간,이용 시간 ; unit=분 ; add=1 ; null=0.1
  ?zone|area ; cat:웨이트존,유산소존,GX룸,수영장 ; 이용 구역 ; 이용 구역
"""

REGIONS = {"서울": 30, "경기": 26, "인천": 6, "부산": 7, "대구": 5, "대전": 3, "광주": 3, "울산": 2, "세종": 1,
           "강원": 3, "충북": 3, "충남": 3, "전북": 3, "전남": 3, "경북": 4, "경남": 5, "제주": 1.5}
SURNAMES = {"김": 21, "이": 15, "박": 8, "최": 5, "정": 4, "강": 2, "조": 2, "윤": 2, "장": 2, "임": 2, "한": 1.5,
            "오": 1.5, "서": 1.5, "신": 1.5, "권": 1.4, "황": 1.4, "안": 1.3, "송": 1.3, "류": 1.1, "홍": 1.1}
GIVEN = ("민준", "서연", "지훈", "하은", "도윤", "수빈", "예준", "지민", "현우", "서윤", "승민", "유진", "준호", "채원",
         "태윤", "다은", "성민", "지아", "우진", "은서", "재원", "소연", "동현", "혜진", "시우", "나연", "영호", "미경")
EMAIL_WORDS = ("sky", "blue", "happy", "sun", "moon", "star", "jin", "min", "hana", "dream", "ocean", "kim", "lee")

# Hints for the project's own sample databases (their yaml has no question-side phrases).
SAMPLE_COUNTERS = {"customers": "명", "players": "명", "leads": "명", "products": "개", "categories": "개",
                   "items": "개", "channels": "개", "campaigns": "개", "coupons": "개"}
SAMPLE_BOOLS = {"marketing_opt_in": ("마케팅 수신에 동의한", "마케팅 수신에 동의하지 않은"),
                "is_active": ("판매 중인", "판매가 중지된"), "is_banned": ("정지된", "정지되지 않은"),
                "is_refunded": ("환불된", "환불되지 않은")}
SAMPLE_EVENTS = {("orders", "order_date"): "주문된", ("customers", "signup_date"): "가입한",
                 ("players", "signup_at"): "가입한", ("purchases", "purchased_at"): "결제된",
                 ("reviews", "created_at"): "작성된", ("leads", "created_at"): "유입된",
                 ("conversions", "converted_at"): "전환된", ("refunds", "requested_at"): "요청된",
                 ("campaigns", "start_date"): "시작된", ("sessions", "started_at"): "시작된",
                 ("products", "created_at"): "등록된"}
SAMPLE_PEOPLE = {("customers", "name"), ("leads", "name")}
ADDITIVE_WORDS = ("amount", "price", "cost", "qty", "quantity", "budget", "revenue", "spend", "click", "impression",
                  "duration", "fee", "stock", "salary", "total", "krw")

# ----------------------------------------------------------------------------------------------- templates
# (skill, SQL, question phrasings[, probe]). Slots: T/t main table and its Korean noun, C/c category column,
# V/Vd its value (SQL-escaped / as written in the question), N any number, A an additive number, D a date,
# L a label, B a boolean (by/bn phrases), Z a column with NULLs; P_/p_ the parent of a foreign key F and
# R_/r_ a third table joined by RJ. A probe is (SQL, unit slot) whose result sets the HAVING threshold H.
TEMPLATES = [
    ("select_filter", "SELECT {S} FROM {T} WHERE {C} = '{V}'",
     ["{c}<이> {Vd}인 {t}의 {s}<을> {SHOW}", "{Vd} {c}인 {t}들의 {s} {SHOW}", "{t} 중에서 {c}<이> {Vd}인 것만 {s} {SHOW}"]),
    ("select_filter", "SELECT {S} FROM {T} WHERE {N} >= {X}",
     ["{n}<이> {Xd} 이상인 {t}의 {s}<을> {SHOW}", "{n} {Xd} 이상인 {t} {s} {SHOW}"]),
    ("select_filter", "SELECT {S} FROM {T} WHERE {N} < {X}",
     ["{n}<이> {Xd} 미만인 {t}의 {s} {SHOW}", "{n}<이> {Xd}보다 낮은 {t}<을> {SHOW}"]),
    ("select_filter", "SELECT {S} FROM {T} WHERE {C} = '{V}' AND {N} > {X}",
     ["{c}<이> {Vd}<이고> {n}<이> {Xd}<을> 넘는 {t}의 {s} {SHOW}", "{Vd} {t} 중 {n}<이> {Xd} 초과인 것의 {s}<을> {SHOW}"]),
    ("select_filter", "SELECT {S} FROM {T} WHERE {B} = TRUE", ["{by} {t}의 {s} {SHOW}", "{t} 중 {by} 경우만 {s} {SHOW}"]),
    ("select_filter", "SELECT {S} FROM {T} WHERE {B} = FALSE", ["{bn} {t}의 {s}<을> {SHOW}"]),
    ("select_filter", "SELECT {S} FROM {T} WHERE {C} IN ('{V}', '{Vb}')",
     ["{c}<이> {Vd} 또는 {Vbd}인 {t}의 {s} {SHOW}", "{Vd}<이나> {Vbd} {c}의 {t} {s}<을> {SHOW}"]),
    ("select_filter", "SELECT {S} FROM {T} WHERE {C} <> '{V}'", ["{c}<이> {Vd}<이> 아닌 {t}의 {s} {SHOW}"]),
    ("select_filter", "SELECT DISTINCT {C} FROM {T}",
     ["{t}에 있는 {c} 종류를 {SHOW}", "{t}의 {c}에는 어떤 값들이 있어?", "중복 없이 {t}의 {c} 목록을 {SHOW}"]),
    ("count", "SELECT COUNT(*) FROM {T}", ["전체 {t}<은> {MANY}", "{t}<은> 모두 {MANY}", "{t} 수를 {CALC}"]),
    ("count", "SELECT COUNT(*) FROM {T} WHERE {C} = '{V}'",
     ["{c}<이> {Vd}인 {t}<은> {MANY}", "{c}<이> {Vd}인 {t} 수를 {CALC}", "{Vd} {t}<이> 총 {MANY}"]),
    ("count", "SELECT COUNT(*) FROM {T} WHERE {N} >= {X}",
     ["{n}<이> {Xd} 이상인 {t}<은> {MANY}", "{n} {Xd} 이상인 {t} 수를 {CALC}"]),
    ("count", "SELECT COUNT(*) FROM {T} WHERE {B} = TRUE", ["{by} {t}<은> {MANY}", "{by} {t} 수를 {CALC}"]),
    ("count", "SELECT COUNT(*) FROM {T} WHERE {C} = '{V}' AND {C2} = '{V2}'",
     ["{c}<이> {Vd}<이고> {c2}<이> {V2d}인 {t}<은> {MANY}", "{V2d} {c2} 중 {c}<이> {Vd}인 {t} 수를 {CALC}"]),
    ("count_distinct", "SELECT COUNT(DISTINCT {C}) FROM {T}",
     ["{t}의 {c}<은> 몇 가지야?", "서로 다른 {c}<은> 몇 개인가요?", "{t}에 등장하는 {c} 종류 수를 {CALC}"]),
    ("count_distinct", "SELECT COUNT(DISTINCT {F}) FROM {T}",
     ["{t} 기록이 있는 {p}<은> {P_MANY}", "{t}<이> 한 번이라도 있는 {p} 수를 {CALC}"]),
    ("count_distinct", "SELECT COUNT(DISTINCT {F}) FROM {T} WHERE {D} >= '{y0}' AND {D} < '{y1}'",
     ["{yr}년에 {t} 기록이 있는 {p}<은> {P_MANY}", "{d} 기준으로 {yr}년에 {t}<이> 있었던 {p} 수를 {CALC}"]),
    ("count_distinct", "SELECT {C}, COUNT(DISTINCT {F}) FROM {T} GROUP BY {C}",
     ["{c}별로 {t}<이> 있는 {p} 수를 {SHOW}", "{c}마다 서로 다른 {p}<이> 몇 {p_cnt}인지 {SHOW}"]),
    ("aggregate", "SELECT SUM({A}) FROM {T}",
     ["{t} 전체의 {a} 합계는 {VAL}", "총 {a}<을> {CALC}", "모든 {t}의 {a}<을> 합하면 얼마야?"]),
    ("aggregate", "SELECT AVG({N}) FROM {T}", ["{t}의 평균 {n}<은> {VAL}", "평균 {n}<을> {CALC}"]),
    ("aggregate", "SELECT ROUND(AVG({N}), 2) FROM {T} WHERE {C} = '{V}'",
     ["{c}<이> {Vd}인 {t}의 평균 {n}<을> 소수점 둘째 자리까지 {CALC}", "{Vd} {t}의 {n} 평균을 소수 둘째 자리로 반올림해서 {SHOW}"]),
    ("aggregate", "SELECT MAX({N}) FROM {T}", ["가장 높은 {n}<은> {VAL}", "{t} 중 최대 {n}<은> 얼마야?", "{n}의 최댓값을 {CALC}"]),
    ("aggregate", "SELECT MIN({N}) FROM {T}", ["가장 낮은 {n}<은> {VAL}", "{t}의 {n} 최솟값을 {CALC}"]),
    ("aggregate", "SELECT MIN({N}), MAX({N}) FROM {T}", ["{t}의 {n} 최솟값과 최댓값을 {SHOW}", "{n}<은> 최소 얼마부터 최대 얼마까지야?"]),
    ("aggregate", "SELECT SUM({A}) FROM {T} WHERE {C} = '{V}'",
     ["{c}<이> {Vd}인 {t}의 {a} 합계는 {VAL}", "{Vd} {t}의 총 {a}<을> {CALC}"]),
    ("aggregate", "SELECT MAX({D}) FROM {T}", ["가장 최근 {d}<은> {WHEN}", "{t}의 마지막 {d}<은> {WHEN}"]),
    ("aggregate", "SELECT MIN({D}) FROM {T}", ["가장 이른 {d}<은> {WHEN}", "{t}의 첫 {d}<을> {SHOW}"]),
    ("group_by", "SELECT {C}, COUNT(*) FROM {T} GROUP BY {C}",
     ["{c}별 {t} 수를 {SHOW}", "{c}마다 {t}<이> 몇 {cnt}씩 있는지 {SHOW}", "{t}<을> {c} 기준으로 묶어서 개수를 {CALC}"]),
    ("group_by", "SELECT {C}, SUM({A}) AS total_{A} FROM {T} GROUP BY {C} ORDER BY total_{A} DESC",
     ["{c}별 {a} 합계를 큰 순서대로 {SHOW}", "{c}별로 총 {a}<을> 구해서 많은 순으로 정렬해줘"]),
    ("group_by", "SELECT {C}, AVG({N}) AS avg_{N} FROM {T} GROUP BY {C}",
     ["{c}별 평균 {n}<을> {SHOW}", "{c}마다 {n} 평균이 얼마인지 {SHOW}"]),
    ("group_by", "SELECT {C}, {C2}, COUNT(*) FROM {T} GROUP BY {C}, {C2}", ["{c}<과> {c2} 조합별 {t} 수를 {SHOW}"]),
    ("group_by", "SELECT {C}, MAX({N}), MIN({N}) FROM {T} GROUP BY {C}", ["{c}별 {n} 최댓값과 최솟값을 {SHOW}"]),
    ("group_by", "SELECT {C}, COUNT(*) FROM {T} WHERE {D} >= '{y0}' AND {D} < '{y1}' GROUP BY {C}",
     ["{yr}년 {c}별 {t} 수를 {SHOW}", "{d} 기준 {yr}년의 {t}<을> {c}별로 세어줘"]),
    ("having", "SELECT {C}, COUNT(*) FROM {T} GROUP BY {C} HAVING COUNT(*) >= {H}",
     ["{t}<이> {H}{cnt} 이상인 {c}<과> 그 수를 {SHOW}", "{c}별 {t} 수가 {H} 이상인 것만 {SHOW}"],
     ("SELECT COUNT(*) FROM {T} GROUP BY {C}", None)),
    ("having", "SELECT {C}, AVG({N}) FROM {T} GROUP BY {C} HAVING AVG({N}) > {H}",
     ["평균 {n}<이> {Hd}<을> 넘는 {c}<을> {SHOW}", "{c}별 평균 {n}<이> {Hd}보다 큰 경우만 {SHOW}"],
     ("SELECT AVG({N}) FROM {T} GROUP BY {C}", "Nu")),
    ("having", "SELECT {C}, SUM({A}) FROM {T} GROUP BY {C} HAVING SUM({A}) >= {H}",
     ["{a} 합계가 {Hd} 이상인 {c}<은> 어디야?", "총 {a}<이> {Hd} 이상인 {c}<과> 합계를 {SHOW}"],
     ("SELECT SUM({A}) FROM {T} GROUP BY {C}", "Au")),
    ("having", "SELECT {Pa}.{P_L}, COUNT(*) FROM {T} {Ta} JOIN {P} {Pa} ON {Ta}.{F} = {Pa}.{P_K} "
               "GROUP BY {Pa}.{P_K}, {Pa}.{P_L} HAVING COUNT(*) >= {H}",
     ["{t}<이> {H}{cnt} 이상인 {p}의 {p_l}<과> {t} 수를 {SHOW}", "{t} 수가 {H} 이상인 {p}<을> {SHOW}"],
     ("SELECT COUNT(*) FROM {T} GROUP BY {F}", None)),
    ("order_limit", "SELECT {L}, {N} FROM {T} ORDER BY {N} DESC LIMIT {k}",
     ["{n}<이> 가장 높은 {t} {k}{cnt}의 {l}<과> {n}<을> {SHOW}", "{n} 상위 {k}{cnt} {t}<을> {SHOW}", "{n} 기준 TOP {k} {t} {SHOW}"]),
    ("order_limit", "SELECT {L}, {N} FROM {T} ORDER BY {N} ASC LIMIT {k}",
     ["{n}<이> 가장 낮은 {t} {k}{cnt}<을> {SHOW}", "{n} 하위 {k}{cnt} {t}의 {l}<과> {n} {SHOW}"]),
    ("order_limit", "SELECT {L} FROM {T} ORDER BY {N} DESC LIMIT 1", ["{n}<이> 가장 높은 {t}<은> {WHO}", "{t} 중 {n} 1위는 {WHO}"]),
    ("order_limit", "SELECT {L} FROM {T} ORDER BY {N} ASC LIMIT 1", ["{n}<이> 가장 낮은 {t}<은> {WHO}"]),
    ("order_limit", "SELECT {C}, SUM({A}) AS total_{A} FROM {T} GROUP BY {C} ORDER BY total_{A} DESC LIMIT {k}",
     ["{a} 합계 상위 {k}개 {c}<을> {SHOW}", "총 {a}<이> 가장 많은 {c} {k}개를 {SHOW}"]),
    ("order_limit", "SELECT {S} FROM {T} ORDER BY {D} DESC LIMIT {k}",
     ["{d}<이> 가장 최근인 {t} {k}{cnt}의 {s}<을> {SHOW}", "최근 {d} 순으로 {t} {k}{cnt} {SHOW}"]),
    ("order_limit", "SELECT {S} FROM {T} WHERE {C} = '{V}' ORDER BY {N} DESC LIMIT {k}",
     ["{c}<이> {Vd}인 {t} 중 {n}<이> 높은 순으로 {k}{cnt} {SHOW}"]),
    ("join", "SELECT {Sa}, {Pa}.{P_L} FROM {T} {Ta} JOIN {P} {Pa} ON {Ta}.{F} = {Pa}.{P_K}",
     ["{t}의 {s}<과> {p}의 {p_l}<을> 함께 {SHOW}", "각 {t}마다 {s}, 그리고 해당 {p_l}<을> {SHOW}"]),
    ("join", "SELECT {Sa} FROM {T} {Ta} JOIN {P} {Pa} ON {Ta}.{F} = {Pa}.{P_K} WHERE {Pa}.{P_C} = '{P_V}'",
     ["{p_c}<이> {P_Vd}인 {p}의 {t} {s}<을> {SHOW}", "{P_Vd} {p}에 해당하는 {t}의 {s} {SHOW}"]),
    ("join", "SELECT {Sa} FROM {T} {Ta} JOIN {P} {Pa} ON {Ta}.{F} = {Pa}.{P_K} WHERE {Pa}.{P_L} = '{P_LV}'",
     ["{P_LVd} {p}의 {t} {s}<을> {SHOW}", "{p_l}<이> {P_LVd}인 {p}<과> 연결된 {t}<을> {SHOW}"]),
    ("join", "SELECT {Pa}.{P_L}, COUNT(*) AS cnt FROM {T} {Ta} JOIN {P} {Pa} ON {Ta}.{F} = {Pa}.{P_K} "
             "GROUP BY {Pa}.{P_K}, {Pa}.{P_L}",
     ["{p}별 {t} 수를 {p_l}<과> 함께 {SHOW}", "{p}마다 {t}<이> 몇 {cnt}인지 {SHOW}"]),
    ("join", "SELECT {Pa}.{P_C}, SUM({Ta}.{A}) AS total_{A} FROM {T} {Ta} JOIN {P} {Pa} ON {Ta}.{F} = {Pa}.{P_K} "
             "GROUP BY {Pa}.{P_C}",
     ["{p} {p_c}별 {t} {a} 합계를 {SHOW}", "{p_c}별로 {t}의 총 {a}<을> {CALC}"]),
    ("join", "SELECT SUM({Ta}.{A}) FROM {T} {Ta} JOIN {P} {Pa} ON {Ta}.{F} = {Pa}.{P_K} WHERE {Pa}.{P_C} = '{P_V}'",
     ["{p_c}<이> {P_Vd}인 {p}의 {t} {a} 합계는 {VAL}", "{P_Vd} {p}<과> 관련된 총 {a}<을> {CALC}"]),
    ("join", "SELECT COUNT(*) FROM {T} {Ta} JOIN {P} {Pa} ON {Ta}.{F} = {Pa}.{P_K} WHERE {Pa}.{P_C} = '{P_V}'",
     ["{p_c}<이> {P_Vd}인 {p}의 {t}<은> {MANY}"]),
    ("join", "SELECT {Pa}.{P_L}, SUM({Ta}.{A}) AS total_{A} FROM {T} {Ta} JOIN {P} {Pa} ON {Ta}.{F} = {Pa}.{P_K} "
             "GROUP BY {Pa}.{P_K}, {Pa}.{P_L} ORDER BY total_{A} DESC LIMIT {k}",
     ["{a} 합계가 가장 큰 {p} {k}{p_cnt}의 {p_l}<과> 합계를 {SHOW}", "{t} {a} 기준 상위 {k}{p_cnt} {p}<을> {SHOW}"]),
    ("join", "SELECT {Pa}.{P_L}, AVG({Ta}.{N}) AS avg_{N} FROM {T} {Ta} JOIN {P} {Pa} ON {Ta}.{F} = {Pa}.{P_K} "
             "GROUP BY {Pa}.{P_K}, {Pa}.{P_L}",
     ["{p}별 평균 {n}<을> {SHOW}", "{p}마다 {t}의 평균 {n}<이> 얼마인지 {SHOW}"]),
    ("join3", "SELECT {Ra}.{R_L}, COUNT(*) AS cnt FROM {T} {Ta} JOIN {P} {Pa} ON {Ta}.{F} = {Pa}.{P_K} {RJ} "
              "WHERE {Pa}.{P_C} = '{P_V}' GROUP BY {Ra}.{R_K}, {Ra}.{R_L}",
     ["{p_c}<이> {P_Vd}인 {p}의 {t} 수를 {r}별로 {SHOW}", "{P_Vd} {p}에 대한 {t}<을> {r}별로 세어줘"]),
    ("join3", "SELECT {Sa}, {Pa}.{P_L}, {Ra}.{R_L} FROM {T} {Ta} JOIN {P} {Pa} ON {Ta}.{F} = {Pa}.{P_K} {RJ} "
              "WHERE {Ta}.{C} = '{V}'",
     ["{c}<이> {Vd}인 {t}의 {s}, {p_l}, {r_l}<을> 함께 {SHOW}"]),
    ("join3", "SELECT SUM({Ta}.{A}) FROM {T} {Ta} JOIN {P} {Pa} ON {Ta}.{F} = {Pa}.{P_K} {RJ} WHERE {Ra}.{R_C} = '{R_V}'",
     ["{r_c}<이> {R_Vd}인 {r}<과> 연결된 {t}의 {a} 합계는 {VAL}"]),
    ("join3", "SELECT {Ra}.{R_C}, COUNT(*) AS cnt FROM {T} {Ta} JOIN {P} {Pa} ON {Ta}.{F} = {Pa}.{P_K} {RJ} "
              "WHERE {Pa}.{P_C} = '{P_V}' GROUP BY {Ra}.{R_C}",
     ["{p_c}<이> {P_Vd}인 {p}의 {t}<을> {r} {r_c}별로 세어서 {SHOW}"]),
    ("date_range", "SELECT COUNT(*) FROM {T} WHERE {D} >= '{m0}' AND {D} < '{m1}'",
     ["{yr}년 {mo}월에 {ev} {t}<은> {MANY}", "{d}<이> {yr}년 {mo}월인 {t} 수를 {CALC}", "{yr}년 {mo}월 한 달 동안 {ev} {t} 수를 {SHOW}"]),
    ("date_range", "SELECT SUM({A}) FROM {T} WHERE {D} >= '{y0}' AND {D} < '{y1}'",
     ["{d} 기준 {yr}년 {a} 합계는 {VAL}", "{yr}년 한 해 동안 {ev} {t}의 총 {a}<을> {CALC}"]),
    ("date_range", "SELECT COUNT(*) FROM {T} WHERE {D} >= '{q0}' AND {D} < '{q1}'",
     ["{yr}년 {qt}분기에 {ev} {t}<은> {MANY}", "{d} 기준 {yr}년 {qt}분기 {t} 수를 {SHOW}"]),
    ("date_range", "SELECT {S} FROM {T} WHERE {D} >= '{m0}' AND {D} < '{m1}'",
     ["{yr}년 {mo}월에 {ev} {t}의 {s}<을> {SHOW}", "{d}<이> {yr}년 {mo}월인 {t} 목록을 {SHOW}"]),
    ("date_range", "SELECT AVG({N}) FROM {T} WHERE {D} >= '{h0}' AND {D} < '{h1}'",
     ["{yr}년 {half}에 {ev} {t}의 평균 {n}<은> {VAL}", "{d} 기준 {yr}년 {half} {t}의 평균 {n}<을> {CALC}"]),
    ("date_range", "SELECT COUNT(*) FROM {T} WHERE {D} >= '{dA}' AND {D} < '{dB}'",
     ["{yr}년 {mo}월 {da}일부터 {db}일까지 {ev} {t}<은> {MANY}", "{d}<이> {yr}년 {mo}월 {da}일~{db}일 사이인 {t} 수를 {CALC}"]),
    ("date_range", "SELECT {C}, SUM({A}) FROM {T} WHERE {D} >= '{y0}' AND {D} < '{y1}' GROUP BY {C}",
     ["{yr}년에 {ev} {t}의 {c}별 {a} 합계를 {SHOW}"]),
    ("month_group", "SELECT strftime('%Y-%m', {D}) AS month, COUNT(*) AS cnt FROM {T} GROUP BY month ORDER BY month",
     ["월별 {t} 수를 {SHOW}", "{d} 기준 월별 {t} 건수 추이를 {SHOW}"]),
    ("month_group", "SELECT strftime('%Y-%m', {D}) AS month, SUM({A}) AS total_{A} FROM {T} "
                    "WHERE {D} >= '{y0}' AND {D} < '{y1}' GROUP BY month ORDER BY month",
     ["{yr}년 월별 {a} 합계를 {SHOW}", "{yr}년의 {a}<을> 월 단위로 집계해줘"]),
    ("month_group", "SELECT strftime('%Y', {D}) AS year, COUNT(*) AS cnt FROM {T} GROUP BY year ORDER BY year",
     ["연도별 {t} 수를 {SHOW}", "{d} 기준으로 해마다 {t}<이> 몇 {cnt}인지 {SHOW}"]),
    ("month_group", "SELECT strftime('%Y-%m', {D}) AS month, COUNT(*) AS cnt FROM {T} GROUP BY month ORDER BY cnt DESC LIMIT 1",
     ["{t}<이> 가장 많았던 달은 {WHEN}", "{d} 기준 {t} 건수가 제일 많은 월을 {SHOW}"]),
    ("month_group", "SELECT strftime('%Y-%m', {D}) AS month, AVG({N}) AS avg_{N} FROM {T} WHERE {C} = '{V}' "
                    "GROUP BY month ORDER BY month",
     ["{c}<이> {Vd}인 {t}의 월별 평균 {n}<을> {SHOW}"]),
    ("ratio", "SELECT ROUND(100.0 * SUM(CASE WHEN {C} = '{V}' THEN 1 ELSE 0 END) / COUNT(*), 2) FROM {T}",
     ["전체 {t} 중 {c}<이> {Vd}인 비율은 몇 %야?", "{Vd} {t}의 비율(%)을 소수점 둘째 자리까지 {CALC}", "{t}에서 {c} {Vd}<이> 차지하는 비중은 몇 퍼센트인가요?"]),
    ("ratio", "SELECT {C2}, ROUND(100.0 * SUM(CASE WHEN {C} = '{V}' THEN 1 ELSE 0 END) / COUNT(*), 2) AS pct FROM {T} GROUP BY {C2}",
     ["{c2}별로 {c}<이> {Vd}인 {t} 비율을 {SHOW}"]),
    ("ratio", "SELECT ROUND(100.0 * SUM(CASE WHEN {B} = TRUE THEN 1 ELSE 0 END) / COUNT(*), 2) FROM {T}",
     ["{by} {t}의 비율은 몇 퍼센트야?", "전체 {t} 중 {by} 비율을 {CALC}"]),
    ("ratio", "SELECT ROUND(100.0 * SUM(CASE WHEN {C} = '{V}' THEN {A} ELSE 0 END) / SUM({A}), 2) FROM {T}",
     ["전체 {a} 중 {c}<이> {Vd}인 {t}<이> 차지하는 비중(%)은?", "{Vd} {t}의 {a}<이> 전체에서 몇 %인지 {CALC}"]),
    ("ratio", "SELECT ROUND(100.0 * SUM(CASE WHEN {Z} IS NULL THEN 1 ELSE 0 END) / COUNT(*), 2) FROM {T}",
     ["{z}<이> 비어 있는 {t}의 비율은 몇 %야?"]),
    ("avg_compare", "SELECT {S} FROM {T} WHERE {N} > (SELECT AVG({N}) FROM {T})",
     ["{n}<이> 평균보다 높은 {t}의 {s}<을> {SHOW}", "평균을 넘는 {n}<을> 가진 {t}<을> {SHOW}"]),
    ("avg_compare", "SELECT COUNT(*) FROM {T} WHERE {N} < (SELECT AVG({N}) FROM {T})",
     ["{n}<이> 평균에 못 미치는 {t}<은> {MANY}", "평균 {n}보다 낮은 {t} 수를 {CALC}"]),
    ("avg_compare", "SELECT {S} FROM {T} WHERE {C} = '{V}' AND {N} > (SELECT AVG({N}) FROM {T} WHERE {C} = '{V}')",
     ["{c}<이> {Vd}인 {t} 가운데 {n}<이> 그 평균보다 높은 것의 {s}<을> {SHOW}"]),
    ("avg_compare", "SELECT {Pa}.{P_L}, AVG({Ta}.{N}) AS avg_{N} FROM {T} {Ta} JOIN {P} {Pa} ON {Ta}.{F} = {Pa}.{P_K} "
                    "GROUP BY {Pa}.{P_K}, {Pa}.{P_L} HAVING AVG({Ta}.{N}) > (SELECT AVG({N}) FROM {T})",
     ["{t}의 평균 {n}<이> 전체 평균보다 높은 {p}<을> {SHOW}"]),
    ("in_subquery", "SELECT {P_S} FROM {P} WHERE {P_K} IN (SELECT {F} FROM {T} WHERE {C} = '{V}')",
     ["{c}<이> {Vd}인 {t}<이> 있는 {p}의 {p_s}<을> {SHOW}", "{Vd} {t} 기록이 있는 {p} {SHOW}"]),
    ("in_subquery", "SELECT {P_S} FROM {P} WHERE {P_K} NOT IN (SELECT {F} FROM {T} WHERE {F} IS NOT NULL)",
     ["{t}<이> 한 번도 없는 {p}<을> {SHOW}", "{t} 기록이 없는 {p}의 {p_s}<을> {SHOW}"]),
    ("in_subquery", "SELECT COUNT(*) FROM {P} WHERE {P_K} IN (SELECT {F} FROM {T} WHERE {D} >= '{y0}' AND {D} < '{y1}')",
     ["{yr}년에 {t}<이> 있었던 {p}<은> {P_MANY}"]),
    ("in_subquery", "SELECT {S} FROM {T} WHERE {F} IN (SELECT {P_K} FROM {P} WHERE {P_C} = '{P_V}')",
     ["{p_c}<이> {P_Vd}인 {p}에 속한 {t}의 {s}<을> {SHOW}"]),
    ("null_handling", "SELECT COUNT(*) FROM {T} WHERE {Z} IS NULL",
     ["{z}<이> 비어 있는 {t}<은> {MANY}", "{z} 정보가 없는 {t} 수를 {CALC}", "{z}<이> 입력되지 않은 {t}<이> 몇 {cnt}인지 알려줘"]),
    ("null_handling", "SELECT {S} FROM {T} WHERE {Z} IS NOT NULL", ["{z}<이> 입력된 {t}의 {s}<을> {SHOW}"]),
    ("null_handling", "SELECT {L}, COALESCE({ZT}, '{NA}') FROM {T}",
     ["{t}의 {l}<과> {zt}<을> 보여주는데 {zt}<이> 없으면 '{NA}'<으로> 표시해줘"]),
    ("null_handling", "SELECT {S} FROM {T} WHERE {Z} IS NULL AND {C} = '{V}'",
     ["{c}<이> {Vd}인데 {z}<이> 비어 있는 {t}<을> {SHOW}"]),
    ("like", "SELECT {S} FROM {T} WHERE {LK} LIKE '{LP}'", ["{LQ} {t}의 {s}<을> {SHOW}", "{LQ} {t} {SHOW}"]),
    ("like", "SELECT COUNT(*) FROM {T} WHERE {LK} LIKE '{LP}'", ["{LQ} {t}<은> {MANY}"]),
    ("window", "SELECT {C}, {L}, {N} FROM (SELECT {C}, {L}, {N}, ROW_NUMBER() OVER (PARTITION BY {C} ORDER BY {N} DESC) AS rn "
               "FROM {T}) ranked WHERE rn = 1",
     ["각 {c}별로 {n}<이> 가장 높은 {t}<을> {SHOW}", "{c}마다 {n} 1위인 {t}의 {l}<을> {SHOW}"]),
    ("window", "SELECT {C}, {L}, {N} FROM (SELECT {C}, {L}, {N}, RANK() OVER (PARTITION BY {C} ORDER BY {N} DESC) AS rnk "
               "FROM {T}) ranked WHERE rnk <= {k}",
     ["{c}별 {n} 상위 {k}위까지의 {t}<을> {SHOW}"]),
    ("window", "SELECT {C}, SUM({A}) AS total_{A}, RANK() OVER (ORDER BY SUM({A}) DESC) AS rnk FROM {T} GROUP BY {C}",
     ["{c}별 {a} 합계와 그 순위를 {SHOW}", "{c}마다 총 {a}<을> 구하고 순위를 매겨줘"]),
    ("window", "SELECT {Pa}.{P_L}, {Ta}.{N}, RANK() OVER (PARTITION BY {Ta}.{F} ORDER BY {Ta}.{N} DESC) AS rnk "
               "FROM {T} {Ta} JOIN {P} {Pa} ON {Ta}.{F} = {Pa}.{P_K}",
     ["{p}별로 {t}의 {n} 순위를 매겨서 {SHOW}"]),
]

COUNT_UNITS = ("개", "명", "건", "실", "석", "팔레트", "일", "층")
for _i, _t in enumerate(TEMPLATES):  # "가장 높은 객실 수" -> "가장 많은 객실 수" via {HI}/{LO}
    if any("{n}" in q for q in _t[2]):
        TEMPLATES[_i] = (_t[0], _t[1], [q.replace("높은", "{HI}").replace("낮은", "{LO}") for q in _t[2]], *_t[3:])

ENDINGS = {
    "SHOW": ["보여줘", "알려줘", "조회해줘", "뽑아줘", "보여주세요", "알려주세요", "조회해 주세요", "보여줄래요?", "알려줄래?",
             "찾아줘", "출력해줘", "확인해 주세요", "보여 줄 수 있어?"],
    "CALC": ["구해줘", "계산해줘", "알려줘", "구해 주세요", "계산해 주세요", "알려주세요", "집계해줘", "뽑아줘"],
    "VAL": ["얼마야?", "얼마인가요?", "얼마예요?", "어떻게 돼?", "어떻게 되나요?", "얼마지?", "얼마인지 알려줘", "얼마인지 알려주세요"],
    "WHEN": ["언제야?", "언제인가요?", "언제예요?", "언제인지 알려줘", "언제인지 알려주세요"],
    "MANY": ["<이야>?", "인가요?", "<이에요>?", "인지 알려줘", "인지 알려주세요", "일까?", " 있어?", " 있나요?", "<이나> 돼?",
             "<이나> 되나요?", "인지 궁금해요"],
}
WHO = {"명": ["누구야?", "누구인가요?", "누구예요?", "누군지 알려줘", "누구인지 알려주세요"],
       "곳": ["어디야?", "어디인가요?", "어디예요?", "어딘지 알려줘"],
       "": ["뭐야?", "무엇인가요?", "뭔지 알려줘", "어떤 거야?", "무엇인지 알려주세요"]}
JOSA = {"을": ("을", "를"), "이": ("이", "가"), "은": ("은", "는"), "과": ("과", "와"), "으로": ("으로", "로"),
        "이에요": ("이에요", "예요"), "이야": ("이야", "야"), "이나": ("이나", "나"), "이고": ("이고", "고")}


# ----------------------------------------------------------------------------------------------- specs

@dataclass
class ColSpec:
    names: list[str]
    optional: bool
    gen: str
    descs: list[str]
    syns: list[str]
    opts: dict


@dataclass
class TabSpec:
    names: list[str]
    optional: bool
    counter: str
    rows: tuple[int, int]
    descs: list[str]
    syns: list[str]
    cols: list[ColSpec] = field(default_factory=list)


def parse_domains(text: str = DOMAINS) -> dict[str, tuple[str, list[TabSpec]]]:
    """The DSL above -> {domain: (Korean description, [TabSpec])}."""
    out: dict[str, tuple[str, list[TabSpec]]] = {}
    tables: list[TabSpec] = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        parts = [p.strip() for p in raw.strip().split(" ; ")]
        if raw.startswith("#"):
            tables = []
            out[parts[0][1:].strip()] = (parts[1], tables)
        elif raw.startswith("@"):
            names, counter, rows, descs, syns = parts
            lo, hi = rows.split("-")
            tables.append(TabSpec(names.lstrip("@?").split("|"), "?" in names[:2], counter, (int(lo), int(hi)),
                                  descs.split("|"), syns.split(",")))
        else:
            names, gen, *rest = parts
            descs = rest[0].split("|") if rest else [""]
            syns = rest[1].split(",") if len(rest) > 1 and "=" not in rest[1] else []
            opts = dict(p.split("=", 1) for p in rest[1:] if "=" in p)
            tables[-1].cols.append(ColSpec(names.lstrip("?").split("|"), names.startswith("?"), gen, descs, syns, opts))
    return out


# ----------------------------------------------------------------------------------------------- building

@dataclass
class VCol:
    name: str
    spec: ColSpec
    type: str
    ref: str | None = None        # referenced table name for foreign keys
    ref_col: str | None = None
    values: list | None = None    # for cat: the chosen value set


@dataclass
class VTab:
    key: str
    name: str
    spec: TabSpec
    rows: int
    cols: list[VCol]

    @property
    def pk(self) -> VCol:
        return next(c for c in self.cols if c.spec.gen == "pk")


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), list(weights.values()))[0]


def realise(domain: str, variant: int, seed: int) -> list[VTab]:
    """One variant of a domain: names, optional parts, value sets, types and row counts."""
    rng = random.Random(f"{seed}:{domain}:{variant}:schema")
    _, specs = parse_domains()[domain]
    id_type = "BIGINT" if rng.random() < 0.2 else "INTEGER"
    out: dict[str, VTab] = {}
    used_names: set[str] = set()
    for ts in specs:
        if ts.optional and rng.random() < 0.4:
            continue
        name = ts.names[0] if variant == 0 else rng.choice([n for n in ts.names if n not in used_names] or ts.names)
        used_names.add(name)
        cols = []
        for cs in ts.cols:
            if cs.optional and rng.random() < 0.4:
                continue
            cname = cs.names[0] if variant == 0 else rng.choice(cs.names)
            kind, _, arg = cs.gen.partition(":")
            col = VCol(cname, cs, "VARCHAR")
            if kind in ("pk", "fk"):
                col.type = id_type
                if kind == "fk":
                    parent = out.get(arg)
                    if parent is None:
                        continue
                    col.ref, col.ref_col = parent.name, parent.pk.name
                    if parent.pk.name != "id" and rng.random() < 0.85:
                        col.name = parent.pk.name
            elif kind in ("int",):
                col.type = "INTEGER"
            elif kind == "money":
                hi = float(arg.split(",")[1])
                col.type = rng.choice((["INTEGER"] if hi < 2e9 else []) + ["BIGINT", "DECIMAL(14,2)"])
            elif kind == "float":
                col.type = "DOUBLE"
            elif kind in ("date", "ts"):
                col.type = "DATE" if kind == "date" else "TIMESTAMP"
            elif kind == "after":
                base = next((c for c in cols if c.spec.names[0] == arg.split(",")[0] or c.name == arg.split(",")[0]), None)
                if base is None:
                    continue
                col.type = base.type
            elif kind == "bool":
                col.type = "BOOLEAN"
            elif kind == "cat":
                col.values = rng.choice(arg.split("/")).split(",")
            if any(c.name == col.name for c in cols):
                col.name = cs.names[0] if all(c.name != cs.names[0] for c in cols) else f"{ts.names[0][:3]}_{cs.names[0]}"
            cols.append(col)
        lo, hi = ts.rows
        out[ts.names[0]] = VTab(ts.names[0], name, ts, rng.randint(lo, hi), cols)
    return list(out.values())


def _gen_column(col: VCol, n: int, rng: random.Random, done: dict, ids: dict) -> list:
    kind, _, arg = col.spec.gen.partition(":")
    a = arg.split(",") if arg else []
    if kind == "pk":
        vals = list(range(1, n + 1))
    elif kind == "fk":
        parent = ids[col.ref]
        weights = [1 / (i + 1) ** 0.6 for i in range(len(parent))]
        rng.shuffle(weights)
        vals = rng.choices(parent, weights, k=n)
    elif kind == "person":
        vals = [_weighted(rng, SURNAMES) + rng.choice(GIVEN) for _ in range(n)]
    elif kind == "city":
        vals = [_weighted(rng, REGIONS) for _ in range(n)]
    elif kind == "cat":
        w = sorted((rng.uniform(0.3, 3.0) for _ in col.values), reverse=True)
        vals = rng.choices(col.values, w, k=n)
    elif kind == "pool":
        pool = rng.sample(a, len(a))
        vals = [pool[i] if i < len(pool) else f"{pool[i % len(pool)]} {i // len(pool) + 1}" for i in range(n)]
    elif kind == "combo":
        mods, bases = (p.split(",") for p in arg.split("/"))
        vals = [f"{rng.choice(mods)} {rng.choice(bases)}" for _ in range(n)]
    elif kind == "text":
        vals = [rng.choice(a) for _ in range(n)]
    elif kind == "code":
        vals = [f"{arg}{rng.randint(1, 20):02d}{i:03d}" for i in range(1, n + 1)]
    elif kind == "int":
        vals = [rng.randint(int(a[0]), int(a[1])) for _ in range(n)]
    elif kind == "money":
        lo, hi, step = (float(x) for x in a)
        draw = (lambda: rng.uniform(lo, hi)) if lo <= 0 else (lambda: math.exp(rng.uniform(math.log(lo), math.log(hi))))
        vals = [int(round(draw() / step) * step) for _ in range(n)]
    elif kind == "float":
        vals = [round(rng.uniform(float(a[0]), float(a[1])), int(a[2])) for _ in range(n)]
    elif kind in ("date", "ts"):
        start, end = dt.date.fromisoformat(a[0]), dt.date.fromisoformat(a[1])
        days = [start + dt.timedelta(rng.randint(0, (end - start).days)) for _ in range(n)]
        vals = [d.isoformat() if kind == "date" else f"{d} {rng.choice(range(7, 23)):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
                for d in days]
    elif kind == "after":
        base = done[next(c.name for c in done["__cols__"] if c.spec.names[0] == a[0] or c.name == a[0])]
        vals = []
        for b in base:
            if b is None:
                vals.append(None)
                continue
            d = dt.datetime.fromisoformat(b) + dt.timedelta(days=rng.randint(int(a[1]), int(a[2])), hours=rng.randint(0, 8))
            vals.append(None if d.year > 2025 else (d.date().isoformat() if len(b) == 10 else d.strftime("%Y-%m-%d %H:%M:%S")))
    elif kind == "bool":
        vals = [rng.random() < float(arg) for _ in range(n)]
    elif kind == "phone":
        vals = [f"010-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}" for _ in range(n)]
    elif kind == "email":
        vals = [f"{rng.choice(EMAIL_WORDS)}{i}@{rng.choice(['naver.com', 'gmail.com', 'daum.net', 'company.co.kr'])}"
                for i in range(1, n + 1)]
    else:
        raise ValueError(f"unknown generator {col.spec.gen}")
    null = float(col.spec.opts.get("null", 0)) * rng.uniform(0.6, 1.3)
    if null and kind != "pk":
        vals = [None if rng.random() < null else v for v in vals]
    return vals


def build_database(path: Path, domain: str, variant: int, seed: int) -> tuple[dict, dict]:
    """Write one variant as a DuckDB file; returns (yaml-style annotations, question hints)."""
    import duckdb
    import pandas as pd

    vtabs = realise(domain, variant, seed)
    rng = random.Random(f"{seed}:{domain}:{variant}:data")
    ids: dict[str, list] = {}
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    annotations = {"database": path.stem, "description": parse_domains()[domain][0], "tables": {}}
    hints: dict = {}
    try:
        for vt in vtabs:
            data: dict = {"__cols__": vt.cols}
            for col in vt.cols:
                data[col.name] = _gen_column(col, vt.rows, rng, data, ids)
            ids[vt.name] = data[vt.pk.name]
            defs = [f"{c.name} {c.type}" + (" PRIMARY KEY" if c.spec.gen == "pk" else "") for c in vt.cols]
            defs += [f"FOREIGN KEY ({c.name}) REFERENCES {c.ref}({c.ref_col})" for c in vt.cols if c.ref]
            con.execute(f"CREATE TABLE {vt.name} ({', '.join(defs)})")
            frame = pd.DataFrame({c.name: data[c.name] for c in vt.cols}, dtype=object)
            con.register("_frame", frame)
            con.execute(f"INSERT INTO {vt.name} SELECT * FROM _frame")
            con.unregister("_frame")
            cols_note, col_hints = {}, {}
            for c in vt.cols:
                kind = c.spec.gen.split(":")[0]
                desc = rng.choice(c.spec.descs)
                if c.ref and rng.random() < 0.5:
                    desc += f" ({c.ref} 참조)"
                if kind not in ("pk", "fk") and rng.random() < 0.08:
                    desc = ""  # real schemas are never fully documented
                note = {"description": desc} if desc else {}
                if c.spec.syns:
                    note["synonyms"] = rng.sample(c.spec.syns, len(c.spec.syns))
                if kind in ("email", "phone"):
                    note["sensitive"] = True
                cols_note[c.name] = note
                col_hints[c.name] = {
                    "nouns": c.spec.syns, "kind": {"person": "label", "pool": "label", "combo": "label", "text": "text",
                                                   "code": "label", "city": "cat", "cat": "cat"}.get(kind),
                    "person": kind == "person", "unit": c.spec.opts.get("unit", ""), "ev": c.spec.opts.get("ev", ""),
                    "add": c.spec.opts.get("add", "1" if kind == "money" else "0") == "1",
                    "yes": c.spec.opts.get("yes", ""), "no": c.spec.opts.get("no", ""),
                }
            annotations["tables"][vt.name] = {"description": rng.choice(vt.spec.descs),
                                              "synonyms": rng.sample(vt.spec.syns, len(vt.spec.syns)), "columns": cols_note}
            hints[vt.name] = {"nouns": vt.spec.syns, "counter": vt.spec.counter, "cols": col_hints}
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return annotations, hints


def sample_hints(annotations: dict) -> dict:
    """Question-side hints for a project sample database, from its yaml plus the small tables above."""
    hints = {}
    for tname, note in (annotations.get("tables") or {}).items():
        cols = {}
        for cname, cnote in (note.get("columns") or {}).items():
            nouns = list(cnote.get("synonyms") or [])[:2]
            desc = re.sub(r"\s*\(.*?\)", "", cnote.get("description", "")).split(".")[0].split(":")[0].strip()
            if desc and len(desc) <= 10 and re.fullmatch(r"[가-힣 ]+", desc):
                nouns = [desc] + nouns
            yes, no = SAMPLE_BOOLS.get(cname, ("", ""))
            cols[cname] = {"nouns": nouns, "kind": None, "person": (tname, cname) in SAMPLE_PEOPLE,
                           "unit": "원" if any(w in cname for w in ("amount", "price", "cost", "budget", "revenue",
                                                                    "spend", "fee", "krw")) else "",
                           "ev": SAMPLE_EVENTS.get((tname, cname), ""),
                           "add": any(w in cname for w in ADDITIVE_WORDS), "yes": yes, "no": no}
        hints[tname] = {"nouns": list(note.get("synonyms") or [])[:2], "counter": SAMPLE_COUNTERS.get(tname, "건"),
                        "cols": cols}
    return hints


# ----------------------------------------------------------------------------------------------- profiling

@dataclass
class PCol:
    name: str
    kind: str              # cat / num / date / label / text / bool / other
    nouns: list[str]
    sensitive: bool = False
    has_null: bool = False
    values: list = field(default_factory=list)    # cat: most frequent first
    quant: list = field(default_factory=list)     # num: 30/50/70 % quantiles
    months: list = field(default_factory=list)    # date: (year, month) with data
    tokens: list = field(default_factory=list)    # label/text: LIKE tokens
    labels: list = field(default_factory=list)    # label: some exact values
    hint: dict = field(default_factory=dict)


@dataclass
class PTab:
    name: str
    nouns: list[str]
    counter: str
    pk: str | None
    fks: list[tuple[str, str, str]]
    cols: list[PCol]
    alias: str


def profile(catalog, con, hints: dict) -> dict[str, PTab]:
    """What the templates need to know about each table: column roles, values, ranges and Korean nouns."""
    out = {}
    for t in catalog.tables.values():
        th = hints.get(t.name) or {}
        if not th.get("nouns"):
            continue
        n_rows = con.execute(f'SELECT COUNT(*) FROM "{t.name}"').fetchone()[0]
        fk_cols = {c for fk in t.foreign_keys for c in fk.columns}
        pk = next((c.name for c in t.columns if c.primary_key), None)
        cols = []
        for c in t.columns:
            h = (th.get("cols") or {}).get(c.name) or {}
            nouns = [n for n in h.get("nouns") or [] if n]
            if not nouns or c.primary_key or c.name in fk_cols or c.name.endswith("_id") or c.name == "id":
                continue
            typ = c.type.upper()
            q = f'"{c.name}"'
            cnt, distinct = con.execute(f'SELECT COUNT({q}), COUNT(DISTINCT {q}) FROM "{t.name}"').fetchone()
            if cnt == 0:
                continue
            pc = PCol(c.name, "other", nouns, c.sensitive, cnt < n_rows, hint=h)
            if typ == "BOOLEAN":
                pc.kind = "bool" if h.get("yes") else "other"
            elif typ in ("DATE", "TIMESTAMP") or typ.startswith("TIMESTAMP"):
                pc.kind = "date"
                pc.months = [tuple(map(int, r[0].split("-"))) for r in con.execute(
                    f"SELECT DISTINCT strftime({q}, '%Y-%m') FROM \"{t.name}\" WHERE {q} IS NOT NULL ORDER BY 1").fetchall()]
            elif any(k in typ for k in ("INT", "DOUBLE", "DECIMAL", "FLOAT", "REAL", "NUMERIC")):
                pc.kind = "num"
                pc.quant = [float(x) for x in con.execute(
                    f'SELECT quantile_cont({q}, 0.3), quantile_cont({q}, 0.5), quantile_cont({q}, 0.7) FROM "{t.name}"').fetchone()]
            elif c.sensitive:
                pc.kind = "other"
            else:
                kind = h.get("kind")
                if kind is None:
                    kind = ("label" if any(w in c.name for w in ("name", "title")) and distinct > 0.5 * cnt
                            else "cat" if distinct <= 30 else "text")
                pc.kind = kind
                if kind == "cat":
                    pc.values = [r[0] for r in con.execute(
                        f'SELECT {q}, COUNT(*) n FROM "{t.name}" WHERE {q} IS NOT NULL GROUP BY {q} ORDER BY n DESC, {q} LIMIT 12').fetchall()]
                else:
                    vals = [r[0] for r in con.execute(
                        f'SELECT {q} FROM "{t.name}" WHERE {q} IS NOT NULL ORDER BY {q} LIMIT 400').fetchall()]
                    if h.get("person"):
                        counts = Counter(v[0] for v in vals if re.match(r"[가-힣]", v))
                        pc.tokens = [("prefix", s) for s, k in counts.most_common(6) if k >= 2]
                    else:
                        counts = Counter(w for v in vals for w in dict.fromkeys(str(v).split()) if re.fullmatch(r"[가-힣]{2,}", w))
                        pc.tokens = [("contains", w) for w, k in counts.most_common(8) if k >= 2 and k < len(vals)]
                    if kind == "label":
                        pc.labels = [v for v, k in Counter(vals).most_common(30) if "'" not in str(v)]
            cols.append(pc)
        out[t.name] = PTab(t.name, th["nouns"], th.get("counter") or "건", pk,
                           [(fk.columns[0], fk.ref_table, fk.ref_columns[0]) for fk in t.foreign_keys
                            if len(fk.columns) == 1 and fk.ref_table != t.name], cols, _alias(t.name))
    for tab in out.values():  # joins need the parent profiled too
        tab.fks = [fk for fk in tab.fks if fk[1] in out and out[fk[1]].pk == fk[2]]
    return out


SQL_WORDS = {"as", "at", "by", "do", "if", "in", "is", "no", "of", "on", "or", "to", "all", "and", "asc", "end", "for",
             "key", "not", "row", "set"}


def _alias(name: str) -> str:
    initials = "".join(p[0] for p in name.split("_") if p)[:3]
    return next(a for a in (initials, name[:2], name[:3], name) if a and a not in SQL_WORDS)


# ----------------------------------------------------------------------------------------------- Korean text

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
        if text[max(0, i - 1):i + 1].lower() == "kg":
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


def _nice(x: float) -> float | int:
    """A round number near ``x`` (2 significant digits)."""
    if x == 0:
        return 0
    mag = 10 ** max(0, int(math.floor(math.log10(abs(x)))) - 1)
    v = round(x / mag) * mag
    return int(v) if abs(x) >= 10 or float(v).is_integer() else round(x, 1)


def _num_text(x, unit: str, rng: random.Random) -> str:
    if isinstance(x, float) and not x.is_integer():
        s = f"{x:g}"
    elif unit == "원" and x >= 10000 and x % 10000 == 0 and rng.random() < 0.5:
        man = int(x // 10000)
        s = (f"{man // 10000}억" + (f" {man % 10000}만" if man % 10000 else "")) if man >= 10000 else f"{man:,}만"
        return s + " 원"
    else:
        s = f"{int(x):,}" if rng.random() < 0.6 else str(int(x))
    return s + unit if unit else s


def _value_text(v, rng: random.Random) -> str:
    return f"'{v}'" if rng.random() < 0.25 else str(v)


def _sql_str(v) -> str:
    return str(v).replace("'", "''")


def _ko_list(nouns: list[str]) -> str:
    return nouns[0] if len(nouns) == 1 else ", ".join(nouns[:-1]) + "<과> " + nouns[-1]


# ----------------------------------------------------------------------------------------------- instantiation

def _fill(tab: PTab, up: str, lo: str, rng: random.Random, main: bool) -> dict:
    """Slot values for one table in one role ('' main, 'P_' parent, 'R_' third)."""
    key = {"": "T", "P_": "P", "R_": "R"}[up]
    d = {key: tab.name, key.lower(): rng.choice(tab.nouns), f"{lo}cnt": tab.counter, f"{key}a": tab.alias}
    if tab.pk:
        d[f"{up}K"] = tab.pk
    by = {}
    for c in tab.cols:
        by.setdefault(c.kind, []).append(c)
    for cols in by.values():
        rng.shuffle(cols)
    noun = lambda c: rng.choice(c.nouns)  # noqa: E731
    cats = [c for c in by.get("cat", []) if c.values]
    if cats:
        c = cats[0]
        v = rng.choice(c.values[:6])
        d.update({f"{up}C": c.name, f"{lo}c": noun(c), f"{up}V": _sql_str(v), f"{up}Vd": _value_text(v, rng)})
        others = [x for x in c.values if x != v]
        if others:
            vb = rng.choice(others[:6])
            d.update({f"{up}Vb": _sql_str(vb), f"{up}Vbd": _value_text(vb, rng)})
        if len(cats) > 1:
            c2 = cats[1]
            v2 = rng.choice(c2.values[:6])
            d.update({f"{up}C2": c2.name, f"{lo}c2": noun(c2), f"{up}V2": _sql_str(v2), f"{up}V2d": _value_text(v2, rng)})
    nums = by.get("num", [])
    if nums:
        n = nums[0]
        unit = n.hint.get("unit", "")
        x = _nice(rng.choice(n.quant))
        d.update({f"{up}N": n.name, f"{lo}n": noun(n), f"{up}X": x, f"{up}Xd": _num_text(x, unit, rng), f"{up}Nu": unit})
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
            d.update({
                "yr": yr, "mo": mo, "m0": f"{yr}-{mo:02d}-01", "m1": f"{nxt[0]}-{nxt[1]:02d}-01",
                "y0": f"{yr}-01-01", "y1": f"{yr + 1}-01-01", "qt": qt, "q0": f"{yr}-{3 * qt - 2:02d}-01",
                "q1": f"{yr + (qt == 4)}-{(3 * qt) % 12 + 1:02d}-01", "half": "상반기" if mo <= 6 else "하반기",
                "h0": f"{yr}-{1 if mo <= 6 else 7:02d}-01", "h1": f"{yr}-07-01" if mo <= 6 else f"{yr + 1}-01-01",
                "da": da, "db": db, "dA": f"{yr}-{mo:02d}-{da:02d}", "dB": f"{yr}-{mo:02d}-{db + 1:02d}",
            })
    labels = by.get("label", [])
    if labels:
        c = labels[0]
        d.update({f"{up}L": c.name, f"{lo}l": noun(c)})
        if c.labels:
            v = rng.choice(c.labels)
            d.update({f"{up}LV": _sql_str(v), f"{up}LVd": _value_text(v, rng)})
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
            d["LQ"] = rng.choice([f"{cn}에 '{tok}'<이> 들어간", f"{cn}<이> '{tok}'<을> 포함하는", f"{cn}에 {tok}<이> 포함된"])
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
            d.update({f"{up}ZT": texts[0].name, f"{lo}zt": noun(texts[0]), "NA": rng.choice(["없음", "미입력", "정보 없음"])})
    show = [c for c in tab.cols if c.kind in ("label", "cat", "num", "date") and not c.sensitive]
    if show:
        first = labels[:1] or [rng.choice(show)]
        rest = [c for c in show if c is not first[0]]
        chosen = first + rng.sample(rest, min(len(rest), rng.choice([0, 1, 1, 2])))
        d[f"{up}S"] = ", ".join(c.name for c in chosen)
        d[f"{up}Sa"] = ", ".join(f"{tab.alias}.{c.name}" for c in chosen)
        d[f"{lo}s"] = _ko_list([noun(c) for c in chosen])
    return d


def _keys(tpl) -> set[str]:
    texts = [tpl[1], *tpl[2]] + ([tpl[3][0]] if len(tpl) > 3 else [])
    return {f for t in texts for _, f, _, _ in string.Formatter().parse(t) if f}


def instantiate(tpl, tabs: dict[str, PTab], rng: random.Random, probe: Callable[[str], list]) -> dict | None:
    """Fill one template on a database; None when no table fits it."""
    skill, sql, questions = tpl[:3]
    keys = _keys(tpl)
    need_p = any(k in ("P", "p", "F", "Pa") or k.startswith(("P_", "p_")) for k in keys)
    need_r = any(k in ("R", "r", "RJ", "Ra") or k.startswith(("R_", "r_")) for k in keys)
    question = rng.choice(questions)
    order = sorted(tabs)
    rng.shuffle(order)
    for tname in order:
        t = tabs[tname]
        combos = [(None, None)]
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
                if len(tpl) > 3:
                    values = sorted(float(r[0]) for r in probe(tpl[3][0].format(**slots)) if r[0] is not None)
                    if len(values) < 2:
                        continue
                    h = values[int(len(values) * rng.uniform(0.4, 0.75))]
                    if tpl[3][1] is None:
                        slots["H"] = max(2, int(h))
                    else:
                        slots["H"] = _nice(h * 0.95)
                        slots["Hd"] = _num_text(slots["H"], slots.get(tpl[3][1], ""), rng)
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


# ----------------------------------------------------------------------------------------------- verification

def sqlite_copy(duck_con) -> sqlite3.Connection:
    """An in-memory SQLite database with the same tables and rows (dates as ISO text, booleans as 0/1)."""
    mem = sqlite3.connect(":memory:")
    tables = [r[0] for r in duck_con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE NOT internal ORDER BY table_name").fetchall()]
    for t in tables:
        cols = duck_con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [t]).fetchall()
        pk = [r[0] for r in duck_con.execute(
            "SELECT unnest(constraint_column_names) FROM duckdb_constraints() WHERE table_name = ? "
            "AND constraint_type = 'PRIMARY KEY'", [t]).fetchall()]
        affinity = lambda ty: ("INTEGER" if "INT" in ty or ty == "BOOLEAN" else  # noqa: E731
                               "REAL" if any(k in ty for k in ("DOUBLE", "DECIMAL", "FLOAT", "REAL")) else "TEXT")
        defs = [f'"{c}" {affinity(ty)}' for c, ty in cols] + ([f"PRIMARY KEY ({', '.join(pk)})"] if pk else [])
        mem.execute(f'CREATE TABLE "{t}" ({", ".join(defs)})')
        rows = duck_con.execute(f'SELECT * FROM "{t}"').fetchall()
        mem.executemany(f'INSERT INTO "{t}" VALUES ({", ".join("?" * len(cols))})', [tuple(map(_to_sqlite, r)) for r in rows])
    mem.commit()
    return mem


def _to_sqlite(v):
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, bool):
        return int(v)
    return v


def _norm(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float, Decimal)):
        f = round(float(v), 2)
        return 0.0 if f == 0 else f
    if isinstance(v, (dt.date, dt.datetime)):
        return _to_sqlite(v)
    return str(v)


def _close(a: list[tuple], b: list[tuple]) -> bool:
    """Equal up to 0.01 per number: ROUND(x, 2) of an exact half may go either way on the two engines."""
    key = lambda r: tuple("" if v is None else f"{v:.1f}" if isinstance(v, float) else str(v) for v in r)  # noqa: E731
    if len(a) != len(b):
        return False
    for ra, rb in zip(sorted(a, key=key), sorted(b, key=key)):
        if len(ra) != len(rb):
            return False
        for x, y in zip(ra, rb):
            if isinstance(x, float) and isinstance(y, float):
                if abs(x - y) > 0.0101:
                    return False
            elif x != y:
                return False
    return True


def run_sqlite(mem: sqlite3.Connection, sql: str, timeout_s: float = 5.0) -> list[tuple]:
    deadline = time.monotonic() + timeout_s
    mem.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 20_000)
    try:
        return mem.execute(sql).fetchall()
    finally:
        mem.set_progress_handler(None, 0)


def verify(sql: str, duck_con, mem: sqlite3.Connection, max_rows: int = 1000) -> tuple[bool, str]:
    """Same non-empty result on DuckDB and SQLite (multisets, floats to 2 decimals)?"""
    try:
        a = duck_con.execute(sql).fetchall()
    except Exception as exc:
        return False, f"duckdb: {str(exc).splitlines()[0][:120]}"
    try:
        b = run_sqlite(mem, sql)
    except Exception as exc:
        return False, f"sqlite: {exc}"
    if not a:
        return False, "empty"
    if len(a) > max_rows:
        return False, "too many rows"
    na = Counter(tuple(map(_norm, r)) for r in a)
    nb = Counter(tuple(map(_norm, r)) for r in b)
    if na != nb and not _close(list(na.elements()), list(nb.elements())):
        return False, "mismatch"
    if all(v is None or v == 0 for r in na for v in r) and len(a) == 1:
        return False, "null or zero aggregate"
    if all(all(v is None for v in r) for r in na):
        return False, "all null"
    return True, ""


# ----------------------------------------------------------------------------------------------- context

def choose_tables(catalog, gold: list[str], rng: random.Random) -> list[str]:
    """Tables shown in the prompt, as the retriever would pick them: gold + FK neighbours + some noise."""
    gold = list(dict.fromkeys(gold))
    neighbours = sorted(set().union(*(catalog.neighbours(g) for g in gold)) - set(gold))
    rng.shuffle(neighbours)
    if neighbours and rng.random() < 0.25:
        neighbours.pop()
    others = sorted(set(catalog.tables) - set(gold) - set(neighbours))
    extra = rng.sample(others, min(len(others), rng.choice([0, 0, 1, 1, 2])))
    rest = (neighbours + extra)[: max(0, MAX_PROMPT_TABLES - len(gold))]
    if rng.random() < 0.8:
        rng.shuffle(gold)
        rng.shuffle(rest)
        return gold + rest
    tables = gold + rest
    rng.shuffle(tables)
    return tables


# ----------------------------------------------------------------------------------------------- dataset

class EngineConnection:
    """The small part of DuckDB's connection API the generator uses, over a SQLAlchemy connection."""

    def __init__(self, db):
        self._db = db
        self._conn = db.engine.connect()
        self._rows: list[tuple] = []

    def execute(self, sql: str, params=()):
        try:
            self._rows = [tuple(r) for r in self._conn.exec_driver_sql(sql, tuple(params)).fetchall()]
        except Exception:
            self._conn.rollback()  # a failed statement aborts the transaction; the next query needs a fresh one
            raise
        return self

    def fetchall(self) -> list[tuple]:
        return self._rows

    def fetchone(self):
        return self._rows[0] if self._rows else None

    def close(self) -> None:
        self._conn.close()
        self._db.dispose()


def generate_for_database(db_id: str, path: Path, annotations: dict, hints: dict, n_questions: int,
                          rng: random.Random, domain: str, split: str,
                          augment_rng: random.Random | None = None) -> list[dict]:
    """Verified, deduplicated records for one database file.

    With ``augment_rng``, follow-up and repair records are added (``augment``); they draw from
    their own random stream, so the plain records stay the same with or without them.
    """

    from t2sql.db.catalog import build_catalog
    from t2sql.db.engine import Database
    from t2sql.settings import Settings

    db = Database(f"duckdb:///{path}")
    catalog = build_catalog(db, annotations, sample_values=5, sensitive_patterns=Settings().sensitive_patterns)
    # through the app's own read-only engine: DuckDB refuses a second, differently configured
    # connection to a file that is already open in this process (e.g. a sample database)
    con = EngineConnection(db)
    mem = sqlite_copy(con)
    try:
        records = generate_records(db_id, catalog, con, mem, hints, n_questions, rng, domain, split)
        if augment_rng is not None:
            records += _augmented(records, catalog, db, con, mem, augment_rng)
        return records
    finally:
        mem.close()
        con.close()


def generate_records(db_id: str, catalog, con, mem: sqlite3.Connection, hints: dict, n_questions: int,
                     rng: random.Random, domain: str = "", split: str = "train",
                     on_record: Callable[[int], None] | None = None) -> list[dict]:
    """Template questions over ``catalog``, each verified on the DuckDB connection ``con`` and its
    SQLite copy ``mem`` (the SQL must give the same rows on both), deduplicated by question and SQL."""
    tabs = profile(catalog, con, hints)
    by_skill = {s: [t for t in TEMPLATES if t[0] == s] for s in SKILLS}
    records, seen_q, seen_sql = [], set(), set()
    failures = Counter()
    skills = list(SKILLS)
    attempts = 0
    while len(records) < n_questions and attempts < n_questions * 8:
        attempts += 1
        live = [s for s in skills if failures[s] < 25]
        if not live:
            break
        skill = live[attempts % len(live)] if rng.random() < 0.7 else rng.choice(live)
        ex = instantiate(rng.choice(by_skill[skill]), tabs, rng, lambda s: con.execute(s).fetchall())
        if ex is None:
            failures[skill] += 1
            continue
        kq, ks = (db_id, normalize_question(ex["question"])), (db_id, normalize_sql(ex["answer"]))
        if kq in seen_q or ks in seen_sql:
            failures[skill] += 0.2
            continue
        ok, _why = verify(ex["answer"], con, mem)
        if not ok:
            failures[skill] += 1
            continue
        seen_q.add(kq)
        seen_sql.add(ks)
        context = catalog.ddl(choose_tables(catalog, ex["tables"], rng))
        records.append({"db_id": db_id, "context": context, "question": ex["question"], "answer": ex["answer"],
                        "skill": ex["skill"], "domain": domain, "split": split})
        if on_record:
            on_record(len(records))
    return records


def _augmented(records: list[dict], catalog, db, con, mem: sqlite3.Connection, rng: random.Random) -> list[dict]:
    """Follow-up and repair records (``augment``), verified and failed on the real engines."""
    from t2sql.guard import statement as guard
    from t2sql.db.engine import MSG_FAILED

    def duckdb_error(sql: str) -> str | None:
        try:
            db.run(guard.check(sql, "duckdb", 1000).sql, 1000, 5.0)
        except T2SQLError as exc:
            return str(exc)
        return None

    def sqlite_error(sql: str) -> str | None:  # the same failure as a SQLite database reports it
        try:
            guard.check(sql, "sqlite", 1000)
            mem.execute(sql).fetchmany(1)
        except T2SQLError as exc:
            return str(exc)
        except sqlite3.Error as exc:
            return MSG_FAILED.format(exc)
        return None

    return (augment.followups(records, catalog, lambda sql: verify(sql, con, mem)[0], rng, josa)
            + augment.repairs(records, catalog, (duckdb_error, sqlite_error), rng))


def _embed(texts: list[str]):
    """Question vectors with the embedding model the example index uses (unit length)."""
    import numpy as np

    from t2sql.retrieval.embeddings import USEEmbeddingFunction

    return np.stack(USEEmbeddingFunction()(texts))


def generate_dataset(out_dir: Path, seed: int = 0, variants_per_domain: int = 5, questions_per_db: int = 120,
                     progress: Callable[[str], None] | None = None) -> dict[str, Path]:
    """Build the databases, generate verified pairs, write {train,validation,test}.jsonl and stats.json."""
    import yaml

    from t2sql.db import demo as samples
    from t2sql.db.catalog import load_annotations
    from t2sql.settings import Settings

    say = progress or (lambda _m: None)
    started = time.time()
    out_dir = Path(out_dir)
    db_dir = out_dir / "dbs"
    shutil.rmtree(db_dir, ignore_errors=True)
    db_dir.mkdir(parents=True, exist_ok=True)
    split_of = {d: s for s, ds in HELD_OUT.items() for d in ds}
    jobs = []  # (db_id, path, annotations, hints, domain, split)
    for domain in parse_domains():
        for v in range(variants_per_domain):
            db_id = f"{domain}_{v + 1}"
            path = db_dir / f"{db_id}.duckdb"
            annotations, hints = build_database(path, domain, v, seed)
            (db_dir / f"{db_id}.yaml").write_text(yaml.safe_dump(annotations, allow_unicode=True, sort_keys=False),
                                                  encoding="utf-8")
            jobs.append((db_id, path, annotations, hints, domain, split_of.get(domain, "train")))
        say(f"{domain}: 데이터베이스 {variants_per_domain}개 생성")
    settings = Settings()
    for name, path in samples.ensure_samples(settings.sample_dir).items():
        annotations = load_annotations(settings.schema_dir, name)
        if annotations:
            jobs.append((name, Path(path), annotations, sample_hints(annotations), f"sample_{name}", "train"))
    records = {s: [] for s in SPLITS}
    databases = {}
    for db_id, path, annotations, hints, domain, split in jobs:
        rng = random.Random(f"{seed}:{db_id}:questions")
        augment_rng = random.Random(f"{seed}:{db_id}:augment") if split != "test" else None
        recs = generate_for_database(db_id, path, annotations, hints, questions_per_db, rng, domain, split, augment_rng)
        records[split] += recs
        databases[db_id] = {"path": str(path), "domain": domain, "split": split, "examples": len(recs)}
        say(f"{db_id}: 검증된 예제 {len(recs)}개 ({split})")
    say("비슷한 질문을 예시로 붙이는 중…")
    for split in ("train", "validation"):
        augment.attach_examples(records[split], _embed, random.Random(f"{seed}:{split}:examples"))
    paths, stats = {}, {"seed": seed, "variants_per_domain": variants_per_domain, "questions_per_db": questions_per_db,
                        "splits": {}, "databases": databases}
    for split in SPLITS:
        path = out_dir / f"{split}.jsonl"
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records[split])
        path.write_text(text, encoding="utf-8")
        paths[split] = path
        stats["splits"][split] = {
            "examples": len(records[split]), "databases": len({r["db_id"] for r in records[split]}),
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "skills": dict(sorted(Counter(r["skill"] for r in records[split]).items())),
            "with_examples": sum(1 for r in records[split] if r.get("examples")),
            "domains": dict(sorted(Counter(r["domain"] for r in records[split]).items())),
        }
    stats["elapsed_s"] = round(time.time() - started, 1)
    (out_dir / "stats.json").write_text(json.dumps(stats, ensure_ascii=False, indent=2), encoding="utf-8")
    say(f"완료: " + ", ".join(f"{s} {len(records[s])}개" for s in SPLITS) + f" ({stats['elapsed_s']}초)")
    return paths


# ----------------------------------------------------------------------------------------------- loading

REQUIRED = ("db_id", "context", "question", "answer")


def load_records(source: str | Path, split: str = "train") -> list[dict]:
    """Records from a .jsonl/.json/.csv/.parquet file, a folder holding ``{split}.jsonl`` (or .json/.csv/.parquet),
    or else a Hugging Face dataset id (``datasets.load_dataset(source, split=split)``)."""
    path = Path(source)
    suffixes = (".jsonl", ".json", ".csv", ".parquet")
    if path.is_dir():
        found = next((path / f"{split}{s}" for s in suffixes if (path / f"{split}{s}").is_file()), None)
        if found is None:
            raise T2SQLError(f"'{path}' 폴더에 {split}.jsonl 파일이 없습니다. 먼저 학습 데이터를 생성하세요 (gen-data).")
        path = found
    if path.is_file():
        rows = _read_file(path)
    elif path.suffix.lower() in suffixes or str(source).startswith((".", "/", "~")):
        raise T2SQLError(f"학습 데이터 파일을 찾을 수 없습니다: {path}")
    else:
        try:
            import datasets
        except ImportError as exc:
            raise T2SQLError(
                f"'{source}'은(는) 로컬 파일이 아니어서 Hugging Face 데이터셋으로 읽으려 했지만 `datasets` 패키지가 없습니다. "
                "`pip install datasets`로 설치하거나 JSONL/CSV/Parquet 파일 경로를 지정하세요."
            ) from exc
        try:
            rows = [dict(r) for r in datasets.load_dataset(str(source), split=split)]
        except Exception as exc:
            raise T2SQLError(f"Hugging Face 데이터셋 '{source}'({split})을(를) 불러오지 못했습니다: {exc}") from exc
    out = []
    for r in rows:
        missing = [k for k in REQUIRED if k not in r]
        if missing:
            raise T2SQLError(f"학습 데이터에 필요한 열이 없습니다: {', '.join(missing)} (필요: {', '.join(REQUIRED)})")
        rec = {k: ("" if v is None or (isinstance(v, float) and math.isnan(v)) else v) for k, v in r.items()}
        for k in REQUIRED:
            rec[k] = str(rec[k])
        out.append(rec)
    return out


def _read_file(path: Path) -> list[dict]:
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, list) else data.get("data") or data.get("records") or []
    if suffix == ".csv":
        import pandas as pd

        return pd.read_csv(path, dtype=str, keep_default_na=False).to_dict("records")
    if suffix == ".parquet":
        import duckdb

        con = duckdb.connect()
        try:
            cur = con.execute("SELECT * FROM read_parquet(?)", [str(path)])
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r)) for r in cur.fetchall()]
        finally:
            con.close()
    raise T2SQLError(f"지원하지 않는 학습 데이터 형식입니다: {path.suffix} (jsonl, json, csv, parquet 가능)")


# ----------------------------------------------------------------------------------------------- eval export

DIFFICULTY = {
    "easy": ("select_filter", "count", "count_distinct", "aggregate", "like", "null_handling"),
    "medium": ("group_by", "having", "order_limit", "join", "date_range", "month_group", "ratio"),
    "hard": ("join3", "avg_compare", "in_subquery", "window"),
}


def export_eval_questions(data_dir: Path, split: str, out_dir: Path) -> dict[str, Path]:
    """Write one eval-format JSONL per database of a split (``{id, db_id, question, sql, difficulty,
    order_matters}``), so ``python -m t2sql eval`` can measure generated held-out schemas."""
    level = {skill: name for name, skills in DIFFICULTY.items() for skill in skills}
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    by_db: dict[str, list[dict]] = {}
    for n, rec in enumerate(load_records(Path(data_dir), split)):
        by_db.setdefault(rec["db_id"], []).append({
            "id": f"{rec['db_id']}-{n:05d}", "db_id": rec["db_id"], "question": rec["question"], "sql": rec["answer"],
            "difficulty": level.get(rec.get("skill", ""), "medium"),
            "order_matters": "ORDER BY" in rec["answer"].upper() and "LIMIT" in rec["answer"].upper(),
        })
    paths = {}
    for db_id, rows in sorted(by_db.items()):
        paths[db_id] = out_dir / f"{db_id}.jsonl"
        paths[db_id].write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return paths
