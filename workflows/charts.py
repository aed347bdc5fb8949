"""SVG charts as plain strings: the web dashboard and the PDF reports draw with the same code.

Pure functions, no Django and no JavaScript: WeasyPrint renders inline SVG, browsers too, and a
test can read the numbers back out of the markup. Colours and text are presentation attributes
(not CSS classes) so a chart looks the same pasted into any page. Every caller passes labels
already translated; numbers are written the Indonesian way (1.234,5) unless a formatter is given.
"""

import textwrap
from html import escape

PALETTE = ("#1f5f8b", "#e08a1e", "#3a8f5c", "#8e44ad", "#c0392b", "#5d6d7e")
REFERENCE_COLOUR = "#c0392b"
TEXT_COLOUR = "#263238"
GRID_COLOUR = "#d5dbe0"
FONT = 'font-family="Roboto, Arial, sans-serif"'
CHAR_WIDTH = 6.4  # average advance of a 12 px sans-serif character, for label room
LABEL_LIMIT = 38  # characters per label line; a longer label wraps, it is never cut
LINE_HEIGHT = 14  # px between the lines of a wrapped 12 px label


def format_number(value, decimals=None):
    """Digits in the active language's format: Indonesian thousands with '.', decimals with ','
    (reports render under Indonesian; an English page gets 1,234.5). Without ``decimals``, whole
    numbers get none and others up to two, trailing zeros dropped (1,25 · 2,5 · 3)."""
    if value is None:
        return "—"
    trim = decimals is None
    if trim:
        decimals = 0 if float(value).is_integer() else 2
    text = f"{value:,.{decimals}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    from django.utils.formats import get_format

    decimal, thousands = get_format("DECIMAL_SEPARATOR"), get_format("THOUSAND_SEPARATOR")
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def _text(x, y, content, size=12, anchor="start", weight="normal", colour=TEXT_COLOUR):
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
        f'fill="{colour}" {FONT}>{escape(str(content))}</text>'
    )


def _lines(label, limit=LABEL_LIMIT):
    """A label's lines: wrapped at spaces to ``limit`` characters, every word kept."""
    return textwrap.wrap(str(label), limit, break_long_words=False, break_on_hyphens=False) or [""]


def _label(x, y, label, size=12, anchor="end", limit=LABEL_LIMIT, line_height=LINE_HEIGHT):
    """A wrapped label whose lines are centred vertically on ``y`` (the baseline of one line)."""
    lines = _lines(label, limit)
    if len(lines) == 1:
        return _text(x, y, label, size=size, anchor=anchor)
    first = y - (len(lines) - 1) * line_height / 2
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{first + i * line_height:.1f}">{escape(line)}</tspan>' for i, line in enumerate(lines)
    )
    return (
        f'<text x="{x:.1f}" y="{first:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="normal" '
        f'fill="{TEXT_COLOUR}" {FONT}>{spans}</text>'
    )


def _label_room(labels):
    return min(LABEL_LIMIT, max((len(str(label)) for label in labels), default=4)) * CHAR_WIDTH + 16


def _svg(width, height, title, body):
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" role="img" style="max-width:100%;height:auto">'
        f"<title>{escape(str(title))}</title>{''.join(body)}</svg>"
    )


