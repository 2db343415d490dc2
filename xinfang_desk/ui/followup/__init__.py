"""The 跟踪督办 tab: the board of overdue and soon-due matters, chasing and feedback."""
