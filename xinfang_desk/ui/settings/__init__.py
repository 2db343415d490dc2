"""The 设置 tab (administrator): office details, the calendar, units and fields, users and
security, data safety (backups, restore, check, retention).
"""
