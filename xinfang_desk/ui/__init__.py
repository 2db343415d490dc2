"""The GUI (PySide6): `main_window` wires the tabs; one package per tab (intake, cases,
followup, answers, report, settings) that never imports another tab; `startup` (opening the
database, first admin, sign-in) above the window; `account` (the 账户 menu, idle lock) and
`widgets` (what the tabs share) below. Database work runs on `widgets.tasks`.
"""
