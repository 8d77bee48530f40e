"""Remove the dev set's question and gold SQL texts from an eval report (the dev set stays in ../shared)."""
import json
import sys

for path in sys.argv[1:]:
    report = json.load(open(path, encoding="utf-8"))
    for item in report["items"]:
        item.pop("question", None), item.pop("gold_sql", None)
    report["summary"]["note"] = "question and gold_sql texts removed: the dev set stays in ../shared; join on id to read them"
    json.dump(report, open(path, "w", encoding="utf-8"), ensure_ascii=False, indent=1)
