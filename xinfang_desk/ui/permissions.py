"""Which parts of the main window a role sees: a page the role cannot use is not shown.

Separation of duties (core.session.PERMISSIONS): clerks and leaders work on cases and see the
report; the admin keeps the system (设置, users) and sees the report, never the case pages.
The core refuses anything forbidden anyway; hiding only keeps the window honest."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget

from xinfang_desk.core.session import Actor

# Tab page (objectName) → the permission it needs.
TAB_PERMISSIONS = {
    "intakePage": "register",
    "casesPage": "follow_up",
    "followupPage": "follow_up",
    "answersPage": "register",  # clerks draft, leaders approve; the admin does no case work
    "reportPage": "report",
    "settingsPage": "settings",
}


def may_see(actor: Actor, page_name: str) -> bool:
    permission = TAB_PERMISSIONS.get(page_name)
    return permission is None or actor.can(permission)


def visible_tabs(actor: Actor) -> list[str]:
    """The page names `actor` sees, in TAB_PERMISSIONS order."""
    return [name for name in TAB_PERMISSIONS if may_see(actor, name)]


def apply_to_tabs(tabs: QTabWidget, actor: Actor) -> None:
    """Remove the tabs `actor` may not see (the pages stay alive, hidden, and load nothing)."""
    for index in reversed(range(tabs.count())):
        if not may_see(actor, tabs.widget(index).objectName()):
            tabs.removeTab(index)
