"""Two small charts for the 统计报表 tab, drawn with QPainter (QtCharts is not shipped with
PySide6-Essentials): horizontal bars (cases by channel) and a pie with a legend (cases by
class). Labels are Chinese, every value is written out, and a chart whose values are all zero
shows a message instead of empty axes.

The geometry is computed by plain methods (`bar_rects`, `slices`) so that tests can check it
without looking at pixels."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

# The same colours as the printed report (core/report_pdf.py).
PALETTE = [QColor(c) for c in ("#4472C4", "#ED7D31", "#A5A5A5", "#FFC000", "#5B9BD5",
                               "#70AD47", "#264478", "#9E480E", "#636363", "#997300")]
TEXT = QColor("#202020")
MUTED = QColor("#757575")
GRID = QColor("#d0d0d0")
MARGIN = 10.0
FULL_CIRCLE = 360 * 16  # QPainter angles are in 1/16 degree


class _Chart(QWidget):
    def __init__(self, title: str, empty_text: str, parent=None):
        super().__init__(parent)
        self.title = title
        self.empty_text = empty_text
        self.counts: dict[str, int] = {}
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(240, 200)
        self.setAccessibleName(title)

    def set_counts(self, counts: dict[str, int]) -> None:
        self.counts = {str(k): int(n) for k, n in counts.items()}
        self.setToolTip("\n".join(f"{k}：{n}件" for k, n in self.counts.items()))
        self.update()

    def is_empty(self) -> bool:
        return not any(n > 0 for n in self.counts.values())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(420, 260)

    def _title_font(self) -> QFont:
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        return font

    def plot_area(self) -> QRectF:
        """The widget's rectangle minus the margins and the title line."""
        title_h = QFontMetricsF(self._title_font()).height() + 6 if self.title else 0.0
        return QRectF(MARGIN, MARGIN + title_h, self.width() - 2 * MARGIN,
                      self.height() - 2 * MARGIN - title_h)

    def paintEvent(self, _event):  # noqa: N802 - Qt API
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        if self.title:
            p.setPen(TEXT)
            p.setFont(self._title_font())
            p.drawText(QRectF(MARGIN, MARGIN, self.width() - 2 * MARGIN,
                              QFontMetricsF(p.font()).height()),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.title)
        p.setFont(self.font())
        area = self.plot_area()
        if self.is_empty():
            p.setPen(MUTED)
            p.drawText(area, Qt.AlignmentFlag.AlignCenter, self.empty_text)
        else:
            self.draw(p, area)
        p.end()

    def draw(self, p: QPainter, area: QRectF) -> None:
        raise NotImplementedError


class BarChart(_Chart):
    """Horizontal bars, one row per category (zeros included), the count after each bar."""

    MAX_ROW = 26.0

    def _label_width(self) -> float:
        fm = QFontMetricsF(self.font())
        return max((fm.horizontalAdvance(k) for k in self.counts), default=0) + 8

    def _value_width(self) -> float:
        fm = QFontMetricsF(self.font())
        return max((fm.horizontalAdvance(f"{n}件") for n in self.counts.values()), default=0) + 8

    def bar_rects(self, area: QRectF | None = None) -> list[tuple[str, int, QRectF]]:
        """(label, count, bar rectangle) per category, top to bottom; a zero has no width."""
        area = area if area is not None else self.plot_area()
        if not self.counts:
            return []
        row = min(self.MAX_ROW, area.height() / len(self.counts))
        left = area.left() + self._label_width()
        room = max(0.0, area.right() - self._value_width() - left)
        top = max(self.counts.values()) or 1
        out = []
        for i, (label, n) in enumerate(self.counts.items()):
            y = area.top() + i * row
            out.append((label, n, QRectF(left, y + row * 0.18, room * n / top, row * 0.64)))
        return out

    def draw(self, p: QPainter, area: QRectF) -> None:
        rects = self.bar_rects(area)
        left = area.left() + self._label_width()
        bottom = rects[-1][2].bottom() + rects[-1][2].height() * 0.3
        p.setPen(QPen(GRID, 1))
        p.drawLine(int(left), int(area.top()), int(left), int(bottom))
        for label, n, bar in rects:
            row = QRectF(area.left(), bar.top() - bar.height() * 0.3, self._label_width() - 8,
                         bar.height() * 1.6)
            p.setPen(TEXT)
            p.drawText(row, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
            if n:
                p.fillRect(bar, PALETTE[0])
            value = QRectF(bar.right() + 5, row.top(), self._value_width(), row.height())
            p.setPen(TEXT if n else MUTED)
            p.drawText(value, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"{n}件")


class PieChart(_Chart):
    """A pie of the non-zero categories, with a legend giving each count and share."""

    def slices(self) -> list[tuple[str, int, int, int]]:
        """(label, count, start angle, span) in 1/16 degree, clockwise from twelve o'clock;
        the spans of the non-zero categories add up to a full circle."""
        items = [(k, n) for k, n in self.counts.items() if n > 0]
        total = sum(n for _, n in items)
        out, start, done = [], 90 * 16, 0
        for i, (label, n) in enumerate(items):
            end = FULL_CIRCLE if i == len(items) - 1 else round(FULL_CIRCLE * (done + n) / total)
            span = end - round(FULL_CIRCLE * done / total)
            out.append((label, n, start, -span))
            start -= span
            done += n
        return out

    def legend_lines(self) -> list[str]:
        total = sum(n for n in self.counts.values() if n > 0)
        return [f"{k}　{n}件（{n * 100 / total:.1f}%）" for k, n in self.counts.items() if n > 0]

    def draw(self, p: QPainter, area: QRectF) -> None:
        fm = QFontMetricsF(self.font())
        lines = self.legend_lines()
        legend_w = max(fm.horizontalAdvance(t) for t in lines) + 22
        line_h = fm.height() + 6
        legend_h = line_h * len(lines)
        beside = min(area.height(), area.width() - legend_w - 16)
        below = min(area.width(), area.height() - legend_h - 8)
        if beside >= below * 0.85:  # legend to the right of the pie (unless much smaller)
            side = max(40.0, beside)
            pie = QRectF(area.left(), area.top() + (area.height() - side) / 2, side, side)
            x = pie.right() + 16
            y = area.top() + max(0.0, (area.height() - legend_h) / 2)
        else:  # a narrow chart: legend under the pie
            side = max(40.0, below)
            pie = QRectF(area.left() + (area.width() - side) / 2, area.top(), side, side)
            x = area.left() + max(0.0, (area.width() - legend_w) / 2)
            y = pie.bottom() + 8
        p.setPen(QPen(QColor("white"), 1.5))
        for i, (_label, _n, start, span) in enumerate(self.slices()):
            p.setBrush(PALETTE[i % len(PALETTE)])
            if span == -FULL_CIRCLE:
                p.drawEllipse(pie)
            else:
                p.drawPie(pie, start, span)
        for i, text in enumerate(lines):
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(PALETTE[i % len(PALETTE)])
            p.drawRect(QRectF(x, y + (line_h - 12) / 2, 12, 12))
            p.setPen(TEXT)
            p.drawText(QRectF(x + 18, y, area.right() - x - 18, line_h),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
            y += line_h
