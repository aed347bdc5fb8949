"""The SOP document in the Permenpan RB 35/2012 layout: identity page and Prosedur sheet, as PDF.

``render_sop_document(sop, organisation)`` takes a ``Sop`` definition (``workflows/sops/spec.py``)
and the organisation that runs it; nothing else.

The flowchart follows the real table. The Prosedur table is first laid out by WeasyPrint on one
endless page (``measure``): that gives every row's natural height with the document's own fonts,
widths and wrapping, and the height of the title and header rows. The rows are then paginated
here, each page gets its rows' exact heights (CSS row heights never shrink a row below its
content, and the measured height is that content), and each page's flowchart is one SVG drawn
over the Pelaksana columns in those same coordinates: a terminator for the first and last step,
a process box for the others, a decision diamond for every review step with its "Ya"/"Tidak"
branches and its return arrow (each return in its own channel beside a column border, entering
its target from the side), and off-page connectors where the flow leaves a page, forward or
back. Labels are placed where they touch no line, symbol or table border. The final document is
checked: every Prosedur page must be one printed page, or the pages are made shorter.
The SVG is plain markup (``flowchart_pages``) so tests can count the symbols.
"""

from dataclasses import dataclass, field, replace
from html import escape

from django.utils.translation import gettext as _

from .formatting import DASH, long_date
from .pdf import indonesian, render_document, write_pdf

# Page geometry in millimetres (landscape). The Prosedur table's fixed columns; the Pelaksana
# columns share what is left once the Kegiatan column has its minimum width.
PAGE_SIZES = {"A4": (297, 210), "F4": (330, 215)}
MARGIN = 12
MARGIN_TOP, MARGIN_BOTTOM = 14, 12
WIDTHS = {"no": 8, "kelengkapan": 30, "waktu": 16, "output": 32, "keterangan": 20}
KEGIATAN_MIN = 62
LANE_MIN, LANE_MAX = 16, 22
ROW_MIN = 15  # a row with a box or a terminator
ROW_MIN_DECISION = 19  # a row with a diamond: its "Ya" label below it
CONNECTOR_ROOM = 10  # above the first row / below the last row of a page, for off-page connectors
PAGE_SAFETY = 1.5  # mm kept free at the foot of every Prosedur page
SYMBOL_H = 6.5
DECISION_HH = 5
LABEL_SIZE = 2.6  # font size of "Ya", "Tidak", "Selesai" (mm)
ARROW = 0.9  # half width of an arrowhead; its length is twice that
INK = "#1b1b1b"
FONT = "DejaVu Sans, sans-serif"
MM_PER_PX = 25.4 / 96


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


@dataclass(frozen=True)
class Geometry:
    """Column widths of the Prosedur table and symbol sizes, for one paper and lane count."""

    paper: str
    lane_count: int

    @property
    def content_width(self):
        return PAGE_SIZES[self.paper][0] - 2 * MARGIN

    @property
    def content_height(self):
        return PAGE_SIZES[self.paper][1] - MARGIN_TOP - MARGIN_BOTTOM

    @property
    def lane_width(self):
        room = (self.content_width - sum(WIDTHS.values()) - KEGIATAN_MIN) / max(1, self.lane_count)
        return round(min(LANE_MAX, max(LANE_MIN, room)), 2)

    @property
    def kegiatan_width(self):
        return round(self.content_width - sum(WIDTHS.values()) - self.lane_count * self.lane_width, 2)

    @property
    def symbol_w(self):
        return round(self.lane_width * 0.6, 2)

    @property
    def decision_hw(self):
        return self.symbol_w / 2

    @property
    def width(self):
        return self.lane_count * self.lane_width


@dataclass
class Row:
    step: object
    lane: int
    review_to: int | None
    natural: float = ROW_MIN  # the measured height of the row's content
    page: int = 0
    top: float = 0
    pad_top: float = 0  # room for the incoming off-page connectors
    pad_bottom: float = 0  # room for the outgoing off-page connectors or the end terminator

    @property
    def min_height(self):
        return ROW_MIN_DECISION if self.review_to else ROW_MIN

    @property
    def height(self):
        return self.natural + self.pad_top + self.pad_bottom


