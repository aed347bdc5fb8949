"""The SOP document in the Permenpan RB 35/2012 layout: identity page and Prosedur sheet, as PDF.

``render_sop_document(sop, organisation)`` takes a ``Sop`` definition (``workflows/sops/spec.py``)
and the organisation that runs it; nothing else. The Prosedur table is paginated here (rows get a
height estimated from their text, pages take as many rows as fit), and each page's flowchart is
one SVG drawn inside the Pelaksana columns: a terminator for the first and last step, a process
box for the others, a decision diamond for every review step (a step the flow can send back)
with its "Ya"/"Tidak" branches and the return arrow, and off-page connectors where the table
breaks. The SVG is plain markup (``svg_for_page``) so tests can count the symbols.
"""

import math
from dataclasses import dataclass
from html import escape

from django.utils.translation import gettext as _

from .formatting import DASH, long_date
from .pdf import indonesian, render_pdf

# Page geometry in millimetres (landscape; the content box after the @page margins below).
PAGE_SIZES = {"A4": (297, 210), "F4": (330, 215)}
MARGIN = 12
HEADER_HEIGHT = 17  # the two header rows of the Prosedur table
BODY_LIMIT_A4 = 142  # row height a page may hold below the title and the header rows
LANE_WIDTH = 22
WIDTHS = {"no": 8, "kelengkapan": 30, "waktu": 16, "output": 32, "keterangan": 16}
ROW_MIN = 17
LINE_HEIGHT = 3.3  # 7.5 pt text
SYMBOL_W, SYMBOL_H = 15, 7
INK = "#1b1b1b"
CONNECTOR_ROOM = 9
CONNECTOR_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def review_returns(sop):
    """``{review step number: target step number}``.

    An authored SOP says it in its steps (``return_to`` of its pemeriksaan steps); its flow is
    the interpreter, whose one If gate says nothing about the SOP. For a built-in SOP it is
    read from the flow's If gates: a review step is a human step followed by an If gate whose
    "no" branch goes back to an earlier step.
    """
    if sop.authored:
        numbers = {step.number for step in sop.steps}
        return {
            step.number: step.return_to
            for step in sop.steps
            if step.return_to is not None and step.return_to in numbers and step.return_to < step.number
        }
    try:
        flow_class = sop.flow_class
    except (ImportError, AttributeError):
        return {}
    from viewflow.workflow.flow import If

    nodes = list(flow_class.instance.nodes())
    returns = {}
    for node in nodes:
        if not isinstance(node, If):
            continue
        target = sop.step_for_node(node._on_false.name) if node._on_false is not None else None
        for source in nodes:
            if any(edge.dst is node for edge in source._outgoing()):
                step = sop.step_for_node(source.name)
                if step is not None and target is not None and target.number < step.number:
                    returns[step.number] = target.number
    return returns


def lanes(sop):
    """The Pelaksana columns, in the order the SOP document lists them."""
    order = getattr(sop, "pelaksana", ()) or ()
    used = list(dict.fromkeys(step.actor_label for step in sop.steps))
    return [label for label in order if label in used] + [label for label in used if label not in order]


def _lines(text, width_mm):
    chars = max(8, int(width_mm / 1.45))
    return max(1, math.ceil(len(text or "") / chars))


@dataclass
class Row:
    step: object
    height: float
    lane: int
    review_to: int | None
    top: float = 0
    pad_top: float = 0  # room for the incoming off-page connector
    pad_bottom: float = 0  # room for the outgoing off-page connector


