"""The 统计报表 tab: the period chooser, the figures with the change on last period, the
tables and charts, PDF and Excel export.
"""
