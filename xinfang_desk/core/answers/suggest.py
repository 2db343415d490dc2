"""Which approved answers fit a matter, best first: by field, by keywords found in the matter's
words, and by the character pairs (bigrams) the matter shares with each answer.

Chinese has no spaces, so words are approximated by overlapping character pairs; a pair that
occurs in few answers (e.g. 复核) says more than one found in every answer (信访), so each
shared pair is weighted by its inverse document frequency over the approved answers. The
library is small (hundreds of answers at most): it is read afresh on every call, so a change
is suggested at once; what is derived from the texts is memoised keyed by the texts
themselves, which can never go stale."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from xinfang_desk.core.answers.common import APPROVED, split_fields, split_keywords
from xinfang_desk.core.store.db import storage_errors
from xinfang_desk.core.store.models import AnswerVersion

FIELD_EXACT, FIELD_PARENT, FIELD_CHILD, FIELD_OTHER = 3.0, 2.0, 1.0, -1.5
KEYWORD_HIT, KEYWORD_LONG_BONUS, KEYWORD_CAP = 2.0, 0.5, 4
CATEGORY_HIT = 1.0
OVERLAP_WEIGHT = 6.0
MIN_SCORE = 0.8
MIN_TEXT = 2  # characters: a shorter text with no field suggests nothing

# Everything that is not a letter, digit or CJK character separates words.
_NOISE = re.compile(r"[^0-9A-Za-z\u3400-\u9fff]+")
# The names every placeholder body contains would match every matter: not evidence.
_PLACEHOLDER = re.compile(r"[{｛][^{}｛｝\n]{1,20}[}｝]")


@dataclass(frozen=True)
class Suggestion:
    version_id: int
    answer_id: int
    title: str
    version: int
    basis: str
    score: float
    reasons: tuple[str, ...]   # e.g. ("领域：民政/社会救助", "关键词：低保")


def _bigrams(text: str) -> frozenset[str]:
    pairs = set()
    for run in _NOISE.split(text.lower()):
        pairs.update(run[i:i + 2] for i in range(len(run) - 1))
    return frozenset(pairs)


@lru_cache(maxsize=2048)
def _answer_pairs(title: str, keywords: str, body: str) -> frozenset[str]:
    return _bigrams("\n".join((title, title, keywords, _PLACEHOLDER.sub(" ", body))))


@dataclass(frozen=True)
class _Index:
    """What ranking needs of the approved answers, derived from their texts only."""

    pairs: tuple[frozenset[str], ...]
    fields: tuple[tuple[str, ...], ...]
    keywords: tuple[tuple[str, ...], ...]
    df: dict[str, int]


@lru_cache(maxsize=4)
def _index(texts: tuple[tuple[str, str, str, str], ...]) -> _Index:
    """Keyed by the texts themselves (title, keywords, body, fields per answer), so a changed
    library is a different key: the cache can never answer from a stale library."""
    pairs = tuple(_answer_pairs(t, k, b) for t, k, b, _ in texts)
    df: dict[str, int] = {}
    for ps in pairs:
        for p in ps:
            df[p] = df.get(p, 0) + 1
    return _Index(pairs=pairs, fields=tuple(split_fields(f) for _, _, _, f in texts),
                  keywords=tuple(split_keywords(k.split("\n")) for _, k, _, _ in texts), df=df)


def _field_score(answer_fields: tuple[str, ...], field: str) -> tuple[float, str]:
    if not field or not answer_fields:
        return 0.0, ""
    top = field.split("/")[0]
    best, why = FIELD_OTHER, ""
    for path in answer_fields:
        if path == field:
            return FIELD_EXACT, path
        if path == top and best < FIELD_PARENT:        # answer for the whole top-level field
            best, why = FIELD_PARENT, path
        elif path.split("/")[0] == top and "/" not in field and best < FIELD_CHILD:
            best, why = FIELD_CHILD, path              # matter filed under the top level only
    return best, why


def _basis(row: AnswerVersion) -> str:
    text = f"{row.basis_name}{row.basis_article}".strip()
    if not text:
        return ""
    return f"{text}（{row.basis_date:%Y-%m-%d}）" if row.basis_date else text


def suggest(text: str, *, field: str = "", category: str = "", limit: int = 5) -> list[Suggestion]:
    """The approved answers that fit a matter, best first (ties by title). An empty or too
    short text with no field gives []. `field` is a taxonomy path, `category` the 信访类别."""
    squeezed = _NOISE.sub("", (text or "").lower())
    field = "/".join(split_fields([field or ""])[:1])
    category = (category or "").strip()
    if len(squeezed) < MIN_TEXT and not field:
        return []
    with storage_errors():
        rows = list(AnswerVersion.select(
            AnswerVersion.id, AnswerVersion.answer, AnswerVersion.version, AnswerVersion.title,
            AnswerVersion.fields, AnswerVersion.keywords, AnswerVersion.body,
            AnswerVersion.basis_name, AnswerVersion.basis_article, AnswerVersion.basis_date)
            .where(AnswerVersion.status == APPROVED).order_by(AnswerVersion.id))
    if not rows:
        return []
    index = _index(tuple((r.title, r.keywords, r.body, r.fields) for r in rows))
    df = index.df
    n = len(rows)
    text_pairs = _bigrams(text or "")

    def idf(p: str) -> float:
        return math.log((n + 1) / (df.get(p, 0) + 0.5))

    text_weight = sum(idf(p) for p in text_pairs) or 1.0
    out: list[Suggestion] = []
    for i, r in enumerate(rows):
        score, reasons = 0.0, []
        f_score, f_why = _field_score(index.fields[i], field)
        score += f_score
        if f_score > 0:
            reasons.append(f"领域：{f_why}")
        hits = [k for k in index.keywords[i]
                if len(_NOISE.sub("", k)) >= 2 and _NOISE.sub("", k.lower()) in squeezed]
        for k in hits[:KEYWORD_CAP]:
            score += KEYWORD_HIT + (KEYWORD_LONG_BONUS if len(k) >= 4 else 0.0)
        if hits:
            reasons.append("关键词：" + "、".join(hits[:KEYWORD_CAP]))
        if category and len(category) >= 2 and any(
                category in k or k in category for k in index.keywords[i]):
            score += CATEGORY_HIT
            reasons.append(f"类别：{category}")
        shared = text_pairs & index.pairs[i]
        overlap = sum(idf(p) for p in shared) / text_weight
        if overlap > 0:
            score += OVERLAP_WEIGHT * overlap
            if overlap >= 0.15:
                reasons.append(f"文字相近：{overlap:.0%}")
        if score >= MIN_SCORE:
            out.append(Suggestion(version_id=r.id, answer_id=r.answer_id, title=r.title,
                                  version=r.version, basis=_basis(r), score=round(score, 3),
                                  reasons=tuple(reasons)))
    out.sort(key=lambda s: (-s.score, s.title, s.version_id))
    return out[:max(limit, 0)]
