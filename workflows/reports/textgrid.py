"""Large numeric tables as monospaced text grids, because WeasyPrint lays out one box per table
cell and a semester report has tens of thousands of cells.

Measured on the 2-core machine: a 400 x 14 HTML table takes 20 s to lay out, the same rows as
preformatted lines inside a few table cells well under a second. So each printed table is still an
HTML ``<table>`` (its ``<thead>`` repeats on every page, rows never split across pages), but its
body cells each hold a block of ``ROWS_PER_BLOCK`` rows as lines of DejaVu Sans Mono, padded to
fixed column widths, with a thin rule after every ``ROWS_PER_BLOCK`` rows as statistical yearbooks
do. No per-block images or gradients: drawing those cost more than the text itself.
"""

import textwrap
from dataclasses import dataclass

# DejaVu Sans Mono advances every glyph by 1233/2048 em.
ADVANCE_EM = 1233 / 2048
LINE_HEIGHT = 1.5  # line box height as a multiple of the font size
ROWS_PER_BLOCK = 10
PORTRAIT_WIDTH_PT = 174 * 72 / 25.4
LANDSCAPE_WIDTH_PT = 267 * 72 / 25.4
BASE_FONT_PT = 7.6
MIN_FONT_PT = 5.6
LABEL_CAP = 40  # widest text column; a longer label wraps onto the following lines, never cut
HEADER_WORD_CAP = 15  # a numeric column may widen up to this to keep a header word whole
PAD = 1  # spaces on each side of a cell


@dataclass
class Grid:
    header: str
    blocks: list  # [{"kind": "rows" | "subtotal" | "total", "text": str, "group": heading printed above or ""}]
    font_pt: str  # CSS numbers as strings with a decimal point, whatever the template's locale
    line_pt: str
    width_pt: str
    landscape: bool


def _wrap(text, width):
    """A label as lines of at most ``width`` characters, broken between words where it can."""
    text = str(text)
    if len(text) <= width:
        return [text]
    return textwrap.wrap(text, width=width, break_on_hyphens=False) or [""]


def group_parts(group):
    """(heading, rows, subtotal row or None) of a table group, given as a 2- or 3-tuple."""
    name, rows, *rest = group
    return name, rows, (rest[0] if rest else None)


def _widths(table):
    columns = len(table.header)
    cells = list(table.rows)
    for group in table.groups:
        _name, rows, subtotal = group_parts(group)
        cells.extend(rows)
        if subtotal:
            cells.append(subtotal)
    if table.total:
        cells.append(table.total)
    widths = []
    for index in range(columns):
        longest_value = max((len(str(row[index])) for row in cells), default=0)
        words = str(table.header[index]).split()
        longest_word = max((len(word) for word in words), default=0)
        if index < table.label_columns:
            width = min(max(longest_value, longest_word, 4), LABEL_CAP)
        else:
            width = max(longest_value, min(longest_word, HEADER_WORD_CAP), 3)
        widths.append(width)
    return widths


def _line(cells, widths, label_columns):
    """One table row as text: a label too long for its column continues on further lines under
    itself (the numbers stay on the first line)."""
    wrapped = [_wrap(cell, width) if index < label_columns else [str(cell)]
               for index, (cell, width) in enumerate(zip(cells, widths))]
    lines = []
    for row in range(max(len(column) for column in wrapped)):
        parts = []
        for index, (column, width) in enumerate(zip(wrapped, widths)):
            text = column[row] if row < len(column) else ""
            parts.append(" " * PAD + (text.ljust(width) if index < label_columns else text.rjust(width)) + " " * PAD)
        lines.append("".join(parts).rstrip())
    return "\n".join(lines)


def _header(titles, widths):
    wrapped = [textwrap.wrap(str(title), width=width, break_long_words=True) or [""] for title, width in zip(titles, widths)]
    depth = max(len(lines) for lines in wrapped)
    lines = []
    for row in range(depth):
        parts = []
        for column, width in zip(wrapped, widths):
            # Header lines sit at the bottom of their column, next to the numbers.
            offset = depth - len(column)
            text = column[row - offset] if row >= offset else ""
            parts.append(" " * PAD + text.center(width) + " " * PAD)
        lines.append("".join(parts).rstrip())
    return "\n".join(lines)


def build(table, *, landscape=None):
    """Lay ``table`` (header, rows or groups, total, label_columns) out as a text grid.

    The font shrinks (down to ``MIN_FONT_PT``) until the widest line fits the page; a table too
    wide for a portrait page at the base size goes on a landscape page unless ``landscape`` says.
    """
    widths = _widths(table)
    characters = sum(width + 2 * PAD for width in widths)
    natural = characters * ADVANCE_EM * BASE_FONT_PT
    if landscape is None:
        landscape = natural > PORTRAIT_WIDTH_PT
    available = LANDSCAPE_WIDTH_PT if landscape else PORTRAIT_WIDTH_PT
    font = max(MIN_FONT_PT, min(BASE_FONT_PT, available / (characters * ADVANCE_EM)))
    font = int(font * 10) / 10  # round down so the grid never overflows

    blocks = []

    def add_rows(rows, group=""):
        # A group heading travels in the block of its first rows, so it is never left alone at
        # the foot of a page.
        lines = [_line(row, widths, table.label_columns) for row in rows]
        # A wrapped label makes a row several lines long; a block still holds ROWS_PER_BLOCK rows.
        for start in range(0, len(lines), ROWS_PER_BLOCK):
            blocks.append({"kind": "rows", "text": "\n".join(lines[start:start + ROWS_PER_BLOCK]),
                           "group": group if start == 0 else ""})

    add_rows(table.rows)
    for group in table.groups:
        name, rows, subtotal = group_parts(group)
        add_rows(rows, str(name))
        if subtotal:
            blocks.append({"kind": "subtotal", "text": _line(subtotal, widths, table.label_columns), "group": ""})
    if table.total:
        blocks.append({"kind": "total", "text": _line(table.total, widths, table.label_columns), "group": ""})
    return Grid(
        header=_header(table.header, widths),
        blocks=blocks,
        font_pt=f"{font:.1f}",
        line_pt=f"{font * LINE_HEIGHT:.2f}",
        width_pt=f"{characters * ADVANCE_EM * font:.2f}",
        landscape=landscape,
    )
