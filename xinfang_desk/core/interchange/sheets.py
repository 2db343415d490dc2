"""Reading an office's spreadsheet as plain rows of cells: Excel 2007+ (.xlsx, openpyxl),
Excel 97–2003 (.xls, xlrd) and CSV (UTF-8, UTF-8 with BOM, UTF-16 with BOM, GBK/GB18030 as WPS
saves it; comma, tab or semicolon).

Cells come as Python values: str, int, float, bool, dt.datetime (a cell Excel formats as a
date), or None. Nothing is interpreted here (that is ledger_values' job); a file that cannot
be read gives a SheetError naming the file and the reason in Chinese.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from xinfang_desk.core.errors import XinfangError

FORMATS = {".xlsx": "Excel 工作簿", ".xlsm": "Excel 工作簿", ".xls": "Excel 97-2003 工作簿",
           ".csv": "CSV 文本", ".txt": "CSV 文本"}


class SheetError(XinfangError):
    """The file cannot be read as a spreadsheet; nothing was imported."""


@dataclass
class Sheet:
    name: str
    rows: list[list]  # row 0 is the sheet's first row; cells as read, trailing Nones trimmed


def _trim(row: list) -> list:
    end = len(row)
    while end and (row[end - 1] is None or (isinstance(row[end - 1], str)
                                             and not row[end - 1].strip())):
        end -= 1
    return list(row[:end])


def read_sheets(path: Path | str) -> list[Sheet]:
    """Every sheet of the file, in the workbook's order (a CSV is one sheet named after the
    file)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise SheetError(f"不支持的文件类型“{path.suffix or '无扩展名'}”：请选择 .xlsx、.xls 或 .csv 文件"
                         "（WPS 表格可另存为这些格式）")
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise SheetError(f"找不到文件 {path}") from exc
    except IsADirectoryError as exc:
        raise SheetError(f"{path} 是文件夹，请选择台账文件") from exc
    except OSError as exc:
        raise SheetError(f"无法读取文件 {path}：{exc.strerror or exc}") from exc
    if not data:
        raise SheetError(f"文件 {path.name} 是空的（0 字节）")
    if suffix in (".csv", ".txt"):
        return [Sheet(path.stem, _read_csv(data, path.name))]
    if suffix == ".xls" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return _read_xls(data, path.name)  # also an old-format file saved as .xlsx
    return _read_xlsx(data, path.name)


def _read_xlsx(data: bytes, name: str) -> list[Sheet]:
    from openpyxl import load_workbook  # only when a workbook is read

    try:
        # read_only streams the rows (a 50,000-row ledger in seconds); data_only takes the
        # values that formulas last computed, as the office sees them.
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SheetError(f"{name} 不是有效的 Excel 工作簿（文件损坏或不是 .xlsx 格式）：{exc}") from exc
    try:
        sheets = []
        for ws in wb.worksheets:
            rows = [_trim([_xlsx_cell(c) for c in row]) for row in ws.iter_rows(values_only=True)]
            sheets.append(Sheet(ws.title, rows))
        return sheets
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SheetError(f"读取 {name} 时出错（文件可能已损坏）：{exc}") from exc
    finally:
        wb.close()


def _xlsx_cell(value):
    if isinstance(value, dt.time):
        return None if value == dt.time(0) else value.isoformat()
    return value


def _read_xls(data: bytes, name: str) -> list[Sheet]:
    import xlrd  # only for Excel 97–2003 files

    try:
        book = xlrd.open_workbook(file_contents=data)
    except Exception as exc:  # noqa: BLE001 - xlrd raises many kinds for a broken file
        raise SheetError(f"{name} 不是有效的 Excel 97-2003 工作簿（文件损坏或格式不对）：{exc}") from exc
    sheets = []
    for sh in book.sheets():
        rows = []
        for r in range(sh.nrows):
            row = []
            for c in range(sh.ncols):
                cell = sh.cell(r, c)
                if cell.ctype == xlrd.XL_CELL_DATE:
                    try:
                        row.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
                    except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                        row.append(cell.value)
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                    row.append(None)
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    row.append(bool(cell.value))
                elif cell.ctype == xlrd.XL_CELL_NUMBER and float(cell.value).is_integer() \
                        and abs(cell.value) < 2 ** 53:
                    row.append(int(cell.value))
                else:
                    row.append(cell.value)
            rows.append(_trim(row))
        sheets.append(Sheet(sh.name, rows))
    return sheets


def decode_text(data: bytes, name: str = "") -> str:
    """A text file as WPS or Excel saves it: UTF-8 (with or without BOM), UTF-16 with BOM, or
    GBK/GB18030 (the default of a Chinese Windows)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise SheetError(f"{name} 的编码无法识别（不是 UTF-8，也不是 GBK/GB18030），请在 WPS 或 "
                         "Excel 中另存为“CSV UTF-8”后再导入") from exc


def _read_csv(data: bytes, name: str) -> list[list]:
    text = decode_text(data, name)
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    try:
        return [_trim([cell if cell.strip() else None for cell in row])
                for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise SheetError(f"{name} 不是有效的 CSV 文件：{exc}") from exc
