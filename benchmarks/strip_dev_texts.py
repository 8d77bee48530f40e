"""Remove the dev set's question and gold SQL texts from an eval report (the dev set stays in ../shared)."""

import json
import sys
from pathlib import Path

for name in sys.argv[1:]:
    path = Path(name)
    report = json.loads(path.read_text(encoding="utf-8"))
    for item in report["items"]:
        item.pop("question", None), item.pop("gold_sql", None)
    report["summary"]["note"] = (
        "question and gold_sql texts removed: the dev set stays in ../shared; join on id to read them"
    )
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