def _nice_max(value):
    """A round axis end at or above ``value`` (1, 2, 2.5, 5 × 10^n)."""
    if not value or value <= 0:
        return 1
    magnitude = 10 ** len(str(int(value))) / 10 if value >= 1 else 1
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _legend(items, x, y):
    parts, cursor = [], x
    for name, colour, shape in items:
        if shape == "line":
            parts.append(f'<line x1="{cursor}" y1="{y - 4}" x2="{cursor + 12}" y2="{y - 4}" stroke="{colour}" stroke-width="3"/>')
        else:
            parts.append(f'<rect x="{cursor}" y="{y - 10}" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(cursor + 16, y, name, size=11))
        cursor += 16 + CHAR_WIDTH * len(str(name)) + 18
    return parts


def hbar_chart(labels, series, reference=None, title="", value_format=None, reference_name="", width=720):
    """Grouped horizontal bars, one group per label.

    ``series``: ``[(name, [value per label]), ...]``; ``reference``: one value per label drawn as
    a red tick across the group (a step's time standard). ``None`` values draw no bar.
    """
    value_format = value_format or format_number
    reference = reference or []
    label_room = _label_room(labels)
    bar_height, gap, top = 12, 10, 34
    bars_height = bar_height * len(series) + gap
    # A wrapped label makes its group taller; the bars stay centred in it.
    group_heights = [max(bars_height, len(_lines(label)) * LINE_HEIGHT + gap) for label in labels]
    group_tops = [top + sum(group_heights[:index]) for index in range(len(labels))]
    plot_left, plot_right = label_room, width - 70
    height = top + sum(group_heights) + 30
    values = [value for _, row in series for value in row if value is not None]
    values += [value for value in reference if value is not None]
    axis_max = _nice_max(max(values, default=0))
    scale = (plot_right - plot_left) / axis_max

    body = _legend(
        [(name, PALETTE[i % len(PALETTE)], "bar") for i, (name, _) in enumerate(series)]
        + ([(reference_name, REFERENCE_COLOUR, "line")] if reference_name and reference else []),
        plot_left,
        16,
    )
    for tick in range(5):
        x = plot_left + (plot_right - plot_left) * tick / 4
        body.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 24}" stroke="{GRID_COLOUR}"/>')
        body.append(_text(x, height - 10, value_format(axis_max * tick / 4), size=10, anchor="middle"))
    for index, label in enumerate(labels):
        group_height = group_heights[index]
        body.append(_label(plot_left - 8, group_tops[index] + group_height / 2, label))
        y0 = group_tops[index] + (group_height - bars_height) / 2
        for s, (name, row) in enumerate(series):
            value = row[index]
            if value is None:
                continue
            y = y0 + s * bar_height
            w = max(value * scale, 0.5)
            body.append(
                f'<rect x="{plot_left:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar_height - 2}" '
                f'fill="{PALETTE[s % len(PALETTE)]}"><title>{escape(f"{label} · {name}: {value_format(value)}")}</title></rect>'
            )
            body.append(_text(plot_left + w + 4, y + bar_height - 3, value_format(value), size=10))
        if index < len(reference) and reference[index] is not None:
            x = plot_left + reference[index] * scale
            body.append(
                f'<line x1="{x:.1f}" y1="{y0 - 2:.1f}" x2="{x:.1f}" y2="{y0 + bars_height - gap + 2:.1f}" '
                f'stroke="{REFERENCE_COLOUR}" stroke-width="2.5"/>'
            )
    return _svg(width, height, title, body)


def line_chart(labels, series, title="", value_format=None, y_max=None, width=720, height=260):
    """Lines over ordered categories (periods). ``series``: ``[(name, [value or None, ...]), ...]``."""
    value_format = value_format or format_number
    left, right, top, bottom = 48, width - 40, 34, height - 42  # room for the centred end labels
    values = [value for _, row in series for value in row if value is not None]
    axis_max = y_max if y_max is not None else _nice_max(max(values, default=0))
    step = (right - left) / max(len(labels) - 1, 1)

    def point(index, value):
        return left + index * step, bottom - (bottom - top) * value / axis_max

    body = _legend([(name, PALETTE[i % len(PALETTE)], "line") for i, (name, _) in enumerate(series)], left, 16)
    for tick in range(5):
        y = bottom - (bottom - top) * tick / 4
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{GRID_COLOUR}"/>')
        body.append(_text(left - 6, y + 4, value_format(axis_max * tick / 4), size=10, anchor="end"))
    for index, label in enumerate(labels):
        body.append(_label(left + index * step, height - 22, label, size=10, anchor="middle", limit=12, line_height=11))
    for s, (name, row) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        points = [(i, point(i, value), value) for i, value in enumerate(row) if value is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for _, (x, y), _ in points)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        for i, (x, y), value in points:
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">'
                f"<title>{escape(f'{labels[i]} · {name}: {value_format(value)}')}</title></circle>"
            )
            body.append(_text(x, y - 8, value_format(value), size=10, anchor="middle"))
    return _svg(width, height, title, body)


def _heat_colour(value, maximum):
    if not value:
        return "#f4f6f7"
    share = value / maximum if maximum else 0
    # From pale amber to deep red as the count grows.
    red, green, blue = 253 - 60 * share, 220 - 170 * share, 150 - 120 * share
    return f"rgb({red:.0f},{green:.0f},{blue:.0f})"


