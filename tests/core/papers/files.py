"""Files shaped like what an office attaches, made here (no binary fixtures in the repo): a
scanner's JPEG and multi-page TIFF, a phone's PNG, a unit's PDF report, a Word .docx, an
Excel 97-2003 .xls, a GBK text, and the ones to refuse (a renamed .exe, an empty file)."""

import io
import zipfile


def jpeg(color=(200, 180, 150), size=(640, 480)) -> bytes:
    from PIL import Image, ImageDraw

    im = Image.new("RGB", size, color)
    ImageDraw.Draw(im).rectangle([40, 40, size[0] - 40, 120], fill=(30, 30, 30))
    out = io.BytesIO()
    im.save(out, "JPEG", quality=80)
    return out.getvalue()


def png(size=(300, 200)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (120, 160, 200)).save(out, "PNG")
    return out.getvalue()


def tiff(pages=3) -> bytes:
    from PIL import Image

    frames = [Image.new("L", (400, 560), 255 - 40 * i) for i in range(pages)]
    out = io.BytesIO()
    frames[0].save(out, "TIFF", save_all=True, append_images=frames[1:])
    return out.getvalue()


def pdf(pages=2, text="承办单位办理情况报告") -> bytes:
    from reportlab.pdfgen import canvas

    from xinfang_desk.core.documents.fonts import register_fonts

    font = register_fonts()
    out = io.BytesIO()
    c = canvas.Canvas(out)
    for i in range(pages):
        c.setFont(font, 14)
        c.drawString(72, 720, f"{text} 第{i + 1}页")
        c.showPage()
    c.save()
    return out.getvalue()


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def xls() -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    book.add_sheet("台账").write(0, 0, "姓名")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def text_gbk() -> bytes:
    return "信访人补充材料：\r\n2026年6月至8月工资未发放。\r\n".encode("gbk")


def exe() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200 + b"This program cannot be run in DOS mode."