def layout(sop, paper="A4", returns=None):
    """Rows grouped into pages; each row knows its lane, its height and its top within the page."""
    returns = review_returns(sop) if returns is None else returns
    columns = lanes(sop)
    kegiatan_width = kegiatan_mm(len(columns), paper)
    rows = []
    for step in sop.steps:
        lines = max(
            _lines(step.kegiatan, kegiatan_width),
            _lines(step.kelengkapan, WIDTHS["kelengkapan"]),
            _lines(step.output, WIDTHS["output"]),
        )
        rows.append(Row(step, max(ROW_MIN, lines * LINE_HEIGHT + 4), columns.index(step.actor_label),
                        returns.get(step.number)))
    limit = BODY_LIMIT_A4 + (PAGE_SIZES[paper][1] - PAGE_SIZES["A4"][1])
    if rows and rows[-1].review_to:  # a closing review: its "Ya" leads to the end terminator
        rows[-1].pad_bottom = CONNECTOR_ROOM
        rows[-1].height += CONNECTOR_ROOM
    pages, current, used = [], [], 0
    for index, row in enumerate(rows):
        last = index == len(rows) - 1
        room = row.height + (CONNECTOR_ROOM if pages and not current else 0) + (0 if last else CONNECTOR_ROOM)
        if current and used + room > limit:
            pages.append(current)
            current, used = [], 0
        current.append(row)
        used += row.height
    if current:
        pages.append(current)
    for number, page in enumerate(pages):
        if number > 0:
            page[0].pad_top = CONNECTOR_ROOM
            page[0].height += CONNECTOR_ROOM
        if number < len(pages) - 1:
            page[-1].pad_bottom += CONNECTOR_ROOM
            page[-1].height += CONNECTOR_ROOM
        top = 0
        for row in page:
            row.top = top
            top += row.height
    return columns, pages


def kegiatan_mm(lane_count, paper="A4"):
    content = PAGE_SIZES[paper][0] - 2 * MARGIN
    return content - sum(WIDTHS.values()) - lane_count * LANE_WIDTH


def _arrowhead(x, y, direction):
    size = 1.6
    if direction == "down":
        points = [(x, y), (x - size, y - 2 * size), (x + size, y - 2 * size)]
    elif direction == "up":
        points = [(x, y), (x - size, y + 2 * size), (x + size, y + 2 * size)]
    elif direction == "right":
        points = [(x, y), (x - 2 * size, y - size), (x - 2 * size, y + size)]
    else:
        points = [(x, y), (x + 2 * size, y - size), (x + 2 * size, y + size)]
    return f'<polygon class="arrowhead" points="{_points(points)}" fill="{INK}"/>'


def _points(points):
    return " ".join(f"{x:.2f},{y:.2f}" for x, y in points)


def _line(points, css_class="flow"):
    return (f'<polyline class="{css_class}" points="{_points(points)}" fill="none" stroke="{INK}" '
            f'stroke-width="0.3"/>')


def _label(x, y, text, anchor="start"):
    return (f'<text x="{x:.2f}" y="{y:.2f}" font-size="2.6" text-anchor="{anchor}" '
            f'font-family="DejaVu Sans, sans-serif" fill="{INK}">{escape(text)}</text>')


def _offpage(x, y, letter, pointing="down"):
    """The off-page connector: a pentagon (home plate) with a letter, tip towards the flow."""
    w, h = 7, 6
    left, right, top = x - w / 2, x + w / 2, y - h / 2
    if pointing == "down":
        points = [(left, top), (right, top), (right, top + h * 0.6), (x, top + h), (left, top + h * 0.6)]
    else:
        points = [(x, top), (right, top + h * 0.4), (right, top + h), (left, top + h), (left, top + h * 0.4)]
    return (f'<g class="offpage" data-letter="{letter}"><polygon points="{_points(points)}" fill="white" '
            f'stroke="{INK}" stroke-width="0.35"/>'
            f'<text x="{x:.2f}" y="{y + 1.1:.2f}" font-size="3" font-weight="bold" text-anchor="middle" '
            f'font-family="DejaVu Sans, sans-serif" fill="{INK}">{letter}</text></g>')


