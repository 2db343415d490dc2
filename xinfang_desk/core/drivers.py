"""peewee without the server drivers nobody asked for yet.

When peewee is first imported it imports every database driver it can find, to know which
exist: psycopg alone costs about 0.1 s of every command's start, though only a desk on the
shared server needs it. `import_peewee()` imports peewee with those drivers hidden; the
server's database class (core.store.server.ServerDatabase) imports psycopg itself, when a
server is opened. Entry points call it before anything imports peewee; where peewee was
imported first (tests, a host program), nothing changes: ServerDatabase works either way.
"""

from __future__ import annotations

import sys

_DRIVERS = ("psycopg", "psycopg2", "psycopg2cffi", "pymysql", "MySQLdb")


def import_peewee() -> None:
    if "peewee" in sys.modules:
        return
    hidden = [name for name in _DRIVERS if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # `import name` raises ImportError while this stands
    try:
        import peewee  # noqa: F401
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
