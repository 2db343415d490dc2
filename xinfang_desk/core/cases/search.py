"""Finding cases: Chinese substring search over names and matter text, identifiers, filters.

How the search box is read (`search_cases(text)`):

* A case number (``XF2024-000123``) or an 8-character query code matches that case exactly.
* A resident ID number (15 or 18 characters) or a phone number matches the cases of that
  petitioner (through the indexed Petitioner columns).
* If such an identifier matches nothing, or the text is anything else, it is a substring
  search: space-separated terms must all occur in the case's names/summary/request/facts.
  On SQLite a term of 3+ characters uses the FTS5 trigram index (`case_fts`). A 2-character
  term is answered from the same index: search_text ends with a newline, so every occurrence
  of the term starts a trigram, and the trigrams that start with it are read from the index's
  term list (`case_fts_terms`) and OR-ed. A 1-character term (or a 2-character one that
  starts too many trigrams) uses LIKE on `xf_case.search_text`.
  On PostgreSQL (migration v9) a term of 3+ characters uses ILIKE, which pg_trgm answers from
  its GIN trigram index; a 2-character term the GIN index of its distinct 2-character
  substrings (`xf_bigrams`), rechecked; a 1-character term scans. Each term folds case as
  SQLite does for it, so both give the same cases. Wildcards in user text are literal.
* Control characters (NUL included) and lone surrogates in the search box separate terms like
  a space: they cannot be part of a query, and saved text never holds NUL or surrogates.

Results are newest first (received_on desc, id desc) unless `order_by` names another
column (see ORDER_KEYS); `total` counts every match, or up to `count_limit` (the case list:
"10,000+"). On SQLite a term common enough is paged by walking the received_on index newest
first and testing each case against the match list (_walk_newest), a rare one by fetching
its matches and sorting them; with no filter and nobody's confidential cases hidden, the
FTS index counts the matches by itself. Each row carries the first petitioner's
ID number and phone masked (110105********002X, 138****0000): a list never needs them in full.
Confidential cases the acting user may not see (core.people.access) are never matched.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import peewee as pw

from xinfang_desk.core.cases.numbering import is_query_code, normalize_query_code, parse_case_no
from xinfang_desk.core.people.access import visibility_condition, visible_case_count
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.rules.validators import (
    mask_id,
    mask_phone,
    normalize_phone,
    parse_resident_id,
)
from xinfang_desk.core.store.db import database, is_sqlite, storage_errors
from xinfang_desk.core.store.models import Case, CasePetitioner, Field, Petitioner, Unit

# More overdue case numbers than this are filtered in Python rather than with one IN (...)
# (SQLite allows 32766 bound parameters per statement).
_MAX_IN_PARAMS = 5000


@dataclass(frozen=True)
class CaseRow:
    """One line of a case list."""

    id: int
    case_no: str
    query_code: str
    received_on: dt.date
    channel: str
    category: str
    field: str  # "一级/二级" path, "" if none
    summary: str
    status: str
    status_label: str
    petitioners: str  # names joined with "、"
    unit: str
    confidential: bool
    # The first petitioner's ID number and phone (or alternative phone), masked in the core
    # so that a full number never reaches a list.
    id_masked: str = ""
    phone_masked: str = ""


@dataclass(frozen=True)
class SearchResult:
    rows: list[CaseRow]
    total: int
    # True when counting stopped at search_cases(count_limit=…): there are more than `total`
    # matches, and only the first `total` (in the list's order) can be paged through.
    capped: bool = False


# The case list counts at most this many matches (shown as "10,000+"). Counting exactly
# means visiting every matching row: a 2-character term common enough to match 7 % of a
# million cases costs 220-270 ms to count and 20-40 ms to list; nobody pages past 10,000.
LIST_COUNT_LIMIT = 10_000


# ---------------------------------------------------------------------------- text helpers

# C0/C1 control characters and DEL (NUL ends a string for FTS5 and LIKE), and lone surrogates
# (not text: they cannot even be sent to the database).
_NOT_QUERY_TEXT = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_query(text: str) -> str:
    """Search box text with control characters and lone surrogates turned into spaces."""
    return _NOT_QUERY_TEXT.sub(" ", text or "")


def fts_phrase(term: str) -> str:
    """A term as an FTS5 string literal (double quotes doubled): no query syntax leaks in.
    A NUL would end the literal early ("unterminated string"): it is dropped."""
    return '"' + term.replace("\x00", "").replace('"', '""') + '"'


def fts_match(sql_rowid_column: pw.Node, match_expr: str) -> pw.Node:
    """`column IN (SELECT rowid FROM case_fts WHERE case_fts MATCH ?)` (SQLite only)."""
    sub = pw.SQL("SELECT rowid FROM case_fts WHERE case_fts MATCH ?", [match_expr])
    return pw.Expression(sql_rowid_column, pw.OP.IN, pw.NodeList([sub], parens=True))


def text_condition(text: str) -> tuple[pw.Node | None, bool, str | None]:
    """Every whitespace-separated term must occur in search_text: (condition, whether it
    needs a LIKE scan of the table, the FTS5 expression when the condition is that MATCH
    alone on SQLite); (None, False, None) for empty text."""
    terms = [t for t in clean_query(text).split() if t]
    if not terms:
        return None, False, None
    if not is_sqlite():
        return (*_server_text_condition(terms), None)
    matches = [fts_phrase(t) for t in terms if len(t) >= 3]
    short_terms = []
    for t in (t for t in terms if len(t) < 3):
        starts = _trigrams_starting(t)
        if starts is None:
            short_terms.append(t)
        elif not starts:
            return Case.id.in_([]), False, None  # the term occurs nowhere
        else:
            matches.append("(" + " OR ".join(fts_phrase(g) for g in starts) + ")")
    conds: list[pw.Node] = []
    expr = " AND ".join(matches) if matches else None
    if expr:
        conds.append(fts_match(Case.id, expr))
    # peewee's contains() escapes % _ \ and becomes LIKE (SQLite) / ILIKE (PostgreSQL).
    conds.extend(Case.search_text.contains(t) for t in short_terms)
    return _and(conds), bool(short_terms), None if short_terms else expr


def _fts_count(expr: str, upto: int | None = None) -> int:
    """How many cases match the FTS5 expression (at most `upto`): from the index alone."""
    sql = "SELECT rowid FROM case_fts WHERE case_fts MATCH ?"
    params: list = [expr]
    if upto is not None:
        sql += " LIMIT ?"
        params.append(upto)
    return database.obj.execute_sql(f"SELECT count(*) FROM ({sql})", params).fetchone()[0]


def _walk_newest(expr: str, limit: int) -> bool:
    """Whether to find a page of matches by walking the received_on index newest first,
    testing each case against the match list, rather than fetching every match and sorting.
    On 1,000,000 cases the walk costs about 85 ns a case passed, the sort 1.7 µs a match: a
    term matching n of N cases is cheaper walked once n² > 10·N·limit/200 (n ≈ 3,200 for
    200 rows of a million; 低保, 67,298 found: 117 → 12 ms)."""
    (cases,) = database.obj.execute_sql("SELECT max(id) FROM xf_case").fetchone()
    if not cases:
        return False
    needed = math.isqrt(10 * cases * max(limit, 1) // 200) + 1
    return _fts_count(expr, needed) >= needed


# A 2-character term that starts more distinct trigrams than this is searched with LIKE (an
# OR of thousands of terms is no faster than the scan).
_MAX_TERM_STARTS = 400


def _trigrams_starting(term: str) -> list[str] | None:
    """The indexed trigrams that begin with a 2-character term, or None when the index cannot
    answer it (1 character, too many trigrams, a character the index folds differently)."""
    if len(term) != 2 or not _index_folds(term):
        return None
    low = term.lower()  # the index folds case (ASCII here; CJK has none)
    rows = database.obj.execute_sql(
        "SELECT term FROM case_fts_terms WHERE term >= ? AND term < ? LIMIT ?",
        (low, low + "\U0010ffff", _MAX_TERM_STARTS + 1)).fetchall()
    if len(rows) > _MAX_TERM_STARTS:
        return None
    return [r[0] for r in rows]


def _index_folds(term: str) -> bool:
    """Whether every character is one the trigram index folds the way str.lower() does, so
    that a 2-character term can be read from its term list."""
    return all(ch.isascii() and ch.isalnum() or ord(ch) >= 0x3000 for ch in term)


def _server_text_condition(terms: list[str]) -> tuple[pw.Node, bool]:
    """text_condition on PostgreSQL, matching what SQLite matches term by term. Where SQLite
    reads its trigram index (3+ characters, and 2 that _index_folds) the case of every letter
    is ignored: FTS5 folds Unicode case, and so do lower() and ILIKE. (One known difference is
    the Greek final sigma: FTS5 folds ς to σ, lower() does not.) Where SQLite uses LIKE
    (1 character, other 2-character terms) only ASCII letters fold. If the server's ctype
    gives CJK no trigrams (C, SQL_ASCII; see migration v9), the results are the same but come
    from a scan."""
    conds: list[pw.Node] = []
    for t in terms:
        if len(t) >= 3:
            conds.append(Case.search_text.contains(t))  # ILIKE: pg_trgm's index
            continue
        # strpos, not LIKE: nothing to escape, and no operator of pg_trgm's index. psycopg
        # prepares a query after its 5th run, and the server's generic plan, not knowing the
        # pattern is short, would otherwise read that whole index for it.
        if len(t) == 2 and _index_folds(t) and t.lower() == t.upper():
            # No letter with a case (Chinese, digits): no lower() of every candidate's text,
            # a third of the time of a 2-character search on 1,000,000 cases.
            exact = pw.fn.strpos(Case.search_text, t) > 0
        elif len(t) == 2 and _index_folds(t):
            exact = pw.fn.strpos(pw.fn.lower(Case.search_text), pw.fn.lower(t)) > 0
        else:
            exact = _or([pw.fn.strpos(Case.search_text, v) > 0 for v in _ascii_cases(t)])
        if len(t) == 2:
            # Either match puts the pair lower(t) into lower(search_text), so the pair index
            # gives every candidate and the exact test runs only on those. The term goes
            # through xf_bigrams as well: a SQL_ASCII server pairs bytes on both sides.
            exact = pw.Expression(pw.fn.xf_bigrams(Case.search_text), "@>",
                                  pw.fn.xf_bigrams(t)) & exact
        conds.append(exact)
    return _and(conds), any(len(t) == 1 for t in terms)


def _ascii_cases(term: str) -> list[str]:
    """The spellings SQLite's LIKE takes for a short term: each ASCII letter in either case,
    every other character as it is (at most 4 for 2 characters). ILIKE would also fold É
    or Ｗ, and the Kelvin sign (U+212A) to k."""
    return ["".join(chars) for chars in itertools.product(
        *(dict.fromkeys((ch.lower(), ch.upper()) if ch.isascii() else (ch,)) for ch in term))]


def _or(conds: list[pw.Node]) -> pw.Node:
    out = conds[0]
    for c in conds[1:]:
        out = out | c
    return out


def _and(conds: list[pw.Node]) -> pw.Node | None:
    out = None
    for c in conds:
        out = c if out is None else (out & c)
    return out


_ID_RE = re.compile(r"\d{15}|\d{17}[\dXx]")
_PHONE_RE = re.compile(r"[+\d(（][\d\s\-()（）]{5,}")


def _cases_of_petitioners(pet_cond: pw.Node) -> pw.Node | None:
    """Case.id IN (cases of the petitioners matching pet_cond), or None if there are none."""
    pet_ids = Petitioner.select(Petitioner.id).where(pet_cond)
    if not pet_ids.exists():
        return None
    return Case.id.in_(CasePetitioner.select(CasePetitioner.case).where(
        CasePetitioner.petitioner.in_(pet_ids)))


def identifier_condition(text: str) -> pw.Node | None:
    """A condition for a case number, query code, ID number or phone number that matches
    at least one case, else None (the text is then searched as text)."""
    t = clean_query(text).strip()
    if not t or (len(t.split()) > 1 and not _PHONE_RE.fullmatch(t)):
        return None  # several words: text (a phone number may be typed with spaces)
    if parse_case_no(t) is not None:
        for candidate in dict.fromkeys((t, t.upper())):
            if Case.select().where(Case.case_no == candidate).exists():
                return Case.case_no == candidate
    code = normalize_query_code(t)
    if is_query_code(code) and Case.select().where(Case.query_code == code).exists():
        return Case.query_code == code
    if _ID_RE.fullmatch(t):
        try:
            number = parse_resident_id(t).number
        except Exception:  # noqa: BLE001 - an unchecked number may still be on file as typed
            number = t.upper()
        cond = _cases_of_petitioners(Petitioner.id_number == number)
        if cond is not None:
            return cond
    if _PHONE_RE.fullmatch(t):
        try:
            phone = normalize_phone(t)
        except Exception:  # noqa: BLE001 - not a phone number: plain text search
            phone = ""
        if phone:
            cond = _cases_of_petitioners((Petitioner.phone == phone) | (Petitioner.phone_alt == phone))
            if cond is not None:
                return cond
    return None


# ---------------------------------------------------------------------------- filters

def _as_tuple(value) -> tuple:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


_STATUS_BY_LABEL = {label: code for code, label in v.STATUS_LABELS.items()}


def field_ids(path: str) -> list[int]:
    """Taxonomy ids for a path; a top-level name includes its children. [] if unknown."""
    parts = [p.strip() for p in (path or "").strip().strip("/").split("/") if p.strip()]
    if not parts or len(parts) > 2:
        return []
    top = Field.get_or_none((Field.name == parts[0]) & Field.parent.is_null())
    if top is None:
        return []
    if len(parts) == 1:
        return [top.id] + [f.id for f in Field.select(Field.id).where(Field.parent == top)]
    child = Field.get_or_none((Field.name == parts[1]) & (Field.parent == top))
    return [child.id] if child else []


class _NoMatch(Exception):
    """A filter names something that does not exist: the result is empty."""


def filter_conditions(*, status=None, category=None, channel=None, field=None, unit=None,
                      date_from=None, date_to=None, confidential=None) -> list[pw.Node]:
    conds: list[pw.Node] = []
    statuses = tuple(_STATUS_BY_LABEL.get(s, s) for s in _as_tuple(status))
    if statuses:
        conds.append(Case.status.in_(statuses))
    categories = _as_tuple(category)
    if categories:
        conds.append(Case.category.in_(categories))
    channels = _as_tuple(channel)
    if channels:
        conds.append(Case.channel.in_(channels))
    if field:
        ids = field_ids(field)
        if not ids:
            raise _NoMatch
        conds.append(Case.field.in_(ids))
    if unit:
        row = Unit.get_or_none(Unit.name == unit.strip())
        if row is None:
            raise _NoMatch
        conds.append(Case.unit == row.id)
    if date_from:
        conds.append(Case.received_on >= date_from)
    if date_to:
        conds.append(Case.received_on <= date_to)
    if confidential is not None:
        conds.append(Case.confidential == bool(confidential))
    return conds


# ---------------------------------------------------------------------------- rows

_ROW_COLUMNS = (Case.id, Case.case_no, Case.query_code, Case.received_on, Case.channel,
                Case.category, Case.field, Case.summary, Case.status, Case.unit,
                Case.confidential)


def _petitioners_of(case_ids: Iterable[int]) -> dict[int, list[tuple[str, str, str, str]]]:
    """Each case's petitioners in recorded order: (name, ID number, phone, alternative phone),
    one query per 500 cases."""
    ids = list(case_ids)
    out: dict[int, list[tuple[str, str, str, str]]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        query = (CasePetitioner.select(CasePetitioner.case, Petitioner.name, Petitioner.id_number,
                                       Petitioner.phone, Petitioner.phone_alt)
                 .join(Petitioner)
                 .where(CasePetitioner.case.in_(chunk))
                 .order_by(CasePetitioner.case, CasePetitioner.position, CasePetitioner.id))
        for case_id, name, number, phone, phone_alt in query.tuples():
            out[case_id].append((name, number or "", phone or "", phone_alt or ""))
    return out


def petitioner_names(case_ids: Iterable[int]) -> dict[int, str]:
    """Names of each case's petitioners in recorded order, joined with "、"."""
    return {i: "、".join(p[0] for p in people) for i, people in _petitioners_of(case_ids).items()}