def heatmap(row_labels, column_labels, matrix, title="", value_format=None, cell=34):
    """A count per (row, column) as coloured cells; ``matrix[row][column]``, 0/None is empty."""
    value_format = value_format or format_number
    label_room = _label_room(row_labels)
    top = 56
    width = label_room + cell * max(len(column_labels), 1) + 16
    row_heights = [max(cell, len(_lines(label)) * LINE_HEIGHT + 6) for label in row_labels]
    row_tops = [top + sum(row_heights[:index]) for index in range(len(row_labels))]
    height = top + sum(row_heights) + 10
    maximum = max((value or 0 for row in matrix for value in row), default=0)
    body = []
    for c, label in enumerate(column_labels):
        x = label_room + c * cell + cell / 2
        body.append(
            f'<text x="{x:.1f}" y="{top - 8}" font-size="10" fill="{TEXT_COLOUR}" {FONT} '
            f'transform="rotate(-45 {x:.1f} {top - 8})">{escape(str(label))}</text>'
        )
    for r, label in enumerate(row_labels):
        body.append(_label(label_room - 8, row_tops[r] + row_heights[r] / 2 + 4, label))
        y = row_tops[r] + (row_heights[r] - cell) / 2
        for c, value in enumerate(matrix[r]):
            x = label_room + c * cell
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{cell - 2}" height="{cell - 2}" '
                f'fill="{_heat_colour(value, maximum)}"><title>{escape(f"{label} · {column_labels[c]}: {value_format(value or 0)}")}</title></rect>'
            )
            if value:
                colour = "#ffffff" if maximum and value / maximum > 0.5 else TEXT_COLOUR
                body.append(_text(x + (cell - 2) / 2, y + cell / 2 + 3, value_format(value), size=11, anchor="middle", colour=colour))
    return _svg(width, height, title, body)


STEP_FILL = {"done": ("#e6f4ea", "#1e6b34"), "open": ("#fff4d6", "#7a5200"), "waiting": ("#f4f6f8", "#5d6d7e")}


def step_chart(steps, states, title="", width=640):
    """A SOP's steps top to bottom, each box coloured by its state ("done", "open", "waiting"),
    review steps marked with a diamond and their return drawn as an arrow back up to its target.

    ``steps``: objects with ``number``, ``title``, ``actor_label``, ``kind`` and ``return_to``;
    ``states``: {step number: state}. Labels wrap rather than being cut.
    """
    box_x, box_w, row_h, gap, top = 34, width - 150, 46, 20, 12
    lines_of = {}
    for step in steps:
        words, lines, line = f"{step.number}. {step.title}".split(), [], ""
        for word in words:
            if line and len(line) + 1 + len(word) > (box_w - 30) / 6.6:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        lines.append(line)
        lines_of[step.number] = lines
    body, y_of, y = [], {}, top
    for step in steps:
        height = max(row_h, 18 + 15 * len(lines_of[step.number]))
        y_of[step.number] = (y, height)
        y += height + gap
    total = y - gap + top
    marker = (
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#263238"/></marker></defs>'
    )
    body.append(marker)
    for index, step in enumerate(steps):
        y, height = y_of[step.number]
        fill, ink = STEP_FILL.get(states.get(step.number, "waiting"), STEP_FILL["waiting"])
        weight = "bold" if states.get(step.number) == "open" else "normal"
        body.append(
            f'<rect x="{box_x}" y="{y}" width="{box_w}" height="{height}" rx="{height / 2 if index in (0, len(steps) - 1) else 6}" '
            f'fill="{fill}" stroke="{ink}" stroke-width="{2 if weight == "bold" else 1}"/>'
        )
        if step.kind == "pemeriksaan":
            cx, cy = box_x - 16, y + height / 2
            body.append(f'<path d="M{cx},{cy - 9} L{cx + 9},{cy} L{cx},{cy + 9} L{cx - 9},{cy} z" fill="none" stroke="{ink}"/>')
        for number, line in enumerate(lines_of[step.number]):
            body.append(_text(box_x + 14, y + 17 + 15 * number, line, size=12, weight=weight, colour=ink))
        body.append(_text(box_x + box_w - 10, y + height - 7, step.actor_label, size=10, anchor="end", colour=ink))
        if index < len(steps) - 1:
            body.append(
                f'<line x1="{box_x + box_w / 2}" y1="{y + height}" x2="{box_x + box_w / 2}" y2="{y + height + gap - 1}" '
                'stroke="#263238" marker-end="url(#arrow)"/>'
            )
    lane = box_x + box_w
    for offset, step in enumerate(item for item in steps if item.return_to and item.return_to in y_of):
        source_y = y_of[step.number][0] + y_of[step.number][1] / 2
        target_y = y_of[step.return_to][0] + y_of[step.return_to][1] / 2
        x = lane + 22 + 18 * offset
        body.append(
            f'<path d="M{lane},{source_y} H{x} V{target_y} H{lane + 2}" fill="none" stroke="#a61b1b" '
            'stroke-dasharray="5 3" marker-end="url(#arrow)"/>'
        )
        body.append(_text(x + 4, (source_y + target_y) / 2, _label_return(), size=10, colour="#a61b1b"))
    return _svg(width, total, title, body)


def _label_return():
    from django.utils.translation import gettext as _

    return _("Tidak")
