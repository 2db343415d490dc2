"""The 接待登记 tab: the keyboard-first intake form, its petitioner block and the history
panel of earlier cases.
"""