def _masked_contacts(people: list[tuple[str, str, str, str]]) -> tuple[str, str]:
    """The first petitioner's (masked ID number, masked phone or alternative phone)."""
    if not people:
        return "", ""
    _name, number, phone, phone_alt = people[0]
    return (mask_id(number) if number else "", mask_phone(phone or phone_alt))


def field_paths() -> dict[int, str]:
    rows = list(Field.select(Field.id, Field.name, Field.parent).tuples())
    by_id = {i: (name, parent) for i, name, parent in rows}
    return {i: (f"{by_id[p][0]}/{name}" if p in by_id else name) for i, (name, p) in by_id.items()}


def _rows(tuples: list[tuple]) -> list[CaseRow]:
    if not tuples:
        return []
    people = _petitioners_of(t[0] for t in tuples)  # names and contacts: one query
    names = {i: "、".join(p[0] for p in ps) for i, ps in people.items()}
    contacts = {i: _masked_contacts(ps) for i, ps in people.items()}
    paths = field_paths()
    unit_ids = {t[9] for t in tuples if t[9]}
    units = ({u.id: u.name for u in Unit.select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))}
             if unit_ids else {})
    return [CaseRow(id=cid, case_no=no, query_code=code, received_on=received, channel=channel,
                    category=category, field=paths.get(field_id, "") if field_id else "",
                    summary=summary, status=status,
                    status_label=v.STATUS_LABELS.get(status, status),
                    petitioners=names.get(cid, ""), unit=units.get(unit_id, "") if unit_id else "",
                    confidential=bool(conf), id_masked=contacts.get(cid, ("", ""))[0],
                    phone_masked=contacts.get(cid, ("", ""))[1])
            for cid, no, code, received, channel, category, field_id, summary, status, unit_id,
            conf in tuples]


