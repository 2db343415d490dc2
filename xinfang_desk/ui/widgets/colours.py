"""The few colours that carry meaning across pages (days left, closed, confidential)."""

from PySide6.QtGui import QColor

OVERDUE_COLOUR = QColor("#c62828")
SOON_COLOUR = QColor("#ef6c00")
CLOSED_COLOUR = QColor("#757575")
CONFIDENTIAL_COLOUR = QColor("#ad1457")