# --- measuring and paginating -------------------------------------------------------------------

def _table_context(columns, geometry):
    return {
        "columns": columns,
        "lane_width": geometry.lane_width,
        "widths": WIDTHS,
        "kegiatan_width": geometry.kegiatan_width,
        "column_numbers": range(1, len(columns) + 7),
        "margin": MARGIN,
        "margin_top": MARGIN_TOP,
        "margin_bottom": MARGIN_BOTTOM,
        "page_width": PAGE_SIZES[geometry.paper][0],
    }


def _boxes(box):
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _boxes(child)


def _element_attr(box, name):
    element = getattr(box, "element", None)
    return element.get(name) if element is not None and hasattr(element, "get") else None


def measure(sop, rows, columns, geometry):
    """Lay the whole Prosedur table out on one endless page: each row's natural height (mm) and
    the height of what stands above the first row on every Prosedur page (title, header rows)."""
    context = {
        **_table_context(columns, geometry),
        "sop": sop,
        "identity": sop.identity,
        "page_height": max(1000, 60 * len(rows) + 200),
        "pages": [{"rows": rows, "svg": "", "number": 0}],
        "final": True,
    }
    document = render_document("reports/sop_prosedur_measure.html", context, title=sop.identity.nama)
    heights, section_top, first_top = {}, None, None
    for box in _boxes(document.pages[0]._page_box):
        if _element_attr(box, "class") == "prosedur-page" and section_top is None:
            section_top = box.position_y
        step = _element_attr(box, "data-step")
        if step is not None and type(box).__name__ == "TableRowBox":
            heights[int(step)] = box.margin_height() * MM_PER_PX
            if first_top is None:
                first_top = box.position_y
    header = (first_top - section_top) * MM_PER_PX
    return heights, header


def paginate(rows, budget):
    """Rows grouped into pages of at most ``budget`` mm, with room for the connectors."""
    pages, current, used = [], [], 0
    for index, row in enumerate(rows):
        last = index == len(rows) - 1
        closing = CONNECTOR_ROOM if (last and row.review_to) else 0  # the end terminator
        room = row.natural + (CONNECTOR_ROOM if pages and not current else 0) + (
            closing if last else CONNECTOR_ROOM)
        if current and used + room > budget:
            pages.append(current)
            current, used = [], 0
        current.append(row)
        used += row.natural + (CONNECTOR_ROOM if pages and len(current) == 1 else 0)
    if current:
        pages.append(current)
    for number, page in enumerate(pages):
        for row in page:
            row.page, row.pad_top, row.pad_bottom = number, 0, 0
        if number > 0:
            page[0].pad_top = CONNECTOR_ROOM
        if number < len(pages) - 1:
            page[-1].pad_bottom = CONNECTOR_ROOM
        elif page[-1].review_to:
            page[-1].pad_bottom = CONNECTOR_ROOM
        top = 0
        for row in page:
            row.top = top
            top += row.height
    return pages


def build_rows(sop, columns, returns):
    return [Row(step, columns.index(step.actor_label), returns.get(step.number)) for step in sop.steps]


# --- drawing ------------------------------------------------------------------------------------

def _points(points):
    return " ".join(f"{x:.2f},{y:.2f}" for x, y in points)


def letter(index):
    """Connector letters: A..Z, then AA, AB, ..."""
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = chr(65 + rest) + text
    return text