# ---------------------------------------------------------------------------- ordering

def _vocab_rank(column: pw.Field, values: tuple[str, ...]) -> pw.Node:
    # Closed vocabularies sort in their natural order (已登记 before 办理中 ...), not by
    # code point; unknown values go last.
    return pw.Case(column, [(value, i) for i, value in enumerate(values)], len(values))


# The columns a list can be sorted by; "-key" is descending. Ties go by id in the same
# direction, so that paging through a sorted list is stable.
ORDER_KEYS = {
    "received_on": Case.received_on,
    "case_no": Case.case_no,
    "category": _vocab_rank(Case.category, v.CATEGORIES),
    "channel": _vocab_rank(Case.channel, v.CHANNELS),
    "status": _vocab_rank(Case.status, v.STATUSES),
}
DEFAULT_ORDER = "-received_on"


def _order(order_by: str | None, *, unindexed: bool = False) -> tuple[pw.Node, ...]:
    key = (order_by or DEFAULT_ORDER).strip()
    desc = key.startswith("-")
    key = key.lstrip("-+")
    if key not in ORDER_KEYS:
        raise ValueError(f"unknown order_by {order_by!r}; one of {sorted(ORDER_KEYS)}")
    column: pw.Node = ORDER_KEYS[key]
    if unindexed:
        # A unary + keeps SQLite from walking the column's index row by row (slow when a
        # LIKE scan matches rarely: 230 ms instead of 60 ms on 100,000 cases).
        column = pw.NodeList((pw.SQL("+"), column), glue="")
    if desc:
        return column.desc(), Case.id.desc()
    return column.asc(), Case.id.asc()


