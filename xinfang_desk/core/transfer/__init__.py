"""Moving an office's whole history from this PC's SQLite file onto the shared server
(`to_server`), and the proof that nothing changed on the way: equal counts, the audit chain
verified on the server with the same head, the monthly report of the last 12 months
identical. The top layer of the core: may import every other package of the core.
"""
