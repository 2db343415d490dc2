"""Policy references (政策依据): documents and their articles, searchable, so that a clerk can
quote the basis of an answer correctly. Each article says whether its text is the verbatim
wording (原文) or the office's summary (要点): a summary must never pass for the original."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from xinfang_desk.core import session
from xinfang_desk.core.errors import FieldError
from xinfang_desk.core.rules.validators import check_text
from xinfang_desk.core.store import audit
from xinfang_desk.core.store.db import storage_errors, write_transaction
from xinfang_desk.core.store.models import PolicyArticle, PolicyDoc

TEXT_KINDS = ("原文", "要点")


@dataclass(frozen=True)
class PolicyHit:
    article_id: int
    doc_name: str
    article: str
    text: str
    text_kind: str
    issued_on: dt.date | None


def _hit(art: PolicyArticle) -> PolicyHit:
    return PolicyHit(article_id=art.id, doc_name=art.doc.name, article=art.article,
                     text=art.text, text_kind=art.text_kind, issued_on=art.doc.issued_on)


def search_policy(text: str = "", *, limit: int = 50) -> list[PolicyHit]:
    """Articles whose document name, article number or text contain every word of `text`
    (all articles when it is empty), by document and article order."""
    words = (text or "").split()
    with storage_errors():
        q = (PolicyArticle.select(PolicyArticle, PolicyDoc).join(PolicyDoc)
             .order_by(PolicyDoc.name, PolicyArticle.sort_order, PolicyArticle.id))
        for word in words:
            q = q.where(PolicyDoc.name.contains(word) | PolicyArticle.article.contains(word)
                        | PolicyArticle.text.contains(word))
        return [_hit(a) for a in q.limit(max(limit, 0))]


def list_policy_docs() -> list[tuple[int, str]]:
    with storage_errors():
        return [(d.id, d.name) for d in PolicyDoc.select().order_by(PolicyDoc.name)]


def check_article(doc_name: str, article: str, text: str, text_kind: str, *,
                  where: str = "") -> tuple[str, str, str]:
    """Trimmed (doc_name, article, text); FieldError naming what is wrong."""
    for label, value in (("文件名称", doc_name), ("条款", article), ("条文", text)):
        if not isinstance(value, str):
            raise FieldError(f"{where}{label}", "应为文字")
        check_text(value, f"{where}{label}")
    doc_name, article, text = doc_name.strip(), article.strip(), text.strip()
    if not doc_name:
        raise FieldError(f"{where}文件名称", "不能为空")
    if len(doc_name) > 100:
        raise FieldError(f"{where}文件名称", "不超过100字")
    if not article:
        raise FieldError(f"{where}条款", "不能为空，如“第三十五条”")
    if len(article) > 50:
        raise FieldError(f"{where}条款", "不超过50字")
    if not text:
        raise FieldError(f"{where}条文", "不能为空")
    if text_kind not in TEXT_KINDS:
        raise FieldError(f"{where}条文类型", "应为“原文”（逐字照录）或“要点”（本机关归纳）")
    return doc_name, article, text


def upsert_article(doc_name: str, article: str, text: str, text_kind: str,
                   issued_on: dt.date | None) -> tuple[PolicyArticle, bool]:
    """Write inside the caller's transaction; returns (row, changed)."""
    doc = PolicyDoc.get_or_none(PolicyDoc.name == doc_name)
    changed = False
    if doc is None:
        doc = PolicyDoc.create(name=doc_name, issued_on=issued_on)
        changed = True
    elif issued_on is not None and doc.issued_on != issued_on:
        doc.issued_on = issued_on
        doc.save()
        changed = True
    row = PolicyArticle.get_or_none((PolicyArticle.doc == doc) & (PolicyArticle.article == article))
    if row is None:
        last = (PolicyArticle.select(pw.fn.MAX(PolicyArticle.sort_order))
                .where(PolicyArticle.doc == doc).scalar())
        row = PolicyArticle.create(doc=doc, article=article, text=text, text_kind=text_kind,
                                   sort_order=(last + 1) if last is not None else 0)
        return row, True
    if row.text != text or row.text_kind != text_kind:
        row.text, row.text_kind = text, text_kind
        row.save()
        changed = True
    return row, changed


def save_policy_article(doc_name: str, article: str, text: str, *, text_kind: str = "原文",
                        issued_on: dt.date | None = None) -> PolicyHit:
    """Add or correct one article (the document is created when new). Leader only (with no
    accounts, anyone). Audited (policy_saved)."""
    session.require("approve")
    doc_name, article, text = check_article(doc_name, article, text, text_kind)
    if issued_on is not None and not isinstance(issued_on, dt.date):
        raise FieldError("发布日期", "应为日期")
    with storage_errors(), write_transaction():
        row, changed = upsert_article(doc_name, article, text, text_kind, issued_on)
        if changed:
            audit.record("policy_saved", doc_name[:64],
                         {"article": article, "text_kind": text_kind})
        return _hit(PolicyArticle.get_by_id(row.id))
