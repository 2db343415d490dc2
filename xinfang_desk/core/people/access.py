"""Who may see which case, leaders' approvals, the deliberate reveal of an ID number, and the
audit rows of reads that matter (reports).

Visibility. A confidential case (Case.confidential; the default for 检举控告, 第四十六条) is
visible only to
  - the clerk who registered it (Case.clerk == the user's username),
  - users whose role may see every confidential case (permission `see_confidential`: leaders,
    and SYSTEM before any account exists),
  - users named on the case (CaseAccess, granted by a leader: `grant_access`).
Everyone else does not find it in lists, searches, repeat look-ups, the follow-up board,
deadlines or exports, and opening it by number raises PermissionDenied(DENIED). A case that is
not confidential is visible to every signed-in user.

`visible_cases_clause()` is the one condition every listing applies (portable SQL: a subquery
on CaseAccess); `visibility_condition()` is the same but None when nothing is hidden, so that
unrestricted queries stay exactly as they were.

Approvals. Extensions (`extended`) and answers (`replied`), and printing the letters that carry
them, need a leader: the acting user may `approve`, or a leader authenticated on the spot
(core.people.users.authenticate, the GUI's approval dialog) is passed as `approval`
(`check_approval`).
"""

from __future__ import annotations

import peewee as pw

from xinfang_desk.core import session
from xinfang_desk.core.errors import NotFoundError, XinfangError
from xinfang_desk.core.session import Actor, PermissionDenied
from xinfang_desk.core.store import audit
from xinfang_desk.core.store.db import database, storage_errors, write_transaction
from xinfang_desk.core.store.models import Case, CaseAccess, User

DENIED = "该事项为保密事项，您无权查看。"
SEE_ALL = "see_confidential"
# Exporting personal data in full (ID and phone numbers unmasked) is a leader's decision.
FULL_DATA = "see_confidential"

# Events (and the documents that carry them) that need a leader's approval, with the refusal.
APPROVAL_EVENTS = {"extended": "延期须经负责人审批。", "replied": "答复意见须经负责人审批。"}
APPROVAL_DOCUMENTS = {"extend": APPROVAL_EVENTS["extended"], "reply": APPROVAL_EVENTS["replied"],
                      "adoption": APPROVAL_EVENTS["replied"]}


def _actor(actor: Actor | None) -> Actor:
    return actor if actor is not None else session.current()


def sees_all(actor: Actor | None = None) -> bool:
    """True if nothing is hidden from `actor` (leaders, SYSTEM)."""
    return _actor(actor).can(SEE_ALL)


def visibility_condition(actor: Actor | None = None) -> pw.Node | None:
    """The condition on Case that keeps only cases `actor` may see, or None if they see all."""
    a = _actor(actor)
    if a.can(SEE_ALL):
        return None
    named = (CaseAccess.select(CaseAccess.case)
             .join(User, on=(CaseAccess.user == User.id))
             .where(User.username == a.username))
    cond = (Case.confidential == False) | Case.id.in_(named)  # noqa: E712
    if _may_be_clerk(a):
        cond = cond | (Case.clerk == a.username)
    return cond


def visible_case_count(actor: Actor | None = None) -> int:
    """How many cases `actor` may see, counted without reading the table: all cases, less the
    confidential ones, plus the confidential ones they registered or are named on. The plain
    COUNT with visibility_condition reads every row for a clerk (290 ms on 1,000,000 cases);
    this reads the count index and the small partial index of confidential cases (migration
    v11), on SQLite and PostgreSQL alike."""
    a = _actor(actor)
    total = Case.select(pw.fn.COUNT(pw.SQL("*"))).scalar() or 0
    if a.can(SEE_ALL):
        return total
    db, case = database.obj, Case._meta.table_name
    p = db.param
    secret = db.execute_sql(f'SELECT COUNT(*) FROM "{case}" WHERE confidential').fetchone()[0]
    named = (f'SELECT a.case_id FROM "{CaseAccess._meta.table_name}" a JOIN '
             f'"{User._meta.table_name}" u ON a.user_id = u.id WHERE u.username = {p}')
    # Two counts that cannot overlap, each answered from an index (an OR of the two made
    # PostgreSQL read every confidential row: 310 ms on 1,000,000 cases).
    own = 0
    others = f"id IN ({named})"
    params: list = [a.username]
    if _may_be_clerk(a):
        own += db.execute_sql(f'SELECT COUNT(*) FROM "{case}" WHERE confidential AND clerk = {p}',
                              [a.username]).fetchone()[0]
        others += f" AND clerk <> {p}"  # clerk is never NULL
        params.append(a.username)
    own += db.execute_sql(f'SELECT COUNT(*) FROM "{case}" WHERE confidential AND {others}',
                          params).fetchone()[0]
    return total - secret + own


def _may_be_clerk(a: Actor) -> bool:
    # Cases registered before accounts existed name SYSTEM as their clerk: an account that
    # happens to carry the same name does not inherit them.
    return bool(a.username) and a.username != session.SYSTEM.username


