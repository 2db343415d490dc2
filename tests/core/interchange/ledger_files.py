"""Ledger files shaped like the offices' own: title rows, a header merged over two rows with a
group header above it, Excel dates, an ID typed as a number, totals and blank rows, several
sheets, an .xls written the Excel 97–2003 way, and CSV saved by WPS in GBK or with a BOM."""

import datetime as dt

from openpyxl import Workbook

from tests.core.helpers import ID_LI, ID_WANG

ID_CHEN = "510102198801011234"[:17]  # completed below with its check character


def _with_check(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


ID_CHEN = _with_check(ID_CHEN)
ID_ZHOU = _with_check("51130219481201464")  # 陈昇's number, as the clerk retypes it
LOST = 5.11302194812015e17  # an 18-digit ID that Excel stored as a number

HEADER = ["序号", "来访日期", "姓名", "身份证号码", "联系电话", "住址", "来访人数", "反映问题",
          "问题类别", "涉及领域", "交办单位", "办理情况", "办结日期", "是否满意", "经办人", "备注"]

# (序号, date, names, id, phone, address, people, matter, class, field, unit, result, closed, satisfied, clerk, note)
ROWS_2025 = [
    (1, dt.datetime(2025, 3, 4), "王秀英", ID_WANG, 13800001234, "顺庆区中城街道1号", 1,
     "反映单位拖欠工资三个月", "投诉", "劳动社保", "区人社局", "已转区人社局办理，已答复，支持",
     dt.datetime(2025, 3, 20), "满意", "张敏", ""),
    (2, dt.datetime(2025, 3, 5), "李建国、赵桂兰", ID_LI, "0817-2234567", "舞凤街道", 36,
     "原丝绸厂职工集体反映安置费未落实", "求决", "", "", "当场答复，告知政策依据和办理流程",
     dt.datetime(2025, 3, 5), "", "张敏", "集体访"),
    (3, dt.datetime(2025, 3, 6), "陈昇", LOST, "", "", 1, "反映噪音扰民", "投诉", "", "",
     "办理中", None, "", "赵磊", ""),
    (4, dt.datetime(2025, 3, 7), "周喆", ID_CHEN, "", "北湖路8号", 1, "建议增设公交站点",
     "建议", "", "", "已办结", dt.datetime(2025, 4, 1), "基本满意", "赵磊", ""),
    (5, dt.datetime(2025, 3, 10), "刘德福", "", "13990801234", "", 1, "咨询养老保险补缴",
     "咨询", "", "", "办理中", None, "", "", ""),
]


def write_office_xlsx(path, rows=ROWS_2025, *, title="某某县信访局2025年来访登记台账"):
    """One sheet as offices keep it: a title row and a date row merged across the top, a
    header merged over two rows (信访人情况 above 姓名/身份证号码/联系电话), Excel dates, an ID
    number typed as a number, a blank row, a repeated header on a new page and a total row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "2025年"
    width = len(HEADER)
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.append(["填报单位：某某县信访局", None, None, None, None, None, None, None, None, None,
               None, None, "填报日期：2026年1月5日"])
    # Two header rows: 信访人情况 over columns 3-5, every other header merged vertically.
    top = [h if h not in ("姓名", "身份证号码", "联系电话") else None for h in HEADER]
    top[2] = "信访人情况"
    ws.append(top)
    ws.append([None, None, "姓名", "身份证号码", "联系电话"] + [None] * (width - 5))
    ws.merge_cells(start_row=3, start_column=3, end_row=3, end_column=5)
    for col in range(1, width + 1):
        if col not in (3, 4, 5):
            ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    for i, row in enumerate(rows):
        ws.append(list(row))
        if i == 1:
            ws.append([])  # a blank row
            ws.append(HEADER)  # the header again, as on a printed second page
    ws.append(["合计", None, f"{len(rows)}件"])
    for r in range(5, ws.max_row + 1):
        ws.cell(r, 2).number_format = "yyyy-mm-dd"
    wb.save(path)
    return path


def write_two_years(path):
    """A workbook with a sheet per year, dates typed as 10月14日 (the year in the sheet name),
    and a notes sheet without any ledger header."""
    wb = Workbook()
    ws = wb.active
    ws.title = "说明"
    ws.append(["本台账按年度分表，2024年起使用"])
    for year, name, matter in ((2024, "孙军菊", "反映邻居建房侵占宅基地"),
                               (2025, "邱玉学", "反映小区物业费上涨")):
        ws = wb.create_sheet(f"{year}年台账")
        ws.append(["登记日期", "姓名", "反映问题", "问题类别", "信访形式", "办理情况"])
        ws.append(["10月14日", name, matter, "申诉", "来信", "已办结"])
        ws.append([f"{year}.11.02", name + "、王五", matter + "（再次）", "申诉", "来访", "办理中"])
    wb.save(path)
    return path


def write_xls(path, rows=ROWS_2025[:2]):
    """The same ledger as Excel 97–2003 saves it (xlwt writes real BIFF8 files)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("2025年")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    sheet.write_merge(0, 0, 0, len(HEADER) - 1, "某某县信访局2025年来访登记台账")
    for c, h in enumerate(HEADER):
        sheet.write(1, c, h)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row):
            if isinstance(value, dt.datetime):
                sheet.write(r, c, value, date_style)
            elif value not in (None, ""):
                sheet.write(r, c, value)
    book.save(str(path))
    return path


CSV_ROWS = [
    ["台账（WPS导出）"],
    ["登记日期", "姓名", "身份证号码", "联系电话", "反映问题", "问题类别", "办理情况", "办结日期"],
    ["2025/6/1", "王秀英", ID_WANG, "13800001234", "反映单位拖欠工资", "投诉", "办理中", ""],
    ["2025年6月2日", "李建国", ID_LI, "0817-2234567", "咨询低保政策", "咨询", "当场解答", "2025/6/2"],
    ["2025.06.03", "陈昇", "5.11302E+17", "", "反映噪音", "投诉", "", ""],
    ["", "", "", "", "", "", "", ""],
]


def write_csv(path, encoding):
    """CSV as WPS saves it: GBK by default on a Chinese Windows, or UTF-8 with a BOM."""
    text = "\r\n".join(",".join(f'"{c}"' if "," in c else c for c in row) for row in CSV_ROWS)
    path.write_bytes(text.encode(encoding))
    return path
