"""The command line: `main` parses and dispatches; one module per command group (cases,
report, admin, answers) adds its subcommands and handlers; `common` opens the data directory as
the acting user (`identity`). Command modules import `common`, never `main`; they import the
core lazily so that each command pays only for what it uses.
"""