@dataclass
class Canvas:
    """One page's SVG, and the geometry labels must keep clear of."""

    width: float
    height: float
    parts: list = field(default_factory=list)
    segments: list = field(default_factory=list)  # ((x1, y1), (x2, y2)), lines of the drawing
    grid: list = field(default_factory=list)  # table borders inside the drawing
    boxes: list = field(default_factory=list)  # (x1, y1, x2, y2): symbols, arrowheads, labels
    labels: list = field(default_factory=list)  # the boxes of the placed labels

    def line(self, points, css="flow"):
        self.parts.append(f'<polyline class="{css}" points="{_points(points)}" fill="none" stroke="{INK}" '
                          f'stroke-width="0.3"/>')
        self.segments.extend(zip(points, points[1:]))

    def arrowhead(self, x, y, direction):
        a = ARROW
        shape = {
            "down": [(x, y), (x - a, y - 2 * a), (x + a, y - 2 * a)],
            "up": [(x, y), (x - a, y + 2 * a), (x + a, y + 2 * a)],
            "right": [(x, y), (x - 2 * a, y - a), (x - 2 * a, y + a)],
            "left": [(x, y), (x + 2 * a, y - a), (x + 2 * a, y + a)],
        }[direction]
        self.parts.append(f'<polygon class="arrowhead" points="{_points(shape)}" fill="{INK}"/>')
        self.boxes.append(_bbox(shape))

    def arrow(self, points, direction, css="flow"):
        self.line(points, css)
        self.arrowhead(*points[-1], direction)

    def symbol(self, kind, number, x, y, w, h):
        if kind == "decision":
            shape = [(x, y - h / 2), (x + w / 2, y), (x, y + h / 2), (x - w / 2, y)]
            self.parts.append(f'<polygon class="decision" data-step="{number}" points="{_points(shape)}" '
                              f'fill="white" stroke="{INK}" stroke-width="0.35"/>')
        else:
            radius = f' rx="{h / 2:.2f}"' if kind == "terminator" else ""
            self.parts.append(f'<rect class="{kind}" data-step="{number}" x="{x - w / 2:.2f}" '
                              f'y="{y - h / 2:.2f}" '
                              f'width="{w:.2f}" height="{h:.2f}"{radius} fill="white" stroke="{INK}" '
                              f'stroke-width="0.35"/>')
        self.boxes.append((x - w / 2, y - h / 2, x + w / 2, y + h / 2))

    def offpage(self, x, y, text, pointing, kind, side):
        """The off-page connector: a pentagon (home plate) with a letter, tip in the flow's direction."""
        w, h = 6.5, 6
        left, right, top = x - w / 2, x + w / 2, y - h / 2
        if pointing == "down":
            shape = [(left, top), (right, top), (right, top + h * 0.6), (x, top + h), (left, top + h * 0.6)]
        else:
            shape = [(x, top), (right, top + h * 0.4), (right, top + h), (left, top + h),
                     (left, top + h * 0.4)]
        baseline = y + (1.1 if pointing == "down" else 1.6)
        self.parts.append(
            f'<g class="offpage" data-letter="{text}" data-kind="{kind}" data-side="{side}">'
            f'<polygon points="{_points(shape)}" fill="white" stroke="{INK}" stroke-width="0.35"/>'
            f'<text x="{x:.2f}" y="{baseline:.2f}" font-size="{2.8 if len(text) > 1 else 3}" '
            f'font-weight="bold" '
            f'text-anchor="middle" font-family="{FONT}" fill="{INK}">{text}</text></g>')
        self.boxes.append((left, top, right, top + h))

    def place_label(self, text, candidates, css="label"):
        """Write ``text`` at the first candidate (x, baseline, anchor) whose box touches nothing;
        if none is free, at the one that touches least."""
        best = None
        for x, baseline, anchor in candidates:
            box = label_box(text, x, baseline, anchor)
            hits = self.collisions(box)
            if best is None or hits < best[0]:
                best = (hits, x, baseline, anchor, box)
            if not hits:
                break
        _hits, x, baseline, anchor, box = best
        self.parts.append(f'<text class="{css}" x="{x:.2f}" y="{baseline:.2f}" font-size="{LABEL_SIZE}" '
                          f'text-anchor="{anchor}" font-family="{FONT}" fill="{INK}">{escape(text)}</text>')
        self.boxes.append(box)
        self.labels.append(box)
        return box

    def collisions(self, box, clearance=0.35):
        x1, y1, x2, y2 = box[0] - clearance, box[1] - clearance, box[2] + clearance, box[3] + clearance
        hits = 0
        if x1 < 0 or y1 < 0 or x2 > self.width or y2 > self.height:
            hits += 1
        for start, end in self.segments + self.grid:
            if _segment_hits(start, end, (x1, y1, x2, y2)):
                hits += 1
        hits += sum(1 for other in self.boxes if _overlap((x1, y1, x2, y2), other))
        return hits

    def svg(self):
        return (f'<svg xmlns="http://www.w3.org/2000/svg" class="sop-flowchart" width="{self.width:.2f}mm" '
                f'height="{self.height:.2f}mm" viewBox="0 0 {self.width:.2f} {self.height:.2f}">'
                f'{"".join(self.parts)}</svg>')


