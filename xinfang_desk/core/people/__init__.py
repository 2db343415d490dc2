"""The people at the desk: user accounts, passwords and sign-in (`users`); who may see
which case, leaders' approvals and audited reads (`access`). May import store and rules.
"""
