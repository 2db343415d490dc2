"""The case record: registering a case and recording its events (`records`), editing,
the detail view's data, case numbers and query codes, the field taxonomy and units, search and
repeat detection, the follow-up board and the retention purge. May import deadlines, people,
store, rules.
"""