def text_width(text, size=LABEL_SIZE):
    """A generous estimate of DejaVu Sans' advance width (it is a wide face)."""
    return sum(0.72 if char.isupper() else 0.64 for char in text) * size


def label_box(text, x, baseline, anchor, size=LABEL_SIZE):
    width = text_width(text, size)
    left = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
    return (left, baseline - 0.76 * size, left + width, baseline + 0.24 * size)


def _bbox(points):
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def _overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _segment_hits(start, end, box):
    """Whether the (axis-aligned or not) segment crosses the rectangle: sampled finely enough."""
    (x1, y1), (x2, y2) = start, end
    if max(x1, x2) < box[0] or min(x1, x2) > box[2] or max(y1, y2) < box[1] or min(y1, y2) > box[3]:
        return False
    length = max(abs(x2 - x1), abs(y2 - y1))
    steps = max(1, int(length / 0.2))
    for i in range(steps + 1):
        x = x1 + (x2 - x1) * i / steps
        y = y1 + (y2 - y1) * i / steps
        if box[0] <= x <= box[2] and box[1] <= y <= box[3]:
            return True
    return False


class Flowchart:
    """The drawing of every Prosedur page, from the paginated rows."""

    def __init__(self, pages, geometry, first_number, last_number):
        self.pages = pages
        self.g = geometry
        self.first, self.last = first_number, last_number
        self.rows = {row.step.number: row for page in pages for row in page}
        self.canvases = [Canvas(geometry.width, sum(row.height for row in page)) for page in pages]
        self.pending_labels = []
        self.connector_places = {}  # (page index, top?) -> x of the connectors in that room
        self.letters = {}  # ("forward", page index) or ("return", review number) -> letter
        for index in range(len(pages) - 1):
            self.letters[("forward", index)] = letter(len(self.letters))
        for number, row in sorted(self.rows.items()):
            target = self.rows.get(row.review_to)
            if target is not None and target.page != row.page:
                self.letters[("return", number)] = letter(len(self.letters))

    # geometry of one row
    def centre(self, row):
        inner = row.natural
        return (row.lane + 0.5) * self.g.lane_width, row.top + row.pad_top + inner / 2

    def half(self, row):
        """Half width and half height of the row's symbol."""
        if row.review_to:
            return self.g.decision_hw, DECISION_HH
        return self.g.symbol_w / 2, SYMBOL_H / 2

    def kind(self, row):
        if row.review_to:
            return "decision"
        return "terminator" if row.step.number in (self.first, self.last) else "process"

    def draw(self):
        for index, page in enumerate(self.pages):
            canvas = self.canvases[index]
            self.table_grid(canvas, page)
            for row in page:
                x, y = self.centre(row)
                hw, hh = self.half(row)
                canvas.symbol(self.kind(row), row.step.number, x, y, 2 * hw, 2 * hh)
            if index > 0:
                self.connector_in(canvas, page[0], self.letters[("forward", index - 1)])
            for before, after in zip(page, page[1:]):
                self.forward(canvas, before, after)
        self.returns()
        for index, page in enumerate(self.pages):
            canvas = self.canvases[index]
            last = page[-1]
            if index < len(self.pages) - 1:
                self.connector_out(canvas, last, self.letters[("forward", index)])
            elif last.review_to:
                self.end_terminator(canvas, last)
        for canvas, text, candidates in self.pending_labels:
            canvas.place_label(text, candidates)
        return [canvas.svg() for canvas in self.canvases]

    def later_label(self, canvas, text, candidates):
        """Labels are placed once every line is drawn, so they can keep clear of all of them."""
        self.pending_labels.append((canvas, text, candidates))

    def table_grid(self, canvas, page):
        """The cell borders the drawing lies on: labels must not sit on them."""
        w = self.g.lane_width
        for k in range(1, self.g.lane_count):
            canvas.grid.append(((k * w, 0), (k * w, canvas.height)))
        for row in page[1:]:
            canvas.grid.append(((0, row.top), (canvas.width, row.top)))

    def ya_label(self, canvas, row, line_x):
        x, y = self.centre(row)
        bottom = y + self.half(row)[1]
        candidates = [(line_x + 0.8, bottom + 2.6, "start"), (line_x - 0.8, bottom + 2.6, "end"),
                      (line_x + 0.8, bottom + 4.6, "start"), (line_x - 0.8, bottom + 4.6, "end")]
        self.later_label(canvas, _("Ya"), candidates)

    def forward(self, canvas, before, after):
        x1, y1 = self.centre(before)
        x2, y2 = self.centre(after)
        start = y1 + self.half(before)[1]
        end = y2 - self.half(after)[1]
        if x1 == x2:
            canvas.arrow([(x1, start), (x2, end)], "down")
        else:
            bend = after.top + min(3, (end - after.top) / 2)
            canvas.arrow([(x1, start), (x1, bend), (x2, bend), (x2, end)], "down")
        if before.review_to:
            self.ya_label(canvas, before, x1)

    def connector_in(self, canvas, row, text):
        x, y = self.centre(row)
        canvas.offpage(x, row.top + CONNECTOR_ROOM / 2 - 1, text, "down", "forward", "in")
        canvas.arrow([(x, row.top + CONNECTOR_ROOM / 2 + 2), (x, y - self.half(row)[1])], "down")

    def connector_out(self, canvas, row, text):
        x, y = self.centre(row)
        bottom = row.top + row.height
        canvas.arrow([(x, y + self.half(row)[1]), (x, bottom - CONNECTOR_ROOM / 2 - 2.2)], "down")
        canvas.offpage(x, bottom - CONNECTOR_ROOM / 2 + 0.8, text, "down", "forward", "out")
        if row.review_to:
            self.ya_label(canvas, row, x)

    def end_terminator(self, canvas, row):
        """A closing review: its "Ya" leads to the end terminator, below it in its own row."""
        x, y = self.centre(row)
        bottom = row.top + row.height
        centre_y = bottom - CONNECTOR_ROOM / 2
        canvas.arrow([(x, y + self.half(row)[1]), (x, centre_y - SYMBOL_H / 2)], "down")
        canvas.symbol("terminator", "end", x, centre_y, self.g.symbol_w, SYMBOL_H)
        canvas.parts.append(f'<text x="{x:.2f}" y="{centre_y + 0.9:.2f}" font-size="{LABEL_SIZE}" '
                            f'text-anchor="middle" font-family="{FONT}" fill="{INK}">'
                            f'{escape(_("Selesai"))}</text>')
        self.ya_label(canvas, row, x)

    # --- returns: each in its own channel beside a column border, entering its target's side
    def route(self, row, target_lane):
        """(exit direction, border x, direction from the border into the channel, entry side)."""
        w, n = self.g.lane_width, self.g.lane_count
        if target_lane > row.lane:
            return 1, target_lane * w, 1, "left"
        if target_lane < row.lane:
            return -1, (target_lane + 1) * w, -1, "right"
        if row.lane < n - 1 or n == 1:
            return 1, (row.lane + 1) * w, 1 if row.lane < n - 1 else -1, "right"
        return -1, row.lane * w, -1, "left"

    def returns(self):
        taken = {}  # page -> [(x, y_low, y_high)]
        entries = {}  # (target number, side) -> count
        for number, row in sorted(self.rows.items()):
            if not row.review_to:
                continue
            target = self.rows.get(row.review_to)
            target_lane = target.lane if target is not None else row.lane
            direction, border, inward, side = self.route(row, target_lane)
            same_page = target is not None and target.page == row.page
            x, y = self.centre(row)
            exit_x = x + direction * self.g.decision_hw
            # The channel, on the review's page: from the diamond's side up to the target (or the
            # page's top connector).
            top_y = self.centre(target)[1] if same_page else 2
            channel = self.channel(taken.setdefault(row.page, []), border, inward, exit_x, direction,
                                   target if same_page else None, side, top_y, y)
            canvas = self.canvases[row.page]
            group = len(canvas.parts)
            if same_page:
                entry_y = self.entry_y(target, side, entries)
                entry_x = self.side_x(target, side)
                canvas.line([(exit_x, y), (channel, y), (channel, entry_y), (entry_x, entry_y)],
                            "return-line")
                canvas.arrowhead(entry_x, entry_y, "right" if side == "left" else "left")
            else:
                text = self.letters[("return", number)]
                conn_x = self.connector_x(row.page, channel, top=True)
                conn_y = CONNECTOR_ROOM / 2 - 1
                points = [(exit_x, y), (channel, y), (channel, conn_y + 3.5)]
                if abs(conn_x - channel) > 0.01:
                    points[-1] = (channel, conn_y + 5)
                    points += [(conn_x, conn_y + 5), (conn_x, conn_y + 3.2)]
                canvas.arrow(points, "up", "return-line")
                canvas.offpage(conn_x, conn_y, text, "up", "return", "out")
                if target is not None:
                    self.return_in(target, side, text, number, taken, entries, border, inward)
            canvas.parts[group:] = [f'<g class="return" data-from="{number}" data-to="{row.review_to}">'
                                    + "".join(canvas.parts[group:]) + "</g>"]
            label_x = channel + inward * 0.8
            anchor = "start" if inward > 0 else "end"
            far = "start" if direction > 0 else "end"
            candidates = []
            if abs(channel - exit_x) > text_width(_("Tidak")) + 1.8 or direction != inward:
                candidates += [(exit_x + direction * 0.8, y - 1.0, far),
                               (exit_x + direction * 0.8, y + 2.9, far)]
            candidates += [(label_x, y - 1.0, anchor), (label_x, y + 2.9, anchor),
                           (border + inward * 0.8, y - 1.0, anchor), (border + inward * 0.8, y + 2.9, anchor)]
            # Else above or below the exit line, in the middle of a column it crosses.
            w = self.g.lane_width
            low, high = sorted((exit_x, channel))
            middles = [(max(low, k * w) + min(high, (k + 1) * w)) / 2 for k in range(self.g.lane_count)
                       if max(low, k * w) < min(high, (k + 1) * w)]
            for middle in sorted(middles, key=lambda m: abs(m - exit_x)):
                candidates += [(middle, y - 1.0, "middle"), (middle, y + 2.9, "middle")]
            candidates += [(exit_x + direction * 0.8, y - 1.0, far), (exit_x + direction * 0.8, y + 2.9, far),
                           (label_x, y - 3.0, anchor), (label_x, y + 4.9, anchor)]
            self.later_label(canvas, _("Tidak"), candidates)

    def return_in(self, target, side, text, number, taken, entries, border, inward):
        """The target's page: from a connector in its bottom room up the channel into its side."""
        canvas = self.canvases[target.page]
        page = self.pages[target.page]
        bottom = page[-1].top + page[-1].height
        entry_y = self.entry_y(target, side, entries)
        entry_x = self.side_x(target, side)
        conn_y = bottom - CONNECTOR_ROOM / 2 + 0.8
        channel = self.channel(taken.setdefault(target.page, []), border, inward, None, None, target, side,
                               entry_y, conn_y)
        conn_x = self.connector_x(target.page, channel, top=False)
        group = len(canvas.parts)
        canvas.offpage(conn_x, conn_y, text, "up", "return", "in")
        points = [(conn_x, conn_y - 3)]
        if abs(conn_x - channel) > 0.01:
            points += [(conn_x, conn_y - 4.6), (channel, conn_y - 4.6)]
        points += [(channel, entry_y), (entry_x, entry_y)]
        canvas.arrow(points, "right" if side == "left" else "left", "return-line")
        canvas.parts[group:] = [f'<g class="return" data-from="{number}" data-to="{target.step.number}">'
                                + "".join(canvas.parts[group:]) + "</g>"]

    def side_x(self, target, side):
        x, _y = self.centre(target)
        hw = self.half(target)[0]
        return x - hw if side == "left" else x + hw

    def entry_y(self, target, side, entries):
        count = entries.get((target.step.number, side), 0)
        entries[(target.step.number, side)] = count + 1
        offsets = [0, -2, 2, -1, 1]
        return self.centre(target)[1] + offsets[count % len(offsets)] * (self.half(target)[1] / 3.2)

    def channel(self, taken, border, inward, exit_x, direction, target, side, y_low, y_high):
        """A free vertical channel near ``border``: inside the target's column first."""
        low, high = min(y_low, y_high) - 1, max(y_low, y_high) + 1
        entry_x = self.side_x(target, side) if target is not None else None
        candidates = [border + inward * s for s in (1.6, 2.4)] + [border - inward * s for s in (1.4, 2.2)]
        candidates = [c for c in candidates if 0.6 < c < self.g.width - 0.6]
        for c in candidates:
            if entry_x is not None and abs(entry_x - c) < 2 * ARROW * 1.4:
                continue
            if exit_x is not None and direction * (c - exit_x) < 1.0:
                continue
            if any(abs(c - x) < 0.8 and low < hi and lo < high for x, lo, hi in taken):
                continue
            taken.append((c, low, high))
            return c
        fallback = candidates[0] if candidates else border
        taken.append((fallback, low, high))
        return fallback

    def connector_x(self, page_index, channel, *, top):
        """Where a return's connector sits in the page's top or bottom room: in the middle of the
        Pelaksana column nearest its channel (never astride a column border), clear of the
        forward connector and of the other connectors there."""
        page = self.pages[page_index]
        row = page[0] if top else page[-1]
        used = self.connector_places.setdefault((page_index, top), [])
        if not used and (page_index > 0 if top else page_index < len(self.pages) - 1):
            used.append(self.centre(row)[0])
        w = self.g.lane_width
        centres = sorted(((lane + 0.5) * w for lane in range(self.g.lane_count)),
                         key=lambda c: abs(c - channel))
        free = [c for c in centres if all(abs(c - x) > 7.5 for x in used)]
        place = free[0] if free else centres[0]
        used.append(place)
        return place


