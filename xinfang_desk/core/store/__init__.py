"""The database and keeping it safe: the connection (`db`), the schema (`models`),
migrations and their seed data, opening a data directory with its start-up check (`storage`),
the office's shared server (`server`: choosing, connecting, the choice remembered per PC),
the single-instance lock, the hash-chained audit trail, the typed settings, backups, restore
and the database check, on the local file and on the server. Imports only rules and the
foundation.
"""
