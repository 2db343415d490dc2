"""The printed documents (ReportLab): which a case may have now and the PDF bytes of each
(`build`), the data they print (`context`), fonts, page layout, the receipt and the letters.
May import answers, cases, deadlines, people, store, rules. ReportLab is imported only when a
document is built.
"""
