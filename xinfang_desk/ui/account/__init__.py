"""The signed-in user in the main window: the 账户 menu (change password, lock the screen, sign out) and the idle lock that asks for the password again."""