def visible_cases_clause(actor: Actor | None = None) -> pw.Node:
    """A condition for `.where()` on a query over Case: the cases `actor` (default: the current
    user) may see. Always an expression (a tautology for leaders and SYSTEM)."""
    cond = visibility_condition(actor)
    return cond if cond is not None else pw.SQL("1 = 1")


def can_see(case: Case, actor: Actor | None = None) -> bool:
    a = _actor(actor)
    if not case.confidential or a.can(SEE_ALL) or (_may_be_clerk(a) and case.clerk == a.username):
        return True
    with storage_errors():
        return (CaseAccess.select().join(User, on=(CaseAccess.user == User.id))
                .where((CaseAccess.case == case.id) & (User.username == a.username)).exists())


def require_visible(case: Case, actor: Actor | None = None) -> Case:
    if not can_see(case, actor):
        raise PermissionDenied(DENIED)
    return case


def get_visible_case(case_no: str) -> Case:
    """The case by number; NotFoundError if there is none, PermissionDenied(DENIED) if the
    current user may not see it."""
    return require_visible(Case.by_number(case_no))


# ---------------------------------------------------------------------------- named access

def _require_leader(what: str) -> Actor:
    actor = session.current()
    if not actor.can(SEE_ALL):
        raise PermissionDenied(f"只有负责人可以{what}。")
    return actor


def _active_user(username: str) -> User:
    u = User.get_or_none(User.username == (username or "").strip())
    if u is None:
        raise NotFoundError(f"没有用户“{username}”。")
    if not u.active:
        raise XinfangError(f"用户“{u.username}”已停用。")
    return u


def grant_access(case_no: str, username: str) -> bool:
    """A leader names a user who may see a confidential case. Returns False if the user was
    already named (nothing is written then)."""
    _require_leader("授权他人查看保密事项")
    with storage_errors(), write_transaction():
        case = get_visible_case(case_no)
        if not case.confidential:
            raise XinfangError(f"{case.case_no}不是保密事项，无需授权。")
        u = _active_user(username)
        if CaseAccess.select().where((CaseAccess.case == case.id) & (CaseAccess.user == u.id)).exists():
            return False
        CaseAccess.create(case=case, user=u)
        audit.record("access_granted", case.case_no, {"user": u.username})
    return True


def revoke_access(case_no: str, username: str) -> bool:
    """A leader withdraws a user's named access. Returns False if they were not named."""
    _require_leader("撤销他人查看保密事项的授权")
    with storage_errors(), write_transaction():
        case = get_visible_case(case_no)
        u = User.get_or_none(User.username == (username or "").strip())
        if u is None:
            return False
        n = CaseAccess.delete().where((CaseAccess.case == case.id) & (CaseAccess.user == u.id)).execute()
        if not n:
            return False
        audit.record("access_revoked", case.case_no, {"user": u.username})
    return True


def access_list(case_no: str) -> list[str]:
    """Usernames named on the case (not counting its clerk and the leaders)."""
    with storage_errors():
        case = get_visible_case(case_no)
        return [name for (name,) in CaseAccess.select(User.username)
                .join(User, on=(CaseAccess.user == User.id))
                .where(CaseAccess.case == case.id).order_by(User.username).tuples()]


# ---------------------------------------------------------------------------- approvals

def check_approval(kind: str, refusal: str, approval: Actor | None = None) -> str:
    """Who approves `kind` (an event type or a document code): the acting user if they may
    `approve`, else `approval` — a leader authenticated on the spot, whose account must be
    active. Returns the approver's username ("" for SYSTEM); PermissionDenied(refusal) if
    there is none."""
    actor = session.current()
    if approval is not None:
        if not approval.can("approve") or approval.role == session.SYSTEM_ROLE:
            raise PermissionDenied(refusal)
        with storage_errors():
            u = User.get_or_none(User.username == approval.username)
        if u is None or not u.active or not Actor(u.username, u.role).can("approve"):
            raise PermissionDenied(refusal)
        return u.username
    if actor.can("approve"):
        return "" if actor.role == session.SYSTEM_ROLE else actor.username
    raise PermissionDenied(refusal)


def record_approval(kind: str, case_no: str, approver: str) -> None:
    """The approval row, written by the approving leader inside the caller's transaction when
    that leader is not the acting user."""
    if approver and approver != session.current().username:
        audit.record("approval", case_no, {"what": kind, "for": session.current().username},
                     actor=approver)


# ---------------------------------------------------------------------------- reports

def audit_report(start, end, outputs=(), *, masked: bool = True) -> None:
    """Check and record that the current user produces a statistical report for start..end.
    `outputs`: what is produced ("screen", "json", "xlsx", "pdf" or file names). A workbook
    with unmasked ID numbers is full personal data: a leader's act. Call it before writing."""
    session.require("report")
    if not masked and not session.current().can(FULL_DATA):
        raise PermissionDenied("只有负责人可以导出不遮蔽证件号码的报表。")
    details = {"start": str(start), "end": str(end), "outputs": [str(o) for o in outputs],
               "masked": bool(masked)}
    with storage_errors():
        audit.record("report", f"{start}~{end}"[:64], details)
