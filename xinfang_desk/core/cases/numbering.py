"""Case numbers (prefix + year + sequence) and query codes the visitor quotes by phone."""

from __future__ import annotations

import re
import secrets

from xinfang_desk.core.store.models import Case, CaseCounter

# No 0/O, 1/I/L: a code read out over the phone must not be misheard or mistyped.
QUERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
QUERY_CODE_LENGTH = 8


def format_case_no(prefix: str, year: int, seq: int) -> str:
    return f"{prefix}{year}-{seq:06d}"


def parse_case_no(case_no: str) -> tuple[str, int, int] | None:
    match = re.fullmatch(r"([A-Za-z0-9]*?)(\d{4})-(\d{1,9})", case_no)
    if not match:
        return None
    return match.group(1), int(match.group(2)), int(match.group(3))


def next_case_no(prefix: str, year: int) -> str:
    """Allocate the next number; call inside the write transaction that saves the case."""
    CaseCounter.get_or_create(year=year, defaults={"last": 0})
    while True:
        # One atomic UPDATE … RETURNING: two seats on a shared server never get the same number.
        (seq,) = (CaseCounter.update(last=CaseCounter.last + 1)
                  .where(CaseCounter.year == year).returning(CaseCounter.last).tuples().execute())[0]
        case_no = format_case_no(prefix, year, seq)
        if not Case.select().where(Case.case_no == case_no).exists():
            return case_no  # else: a number imported from elsewhere; take the next


def note_used_case_no(case_no: str) -> None:
    """An imported number of our own form moves the counter past it."""
    parsed = parse_case_no(case_no)
    if not parsed:
        return
    _, year, seq = parsed
    counter, _ = CaseCounter.get_or_create(year=year, defaults={"last": 0})
    if seq > counter.last:
        CaseCounter.update(last=seq).where(CaseCounter.year == year).execute()


def is_query_code(code: str) -> bool:
    return len(code) == QUERY_CODE_LENGTH and all(c in QUERY_ALPHABET for c in code)


def new_query_code() -> str:
    while True:
        code = "".join(secrets.choice(QUERY_ALPHABET) for _ in range(QUERY_CODE_LENGTH))
        if not Case.select().where(Case.query_code == code).exists():
            return code


def normalize_query_code(raw: str) -> str:
    """What a visitor reads out, forgiving case, spaces and hyphens."""
    return re.sub(r"[\s-]", "", raw).upper()
