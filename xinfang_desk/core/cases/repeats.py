"""Repeat detection at the intake desk: has this person, or this matter, come before?

Called while the clerk types, so every input may be partial: an ID number counts only once
it is complete and valid, a phone once it normalises, a name from 2 characters, matter text
from 4 characters.

Scores (combined per case; a case's person score is that of its best-matching petitioner):

    same ID number             100
    same phone                  50
    same name, similar address  25
    similar matter text      10–18
    same name only               5

so that ID ≫ phone ≫ name + address ≫ matter ≫ name only, and a case matching the ID and
the matter ranks above one matching the ID only. Ties: newest first.

Matter similarity on SQLite: the distinct trigrams of the typed text (punctuation and spaces
removed, at most 40), the rarer ones preferred, in an FTS5 OR query ranked by bm25; the
candidates are then scored by how much of the typed text (its trigrams found in the
database, weighted by rarity) they share,
and the reason quotes the longest shared substring. Elsewhere a LIKE query on a few trigrams
finds the candidates.

A confidential case the acting user may not see (core.people.access) is omitted from the matches
altogether — no summary, names or hint that it exists.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

import peewee as pw

from xinfang_desk.core.cases.search import fts_phrase, petitioner_names
from xinfang_desk.core.errors import XinfangError
from xinfang_desk.core.people.access import visibility_condition
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.rules.validators import mask_phone, normalize_phone, parse_resident_id
from xinfang_desk.core.store.db import database, is_sqlite, storage_errors
from xinfang_desk.core.store.models import Case, CasePetitioner, Petitioner

SCORE_ID = 100.0
SCORE_PHONE = 50.0
SCORE_NAME_ADDRESS = 25.0
SCORE_TEXT_MIN = 10.0
SCORE_TEXT_SPAN = 8.0
SCORE_NAME = 5.0

MIN_NAME = 2
MIN_TEXT = 4
MAX_TRIGRAMS = 40
# Trigram frequency is probed up to this many documents; a trigram found this often is
# "extremely common" and left out of the matter query unless nothing rarer exists.
FREQ_CAP = 1000
QUERY_TRIGRAMS = 12  # rarest trigrams put into the FTS OR query
TEXT_CANDIDATES = 100  # bm25-best candidates scored in Python
MIN_COVERAGE = 0.2  # weighted share of the typed trigrams a case must contain
MAX_NAME_PETITIONERS = 500
LIKE_TRIGRAMS = 4  # non-SQLite fallback


@dataclass(frozen=True)
class RepeatMatch:
    case_id: int
    case_no: str
    received_on: dt.date
    summary: str
    status: str
    status_label: str
    petitioners: str
    score: float
    reasons: list[str]


# ---------------------------------------------------------------------------- text helpers

_KEEP = re.compile(r"[\w]+")  # letters (incl. CJK) and digits; drops punctuation and spaces


def clean_text(text: str) -> str:
    return "".join(_KEEP.findall((text or "").replace("_", "")))


def trigrams(cleaned: str) -> list[str]:
    """Distinct trigrams in order of first appearance (case-folded like the FTS index)."""
    s = cleaned.lower()
    return list(dict.fromkeys(s[i:i + 3] for i in range(len(s) - 2)))


def longest_common_substring(a: str, b: str) -> str:
    """The longest substring of `a` that also occurs in `b` (first one found if tied)."""
    if not a or not b:
        return ""
    best = ""
    # Grow a window over `a`: O(len(a) * len) substring tests, fine for form-sized text.
    start = 0
    for end in range(1, len(a) + 1):
        while start < end and a[start:end] not in b:
            start += 1
        if end - start > len(best):
            best = a[start:end]
    return best


def address_similar(a: str, b: str) -> bool:
    a, b = clean_text(a), clean_text(b)
    if len(a) < 2 or len(b) < 2:
        return False
    if a in b or b in a:
        return True
    common = len(longest_common_substring(a, b))
    return common >= 4 and common >= 0.5 * min(len(a), len(b))


# ---------------------------------------------------------------------------- signals

def _valid_id(raw: str) -> str:
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:  # only a complete, valid number counts (the clerk may still be typing)
        return parse_resident_id(raw).number
    except XinfangError:
        return ""


def _valid_phone(raw: str) -> str:
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        return normalize_phone(raw)
    except XinfangError:
        return ""


class _Person:
    """The person-score of one petitioner row against the typed identity."""

    __slots__ = ("score", "reasons")

    def __init__(self) -> None:
        self.score = 0.0
        self.reasons: list[str] = []


def _person_matches(number: str, phone: str, name: str, address: str) -> dict[int, _Person]:
    conds = []
    if number:
        conds.append(Petitioner.id_number == number)
    if phone:
        conds.append(Petitioner.phone == phone)
        conds.append(Petitioner.phone_alt == phone)
    if not conds and not name:
        return {}
    rows = []
    if conds:
        cond = conds[0]
        for c in conds[1:]:
            cond = cond | c
        rows += list(Petitioner.select(Petitioner.id, Petitioner.id_number, Petitioner.phone,
                                       Petitioner.phone_alt, Petitioner.name, Petitioner.address)
                     .where(cond).tuples())
    if name:
        rows += list(Petitioner.select(Petitioner.id, Petitioner.id_number, Petitioner.phone,
                                       Petitioner.phone_alt, Petitioner.name, Petitioner.address)
                     .where(Petitioner.name == name).limit(MAX_NAME_PETITIONERS).tuples())
    out: dict[int, _Person] = {}
    for pid, p_number, p_phone, p_alt, p_name, p_address in rows:
        if pid in out:
            continue
        person = _Person()
        same_id = bool(number) and p_number == number
        if same_id:
            person.score += SCORE_ID
            person.reasons.append("身份证号相同")
        if phone and phone in (p_phone, p_alt):
            person.score += SCORE_PHONE
            person.reasons.append(f"电话相同（{mask_phone(phone)}）")
        if name and p_name == name and not same_id:
            if address and address_similar(address, p_address):
                person.score += SCORE_NAME_ADDRESS
                person.reasons.append("姓名相同、住址相近")
            else:
                person.score += SCORE_NAME
                person.reasons.append("同名")
        if person.score:
            out[pid] = person
    return out


def _cases_of(person: dict[int, _Person]) -> dict[int, _Person]:
    """Per case, the best-matching petitioner of that case."""
    best: dict[int, _Person] = {}
    ids = list(person)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for case_id, pid in (CasePetitioner.select(CasePetitioner.case, CasePetitioner.petitioner)
                             .where(CasePetitioner.petitioner.in_(chunk)).tuples()):
            p = person[pid]
            if case_id not in best or p.score > best[case_id].score:
                best[case_id] = p
    return best


def _trigram_counts(grams: list[str]) -> dict[str, int]:
    """Documents containing each trigram, counted up to FREQ_CAP (SQLite FTS only)."""
    db = database.obj
    sql = ("SELECT count(*) FROM (SELECT rowid FROM case_fts WHERE case_fts MATCH ? LIMIT "
           f"{FREQ_CAP})")
    return {g: db.execute_sql(sql, (fts_phrase(g),)).fetchone()[0] for g in grams}


def _text_candidates(grams: list[str]) -> tuple[list[int], dict[str, float]]:
    """Candidate case ids for the matter text, best first, and a weight per trigram."""
    if is_sqlite():
        counts = _trigram_counts(grams)
        present = [g for g in grams if counts[g] > 0]
        if not present:
            return [], {}
        n_docs = max(FREQ_CAP * 10, Case.select(pw.fn.MAX(Case.id)).scalar() or 0)
        # Rarer trigrams weigh more; trigrams found nowhere (new details in the typed text)
        # are left out, so they do not dilute the similarity of an otherwise alike matter.
        weights = {g: math.log(1 + n_docs / (counts[g] + 1)) for g in present}
        rare = sorted(present, key=lambda g: (counts[g], grams.index(g)))
        chosen = [g for g in rare if counts[g] < FREQ_CAP][:QUERY_TRIGRAMS]
        if not chosen:
            chosen = rare[:2]  # everything is common: the two least common (capped) ones
        match = " OR ".join(fts_phrase(g) for g in chosen)
        rows = database.obj.execute_sql(
            "SELECT rowid FROM case_fts WHERE case_fts MATCH ? ORDER BY bm25(case_fts) LIMIT ?",
            (match, TEXT_CANDIDATES)).fetchall()
        return [r[0] for r in rows], weights
    # Portable fallback: a few trigrams spread over the text, any of them, newest first.
    step = max(1, len(grams) // LIKE_TRIGRAMS)
    chosen = grams[::step][:LIKE_TRIGRAMS]
    cond = None
    for g in chosen:
        c = Case.search_text.contains(g)
        cond = c if cond is None else (cond | c)
    ids = [r[0] for r in Case.select(Case.id).where(cond)
           .order_by(Case.received_on.desc(), Case.id.desc()).limit(TEXT_CANDIDATES).tuples()]
    return ids, {g: 1.0 for g in grams}


def _text_matches(text: str) -> dict[int, tuple[float, str]]:
    """case id -> (score, reason) for cases whose matter resembles the typed text."""
    cleaned = clean_text(text)
    if len(cleaned) < MIN_TEXT:
        return {}
    grams = trigrams(cleaned)[:MAX_TRIGRAMS]
    ids, weights = _text_candidates(grams)
    if not ids:
        return {}
    total_weight = sum(weights.values()) or 1.0
    out: dict[int, tuple[float, str]] = {}
    rows = Case.select(Case.id, Case.summary, Case.request, Case.facts).where(Case.id.in_(ids))
    for case_id, summary, request, facts in rows.tuples():
        body = clean_text(f"{summary}{request}{facts}").lower()
        shared = sum(w for g, w in weights.items() if g in body)
        coverage = shared / total_weight
        if coverage < MIN_COVERAGE:
            continue
        quote = longest_common_substring(cleaned, clean_text(f"{summary}\n{request}"))
        if len(quote) < 3:
            quote = longest_common_substring(cleaned, clean_text(facts))
        if len(quote) < 3:
            continue
        score = SCORE_TEXT_MIN + SCORE_TEXT_SPAN * min(1.0, coverage)
        out[case_id] = (score, f"事项内容相似：“{quote}”")
    return out


# ---------------------------------------------------------------------------- the lookup

def find_repeats(*, id_number: str = "", phone: str = "", name: str = "", address: str = "",
                 text: str = "", exclude_case_id: int | None = None,
                 limit: int = 10) -> list[RepeatMatch]:
    """Earlier cases of the same person or about the same matter, best match first."""
    number = _valid_id(id_number)
    phone_n = _valid_phone(phone)
    name = (name or "").strip()
    name = name if len(name) >= MIN_NAME else ""
    with storage_errors():
        scores: dict[int, float] = {}
        reasons: dict[int, list[str]] = {}
        for case_id, person in _cases_of(_person_matches(number, phone_n, name, address)).items():
            scores[case_id] = person.score
            reasons[case_id] = list(person.reasons)
        for case_id, (score, reason) in _text_matches(text).items():
            scores[case_id] = scores.get(case_id, 0.0) + score
            reasons.setdefault(case_id, []).append(reason)
        scores.pop(exclude_case_id, None)
        if not scores:
            return []
        received: dict[int, dt.date] = {}
        ids = list(scores)
        hidden = visibility_condition()
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            query = Case.select(Case.id, Case.received_on).where(Case.id.in_(chunk))
            if hidden is not None:  # others' confidential cases are left out, not hinted at
                query = query.where(hidden)
            received.update(query.tuples())
        ranked = sorted((i for i in ids if i in received),
                        key=lambda i: (-scores[i], -received[i].toordinal(), -i))[:limit]
        details = {row[0]: row for row in Case.select(
            Case.id, Case.case_no, Case.received_on, Case.summary, Case.status)
            .where(Case.id.in_(ranked)).tuples()} if ranked else {}
        names = petitioner_names(ranked)
    return [RepeatMatch(case_id=i, case_no=details[i][1], received_on=details[i][2],
                        summary=details[i][3], status=details[i][4],
                        status_label=v.STATUS_LABELS.get(details[i][4], details[i][4]),
                        petitioners=names.get(i, ""), score=round(scores[i], 2),
                        reasons=reasons[i])
            for i in ranked]
