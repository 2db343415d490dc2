"""The database and keeping it safe: the connection (`db`), the schema (`models`),
migrations and their seed data, opening a data directory with its start-up check (`storage`),
the single-instance lock, the hash-chained audit trail, the typed settings, backups, restore
and the database check. Imports only rules and the foundation.
"""
