"""Printable outputs of the SOPs: the semester population report, the SOP B utilization report and
LAKIP material, and the per-process control sheet.

Each ``render_*`` function takes model objects and plain figures and returns PDF bytes (WeasyPrint,
A4, DejaVu fonts from the system). The numbers are formatted in Python before they reach the
templates, so a template only lays out strings and a 60-page report renders in a few seconds.
Only aggregates ever reach a PDF: no NIK, no names of residents.
"""
