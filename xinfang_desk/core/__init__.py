"""The Qt-free core: everything the desk knows and does, called by the GUI and the CLI alike.

Packages, from the ground up (each imports only those below it; pyproject.toml's
import-linter contracts enforce it):
  rules       the rules of a matter as pure functions: vocabularies, validators, the state machine
  store       the database: connection, schema, migrations, opening, audit trail, settings, backups
  people      user accounts and sign-in; who may see which case; leaders' approvals
  deadlines   working days, the holiday/调休 calendar, the statutory deadline engine
  cases       the case record: register, events, edit, detail, numbers, search, repeats, follow-up
  answers     the approved-answer library (答复口径) and the policy references
  documents   the printed documents (ReportLab): receipt and letters
  report | interchange | intake   the monthly report; JSON Lines files; the intake desk
  demo        demo and benchmark data
The foundation modules beside them (errors, session, paths, resources, atomic) import none of
the packages and may be imported by all.
"""