def svg_for_page(page_rows, lane_count, *, first_number, last_number, connector_in=None, connector_out=None):
    """The flowchart of one page of the Prosedur table, in millimetre units."""
    width = lane_count * LANE_WIDTH
    height = sum(row.height for row in page_rows)
    by_number = {row.step.number: row for row in page_rows}
    parts = []
    def centre(row):
        inner = row.height - row.pad_top - row.pad_bottom
        return (row.lane + 0.5) * LANE_WIDTH, row.top + row.pad_top + inner / 2

    def half_height(row):
        return SYMBOL_H / 2 + (1.5 if row.review_to else 0)

    for row in page_rows:
        x, y = centre(row)
        number = row.step.number
        if number in (first_number, last_number) and not row.review_to:
            parts.append(f'<rect class="terminator" data-step="{number}" x="{x - SYMBOL_W / 2:.2f}" '
                         f'y="{y - SYMBOL_H / 2:.2f}" width="{SYMBOL_W}" height="{SYMBOL_H}" rx="{SYMBOL_H / 2}" '
                         f'fill="white" stroke="{INK}" stroke-width="0.35"/>')
        elif row.review_to:
            hw, hh = SYMBOL_W / 2 + 1, half_height(row)
            parts.append(f'<polygon class="decision" data-step="{number}" '
                         f'points="{_points([(x, y - hh), (x + hw, y), (x, y + hh), (x - hw, y)])}" '
                         f'fill="white" stroke="{INK}" stroke-width="0.35"/>')
        else:
            parts.append(f'<rect class="process" data-step="{number}" x="{x - SYMBOL_W / 2:.2f}" '
                         f'y="{y - SYMBOL_H / 2:.2f}" width="{SYMBOL_W}" height="{SYMBOL_H}" '
                         f'fill="white" stroke="{INK}" stroke-width="0.35"/>')

    # Forward arrows between consecutive steps on this page.
    for before, after in zip(page_rows, page_rows[1:]):
        x1, y1 = centre(before)
        x2, y2 = centre(after)
        start_y = y1 + half_height(before)
        end_y = y2 - half_height(after)
        bend = after.top + 2.4
        points = [(x1, start_y), (x1, bend), (x2, bend), (x2, end_y)] if x1 != x2 else [(x1, start_y), (x2, end_y)]
        parts.append(_line(points))
        parts.append(_arrowhead(x2, end_y, "down"))
        if before.review_to:
            parts.append(_label(x1 + 1, start_y + 2.6, _("Ya")))

    # Return arrows: from the diamond's side, along the lane edge, up into the target's side.
    for row in page_rows:
        if not row.review_to:
            continue
        x, y = centre(row)
        target = by_number.get(row.review_to)
        goes_right = row.lane < lane_count - 1 and (target is None or target.lane >= row.lane)
        side = 1 if goes_right else -1
        out_x = x + side * (SYMBOL_W / 2 + 1)
        if target is not None:
            tx, ty = centre(target)
            channel = (max(row.lane, target.lane) + 1) * LANE_WIDTH - 1.5 if goes_right \
                else min(row.lane, target.lane) * LANE_WIDTH + 1.5
            # Into the target from above, beside the forward arrow that enters its top centre.
            offset = 3 if channel > tx else -3
            entry_x = tx + offset
            entry_y = ty - half_height(target)
            if target.review_to:  # the diamond's edge is lower beside its top vertex
                entry_y += half_height(target) * abs(offset) / (SYMBOL_W / 2 + 1)
            over = target.top + target.pad_top + 1
            points = [(out_x, y), (channel, y), (channel, over), (entry_x, over), (entry_x, entry_y)]
            head = _arrowhead(entry_x, entry_y, "down")
        else:
            channel = x + side * (LANE_WIDTH / 2 - 1.5)
            points = [(out_x, y), (channel, y), (channel, 0)]
            head = _arrowhead(channel, 0.2, "up")
        parts.append(f'<g class="return" data-from="{row.step.number}" data-to="{row.review_to}">'
                     f'{_line(points, "return-line")}{head}</g>')
        parts.append(_label(out_x + (0.6 if side > 0 else -0.6), y - 1, _("Tidak"),
                            "start" if side > 0 else "end"))

    closing = page_rows[-1]
    if closing.step.number == last_number and closing.review_to:
        x, y = centre(closing)
        end_y = closing.top + closing.height - 2 - SYMBOL_H / 2
        parts.append(_line([(x, y + half_height(closing)), (x, end_y - SYMBOL_H / 2)]))
        parts.append(_arrowhead(x, end_y - SYMBOL_H / 2, "down"))
        parts.append(_label(x + 1, y + half_height(closing) + 2.6, _("Ya")))
        parts.append(f'<rect class="terminator" data-step="end" x="{x - SYMBOL_W / 2:.2f}" '
                     f'y="{end_y - SYMBOL_H / 2:.2f}" width="{SYMBOL_W}" height="{SYMBOL_H}" rx="{SYMBOL_H / 2}" '
                     f'fill="white" stroke="{INK}" stroke-width="0.35"/>')
        parts.append(f'<text x="{x:.2f}" y="{end_y + 1:.2f}" font-size="2.6" text-anchor="middle" '
                     f'font-family="DejaVu Sans, sans-serif" fill="{INK}">{escape(_("Selesai"))}</text>')
    if connector_in:
        row = page_rows[0]
        x, _y = centre(row)
        parts.append(_offpage(x, 3.2, connector_in))
        parts.append(_line([(x, 6.2), (x, _y - half_height(row))]))
        parts.append(_arrowhead(x, _y - half_height(row), "down"))
    if connector_out:
        row = page_rows[-1]
        x, y = centre(row)
        bottom = row.top + row.height
        parts.append(_line([(x, y + half_height(row)), (x, bottom - 6.5)]))
        parts.append(_arrowhead(x, bottom - 6.5, "down"))
        parts.append(_offpage(x, bottom - 3.4, connector_out))
        if row.review_to:
            parts.append(_label(x + 1, y + half_height(row) + 2.6, _("Ya")))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="sop-flowchart" width="{width}mm" '
            f'height="{height:.2f}mm" viewBox="0 0 {width} {height:.2f}">{"".join(parts)}</svg>')


