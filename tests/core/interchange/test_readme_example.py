"""The JSON Lines example in README.md is a file the program really accepts."""

import datetime as dt
import re

from tests import paths
from xinfang_desk.core.cases.records import get_case
from xinfang_desk.core.interchange.jsonl import import_cases

README = paths.ROOT / "README.md"


def test_readme_jsonl_example_imports(store, tmp_path):
    block = re.search(r"```json\n(.*?)\n```", README.read_text(encoding="utf-8"), re.S).group(1)
    path = tmp_path / "example.jsonl"
    path.write_text(block + "\n", encoding="utf-8")
    report = import_cases(path, today=dt.date(2026, 11, 28))
    assert report.cases == 1 and report.new_units == ["某某镇纪委"]
    case = get_case("XF2026-000103")
    assert case.status == "replied" and case.confidential and case.query_code == "KYQ9UC48"
