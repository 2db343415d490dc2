"""From the program's start to the main window and back: the launcher that locks and
opens the data directory (offering a restore when it is damaged), the first administrator,
the sign-in dialog and the splash notices.
"""