def flowchart_pages(sop, paper="A4", returns=None, *, budget_cut=0):
    """Per page of the Prosedur table: its rows and its flowchart SVG.

    Lays the table out once with WeasyPrint to measure it (see the module docstring).
    """
    paper = paper if paper in PAGE_SIZES else "A4"
    returns = review_returns(sop) if returns is None else returns
    columns = lanes(sop)
    geometry = Geometry(paper, len(columns))
    rows = build_rows(sop, columns, returns)
    with indonesian():
        heights, header = measure(sop, rows, columns, geometry)
        for row in rows:
            row.natural = round(heights[row.step.number] + 0.05, 2)
        budget = geometry.content_height - header - PAGE_SAFETY - budget_cut
        pages = paginate(rows, budget)
        svgs = Flowchart(pages, geometry, sop.steps[0].number, sop.steps[-1].number).draw()
    result = [{"rows": page, "svg": svg, "height": sum(row.height for row in page), "number": index}
              for index, (page, svg) in enumerate(zip(pages, svgs))]
    return columns, result


def prosedur_page_spans(document):
    """``{Prosedur page number: [printed page indexes]}`` of a laid-out document."""
    spans = {}
    for index, page in enumerate(document.pages):
        for box in _boxes(page._page_box):
            number = _element_attr(box, "data-prosedur-page")
            if number is not None:
                spans.setdefault(int(number), set()).add(index)
    return {number: sorted(found) for number, found in spans.items()}