def flowchart_pages(sop, paper="A4", returns=None):
    """Per page of the Prosedur table: its rows and its flowchart SVG."""
    columns, pages = layout(sop, paper, returns)
    first, last = sop.steps[0].number, sop.steps[-1].number
    result = []
    for index, rows in enumerate(pages):
        letter_in = CONNECTOR_LETTERS[(index - 1) % 26] if index > 0 else None
        letter_out = CONNECTOR_LETTERS[index % 26] if index < len(pages) - 1 else None
        svg = svg_for_page(rows, len(columns), first_number=first, last_number=last,
                           connector_in=letter_in, connector_out=letter_out)
        result.append({"rows": rows, "svg": svg, "height": sum(row.height for row in rows)})
    return columns, result


def _date(value):
    return long_date(value) if value else DASH


def _province(name):
    name = (name or "").strip()
    return name if not name or name.lower().startswith("provinsi") else f"Provinsi {name}"


def render_sop_document(sop, organisation, *, paper="A4", version=1, returns=None, code=None):
    """The SOP document of ``sop`` as run by ``organisation``: PDF bytes.

    ``code`` is the SOP's code as printed ("Kode: SOP ..."); by default the SOP's short code (for
    an authored SOP the code the organisation gave it, not its internal key ``u<id>``).
    """
    paper = paper if paper in PAGE_SIZES else "A4"
    code = code or sop.short_code
    with indonesian():
        columns, pages = flowchart_pages(sop, paper, returns)
        identity = sop.identity
        width, height = PAGE_SIZES[paper]
        context = {
            "sop": sop,
            "code": code,
            "identity": identity,
            "organisation": organisation,
            "version": version,
            "final": True,
            "columns": columns,
            "pages": pages,
            "lane_width": LANE_WIDTH,
            "lanes_width": LANE_WIDTH * len(columns),
            "widths": WIDTHS,
            "kegiatan_width": kegiatan_mm(len(columns), paper),
            "page_width": width,
            "page_height": height,
            "margin": MARGIN,
            "tanggal_pembuatan": _date(identity.tanggal_pembuatan),
            "tanggal_revisi": _date(identity.tanggal_revisi),
            "tanggal_efektif": _date(identity.tanggal_efektif),
            "head_title": identity.disahkan_oleh or organisation.head_title,
            "column_numbers": range(1, len(columns) + 7),
            "government": _province(organisation.province_name),
        }
        title = _("SOP %(code)s · %(name)s") % {"code": code, "name": identity.nama}
        return render_pdf("reports/sop_document.html", context, title=title, header_left=organisation.name,
                          header_right=_("SOP %(code)s") % {"code": code})
