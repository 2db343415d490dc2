"""The monthly report (第四十一条): every figure computed once (`figures`), and the same
figures as a PDF (`pdf`) and an Excel workbook (`xlsx`). May import documents (fonts) and
everything below.
"""