def row_boxes(document):
    """``{step number: (printed page index, top mm, height mm)}`` of the Prosedur rows, and of the
    flowcharts ``{Prosedur page: (printed page index, top mm)}``: for checking the drawing."""
    rows, charts = {}, {}
    for index, page in enumerate(document.pages):
        for box in _boxes(page._page_box):
            step = _element_attr(box, "data-step")
            if step is not None and type(box).__name__ == "TableRowBox":
                rows[int(step)] = (index, box.position_y * MM_PER_PX, box.margin_height() * MM_PER_PX)
            chart = _element_attr(box, "data-flowchart")
            if chart is not None:
                charts.setdefault(int(chart), (index, box.position_y * MM_PER_PX))
    return rows, charts


def _date(value):
    return long_date(value) if value else DASH


def _province(name):
    name = (name or "").strip()
    return name if not name or name.lower().startswith("provinsi") else f"Provinsi {name}"


def sop_document(sop, organisation, *, paper="A4", version=1, returns=None, code=None):
    """The laid-out SOP document (a WeasyPrint ``Document``): ``render_sop_document`` before PDF."""
    paper = paper if paper in PAGE_SIZES else "A4"
    code = code or sop.short_code
    # The number this organisation gave a built-in SOP (set in the admin) replaces the seed's.
    identity = replace(sop.identity, nomor=organisation.sop_nomor(sop))
    cut = 0
    for _attempt in range(4):
        columns, pages = flowchart_pages(sop, paper, returns, budget_cut=cut)
        with indonesian():
            geometry = Geometry(paper, len(columns))
            width, height = PAGE_SIZES[paper]
            context = {
                **_table_context(columns, geometry),
                "sop": sop,
                "code": code,
                "identity": identity,
                "organisation": organisation,
                "final": True,
                "pages": pages,
                "page_height": height,
                "tanggal_pembuatan": _date(identity.tanggal_pembuatan),
                "tanggal_revisi": _date(identity.tanggal_revisi),
                "tanggal_efektif": _date(identity.tanggal_efektif),
                "revision": version if version and version > 1 else None,
                # Who signs: the organisation's own head (position, name, NIP). An authored version
                # may name the position; a built-in SOP's text is the origin agency's, not this one's.
                "head_title": (identity.disahkan_oleh if sop.authored else "") or organisation.head_title,
                "unit": (identity.unit if sop.authored else "") or organisation.unit_name,
                "government": _province(organisation.province_name),
            }
            title = _("SOP %(code)s · %(name)s") % {"code": code, "name": identity.nama}
            header_right = _("SOP %(code)s") % {"code": code}
            if version and version > 1:
                header_right = _("SOP %(code)s · versi %(version)s") % {"code": code, "version": version}
            document = render_document("reports/sop_document.html", context, title=title,
                                       header_left=organisation.name, header_right=header_right,
                                       subject=_("Dokumen Standar Operasional Prosedur %(name)s")
                                       % {"name": identity.nama})
        spans = prosedur_page_spans(document)
        if all(len(found) == 1 for found in spans.values()):
            return document
        cut += 6
    return document


def render_sop_document(sop, organisation, *, paper="A4", version=1, returns=None, code=None):
    """The SOP document of ``sop`` as run by ``organisation``: PDF bytes.

    ``code`` is the SOP's code as printed in the running header ("SOP ..."); by default the SOP's
    short code (for an authored SOP the code the organisation gave it, not its internal key
    ``u<id>``). ``version`` above 1 is printed beside the Tanggal Revisi.
    """
    document = sop_document(sop, organisation, paper=paper, version=version, returns=returns, code=code)
    return write_pdf(document)