# ---------------------------------------------------------------------------- the search

def search_cases(text: str = "", *, status=None, category=None, channel=None, field=None,
                 unit=None, date_from: dt.date | None = None, date_to: dt.date | None = None,
                 overdue_only: bool = False, confidential: bool | None = None, limit: int = 50,
                 offset: int = 0, today: dt.date | None = None,
                 order_by: str | None = None, count_limit: int | None = None) -> SearchResult:
    """Cases matching the search box text and the filters, newest first by default.

    status/category/channel take one value or several; status also accepts its label.
    field is a taxonomy path ("一级" includes its children); unit is a unit name.
    order_by is a key of ORDER_KEYS, "-key" for descending (default "-received_on").
    count_limit: for a text search, count at most this many matches (the case list passes
    LIST_COUNT_LIMIT); when there are more, `total` is count_limit, `capped` is True, and
    rows are served only up to that many. Lists without text are always counted exactly
    (from indexes). None (the default) counts every match.
    """
    order = _order(order_by)
    with storage_errors():
        try:
            conds = filter_conditions(status=status, category=category, channel=channel,
                                      field=field, unit=unit, date_from=date_from,
                                      date_to=date_to, confidential=confidential)
        except _NoMatch:
            return SearchResult(rows=[], total=0)
        filtered = bool(conds) or overdue_only
        hidden = visibility_condition()  # others' confidential cases (core.people.access)
        only_visibility = hidden is not None and not filtered
        if hidden is not None:
            conds.append(hidden)
        text = clean_query(text).strip()
        like_scan = False
        fts_expr = None  # the text is one FTS5 MATCH (SQLite)
        if text:
            cond = identifier_condition(text)
            if cond is None:
                cond, like_scan, fts_expr = text_condition(text)
            if cond is not None:
                conds.append(cond)
                only_visibility = False
        if not text:
            count_limit = None
        overdue_nos: set[str] | None = None
        if overdue_only:
            from xinfang_desk.core.deadlines.engine import list_deadlines  # only here

            overdue_nos = {d.case_no for d in list_deadlines(today) if d.overdue}
            if not overdue_nos:
                return SearchResult(rows=[], total=0)
            if len(overdue_nos) <= _MAX_IN_PARAMS:
                conds.append(Case.case_no.in_(sorted(overdue_nos)))
                overdue_nos = None
        where = _and(conds)

        if overdue_nos is not None:  # many overdue cases: filter the (id, case_no) list here
            query = Case.select(Case.id, Case.case_no).order_by(*order)
            if where is not None:
                query = query.where(where)
            ids = [cid for cid, no in query.tuples() if no in overdue_nos]
            page = ids[offset:offset + limit]
            by_id = {}
            if page:
                by_id = {t[0]: t for t in
                         Case.select(*_ROW_COLUMNS).where(Case.id.in_(page)).tuples()}
            return _capped(_rows([by_id[i] for i in page]), len(ids), offset, count_limit)

        if like_scan and is_sqlite():
            # LIKE must read every row anyway: one scan gives the page and the total (the
            # order column is unindexed on purpose, see _order).
            query = (Case.select(*_ROW_COLUMNS, pw.fn.COUNT(Case.id).over().alias("n"))
                     .where(where).order_by(*_order(order_by, unindexed=True))
                     .limit(limit).offset(offset))
            tuples = list(query.tuples())
            if tuples:
                return _capped(_rows([t[:-1] for t in tuples]), tuples[0][-1], offset,
                               count_limit)
            if offset == 0:
                return SearchResult(rows=[], total=0)

        page_size = limit
        if count_limit is not None:  # no row past the limit is served
            page_size = max(min(limit, count_limit - offset), 0)
        page_where = where
        if (fts_expr is not None and not filtered and order[0].node is Case.received_on
                and _walk_newest(fts_expr, offset + page_size)):
            # A common term, newest first: `id + 0` keeps SQLite from fetching every match
            # by its id; it walks received_on instead and stops when the page is full.
            page_where = _and([c for c in conds if c is not cond]
                              + [fts_match(Case.id + 0, fts_expr)])
        page_query = Case.select(*_ROW_COLUMNS).order_by(*order).limit(page_size).offset(offset)
        if page_where is not None:
            page_query = page_query.where(page_where)
        tuples = list(page_query.tuples()) if page_size else []
        if offset == 0 and len(tuples) < page_size:
            total = len(tuples)  # the page holds every match: no second query
        elif only_visibility:
            total = visible_case_count()  # a clerk's whole list: without reading every row
        elif fts_expr is not None and not filtered and hidden is None:
            # Nothing but the MATCH: the index counts it (67,298 matches: 5 ms, not 100).
            total = _fts_count(fts_expr, None if count_limit is None else count_limit + 1)
        elif count_limit is not None:
            # Stop counting one past the limit: the rows beyond it are never visited.
            probe = Case.select(pw.SQL("1")).limit(count_limit + 1)
            if where is not None:
                probe = probe.where(where)
            total = probe.count()
        else:
            # COUNT(*) lets SQLite count from the smallest index (1M cases: 30 ms → 2 ms);
            # COUNT(id) makes it read the table. Same number: id is never NULL.
            count_query = Case.select(pw.fn.COUNT(pw.SQL("*")))
            if where is not None:
                count_query = count_query.where(where)
            total = count_query.scalar() or 0
        return _capped(_rows(tuples), total, offset, count_limit)


def _capped(rows: list[CaseRow], total: int, offset: int, count_limit: int | None
            ) -> SearchResult:
    """The result as search_cases(count_limit=…) promises it: at most count_limit matches."""
    if count_limit is None or total <= count_limit:
        return SearchResult(rows=rows, total=total)
    return SearchResult(rows=rows[:max(count_limit - offset, 0)], total=count_limit, capped=True)
