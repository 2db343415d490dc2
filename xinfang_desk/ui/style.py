"""Application-wide look: the bundled CJK font and the Chinese locale."""

from __future__ import annotations

from PySide6.QtCore import QLocale
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from xinfang_desk import APP_NAME, APP_TITLE
from xinfang_desk.core.resources import resource_path

FONT_FILE = ("fonts", "wqy-microhei.ttc")


def setup_application(app: QApplication) -> None:
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    # Without this, date edits show "1 01 2000" style English formats.
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    # Register the bundled font so Chinese never renders as boxes, whatever fontconfig has.
    font_id = QFontDatabase.addApplicationFont(str(resource_path(*FONT_FILE)))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if families:
        app.setFont(QFont(families[0], 10))
