"""The 案件列表 tab and the case detail window: the lazy case table, the detail dialog with
its timeline and actions, the event forms, editing, the change history and named access.
"""
