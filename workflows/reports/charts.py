"""Report charts the shared chart module (``workflows.charts``) does not draw yet.

Same conventions as ``workflows.charts`` so the web dashboard can reuse them: pure functions
returning an SVG string, presentation attributes instead of CSS classes, labels passed in already
translated, numbers written the Indonesian way.
"""

import math
import re
from html import escape

from workflows.charts import GRID_COLOUR, PALETTE, REFERENCE_COLOUR, TEXT_COLOUR, format_number

FONT = 'font-family="DejaVu Sans, Roboto, Arial, sans-serif"'
MALE_COLOUR, FEMALE_COLOUR = PALETTE[0], PALETTE[1]


def _text(x, y, content, size=11, anchor="start", weight="normal", colour=TEXT_COLOUR):
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
        f'fill="{colour}" {FONT}>{escape(str(content))}</text>'
    )


def _svg(width, height, title, body):
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" role="img" style="max-width:100%;height:auto">'
        f"<title>{escape(str(title))}</title>{''.join(body)}</svg>"
    )


def _nice_step(maximum, ticks=4):
    """A round tick step so that ``ticks`` steps cover ``maximum``."""
    if maximum <= 0:
        return 1
    raw = maximum / ticks
    magnitude = 10 ** math.floor(math.log10(raw))  # 0.5 -> 0.1, 37 -> 10, 4200 -> 1000
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


CHAR_EM = 0.6  # average advance of a DejaVu Sans character, in font sizes, for label room


def _text_width(text, size):
    return len(str(text)) * size * CHAR_EM


def _ticks(low, high, step):
    tick, ticks = low, []
    while tick <= high + 1e-9:
        ticks.append(round(tick, 6))
        tick += step
    return ticks


def population_pyramid(groups, male_label, female_label, title="", width=640, value_format=None,
                       axis_label="", centre_label=""):
    """Population pyramid: ``groups`` is ``[(label, male, female), ...]`` from the youngest group up.

    The youngest group is drawn at the bottom, men on the left and women on the right, both on
    one scale so the two sides compare honestly. The sides are named above the bars, the age
    groups sit between them, and the count axis (``axis_label``, with its unit) runs below; the
    outermost tick labels keep inside the drawing, so "150.000" is never cut to "50.000".
    """
    value_format = value_format or format_number
    bar, gap, top = 14, 3, 34
    bottom_room = 44 if axis_label else 30
    centre_room = 58
    largest = max((max(male, female) for _, male, female in groups), default=0)
    step = _nice_step(largest)
    axis_max = step * max(1, -(-largest // step)) if largest else 1
    side = _text_width(value_format(axis_max), 9) / 2 + 4  # room for half the widest tick label
    height = top + (bar + gap) * len(groups) + bottom_room
    half = (width - centre_room) / 2 - side
    centre_left, centre_right = side + half, side + half + centre_room
    scale = half / axis_max

    body = [
        _text(side, 18, f"◀ {male_label}", size=12, anchor="start", weight="bold", colour=MALE_COLOUR),
        _text(width - side, 18, f"{female_label} ▶", size=12, anchor="end", weight="bold", colour=FEMALE_COLOUR),
        _text((centre_left + centre_right) / 2, 18, centre_label, size=10, anchor="middle", weight="bold"),
    ]
    axis_y = top + (bar + gap) * len(groups) + 4
    for tick in _ticks(0, axis_max, step):
        for x in (centre_left - tick * scale, centre_right + tick * scale):
            body.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{axis_y}" stroke="{GRID_COLOUR}"/>')
            body.append(_text(x, axis_y + 14, value_format(tick), size=9, anchor="middle"))
    if axis_label:
        body.append(_text(width / 2, axis_y + 32, axis_label, size=10, anchor="middle"))
    for index, (label, male, female) in enumerate(reversed(groups)):
        y = top + index * (bar + gap)
        male_width, female_width = male * scale, female * scale
        body.append(
            f'<rect x="{centre_left - male_width:.1f}" y="{y:.1f}" width="{max(male_width, 0.5):.1f}" '
            f'height="{bar}" fill="{MALE_COLOUR}"><title>{escape(f"{label} · {male_label}: {value_format(male)}")}</title></rect>'
        )
        body.append(
            f'<rect x="{centre_right:.1f}" y="{y:.1f}" width="{max(female_width, 0.5):.1f}" '
            f'height="{bar}" fill="{FEMALE_COLOUR}"><title>{escape(f"{label} · {female_label}: {value_format(female)}")}</title></rect>'
        )
        body.append(_text((centre_left + centre_right) / 2, y + bar - 3, label, size=10, anchor="middle"))
    return _svg(width, height, title, body)


def bar_chart(labels, series, *, title="", axis_label="", value_format=None, tick_format=None, baseline=0,
              reference=None, reference_name="", width=680, bar=12):
    """Horizontal bars for a print page: one row per label, one bar per series (with a legend when
    there are several), value labels at the bar ends, a count axis with ``axis_label`` (unit
    included) below, and whole labels (the label column is as wide as the longest one).

    ``baseline``: where bars start; a sex ratio starts at 100 so that bars show the difference
    from balance (a bar to the left is below 100) and the scale spans only the values there are.
    ``reference``: one value drawn as a red line across the rows (the province), named in the legend.
    """
    value_format = value_format or format_number
    tick_format = tick_format or value_format
    values = [value for _name, data in series for value in data if value is not None]
    label_room = max((_text_width(label, 10) for label in labels), default=0) + 10
    if baseline:
        reach = max((abs(value - baseline) for value in values + ([reference] if reference else [])), default=1)
        step = _nice_step(reach, ticks=2)
        low, high = baseline - step * max(1, -(-reach // step)), baseline + step * max(1, -(-reach // step))
    else:
        step = _nice_step(max(values, default=0))
        low, high = 0, step * max(1, -(-max(values, default=0) // step)) if values else 1
    value_room = _text_width(value_format(high), 9) + 8
    edge = _text_width(tick_format(high), 9) / 2 + 4
    left, right = label_room, width - max(value_room, edge)
    scale = (right - left) / (high - low)
    legend = len(series) > 1 or reference is not None
    top = 26 if legend else 8
    row = bar * len(series) + 8
    axis_y = top + row * len(labels)
    height = axis_y + (40 if axis_label else 24)

    def x_of(value):
        return left + (min(max(value, low), high) - low) * scale

    body = []
    if legend:
        x = left
        for index, (name, _data) in enumerate(series):
            colour = PALETTE[index % len(PALETTE)]
            body.append(f'<rect x="{x:.1f}" y="6" width="11" height="11" fill="{colour}"/>')
            body.append(_text(x + 15, 15, name, size=10))
            x += 30 + _text_width(name, 10)
        if reference is not None:
            body.append(f'<line x1="{x:.1f}" y1="11.5" x2="{x + 14:.1f}" y2="11.5" stroke="{REFERENCE_COLOUR}" stroke-width="2"/>')
            body.append(_text(x + 18, 15, f"{reference_name} ({value_format(reference)})", size=10))
    for tick in _ticks(low, high, step):
        x = x_of(tick)
        colour = TEXT_COLOUR if baseline and tick == baseline else GRID_COLOUR
        body.append(f'<line x1="{x:.1f}" y1="{top - 2}" x2="{x:.1f}" y2="{axis_y}" stroke="{colour}"/>')
        body.append(_text(x, axis_y + 13, tick_format(tick), size=9, anchor="middle"))
    if axis_label:
        body.append(_text((left + right) / 2, axis_y + 31, axis_label, size=10, anchor="middle"))
    for index, label in enumerate(labels):
        y = top + index * row + 4
        body.append(_text(label_room - 6, y + row / 2 - 1, label, size=10, anchor="end"))
        for position, (name, data) in enumerate(series):
            value = data[index]
            if value is None:
                continue
            start, end = sorted((x_of(baseline), x_of(value)))
            colour = PALETTE[position % len(PALETTE)]
            bar_y = y + position * bar
            body.append(
                f'<rect x="{start:.1f}" y="{bar_y:.1f}" width="{max(end - start, 0.5):.1f}" height="{bar - 2}" '
                f'fill="{colour}"><title>{escape(f"{label} · {name}: {value_format(value)}")}</title></rect>'
            )
            body.append(_text(max(end, x_of(baseline)) + 3, bar_y + bar - 4, value_format(value), size=9))
    if reference is not None:
        x = x_of(reference)
        body.append(f'<line x1="{x:.1f}" y1="{top - 2}" x2="{x:.1f}" y2="{axis_y}" stroke="{REFERENCE_COLOUR}" stroke-width="1.5"/>')
    return _svg(width, height, title, body)


def share_bar(part, whole, part_label, rest_label, title="", width=640, value_format=None):
    """One 100% bar split into ``part`` and the rest of ``whole``, with counts and percentages."""
    value_format = value_format or format_number
    left, right, y, bar = 10, width - 10, 30, 26
    span = right - left
    fraction = part / whole if whole else 0
    split = left + span * fraction
    body = [
        f'<rect x="{left}" y="{y}" width="{span:.1f}" height="{bar}" fill="{GRID_COLOUR}"/>',
        f'<rect x="{left}" y="{y}" width="{max(split - left, 0):.1f}" height="{bar}" fill="{PALETTE[2]}"/>',
        _text(left, 20, f"{part_label}: {value_format(part)} ({format_number(fraction * 100, 1)}%)",
              size=11, weight="bold", colour=PALETTE[2]),
        _text(right, 20, f"{rest_label}: {value_format(max(whole - part, 0))}", size=11, anchor="end"),
    ]
    for tick in range(0, 101, 25):
        x = left + span * tick / 100
        body.append(f'<line x1="{x:.1f}" y1="{y + bar}" x2="{x:.1f}" y2="{y + bar + 5}" stroke="{TEXT_COLOUR}"/>')
        body.append(_text(x, y + bar + 17, f"{tick}%", size=9, anchor="middle"))
    return _svg(width, y + bar + 24, title, body)


_ROOT_SIZE = re.compile(r'\s(?:width|height|style)="[^"]*"')
_VIEWBOX = re.compile(r'viewBox="0 0 ([\d.]+) ([\d.]+)"')


def fit(svg, width_mm, max_height_mm=None):
    """Give a chart explicit millimetre dimensions that keep its viewBox's proportions.

    The charts carry pixel sizes and ``height:auto`` for browsers; WeasyPrint sizes an inline SVG
    box from those and centres the drawing in it, leaving blank bands that push charts onto their
    own pages. A chart wider than tall enough stays ``width_mm`` wide; a tall one is narrowed to
    ``max_height_mm``.
    """
    end = svg.index(">")
    root, rest = svg[:end], svg[end:]
    match = _VIEWBOX.search(root)
    if not match:
        return svg
    view_width, view_height = float(match.group(1)), float(match.group(2))
    width = width_mm
    height = width * view_height / view_width
    if max_height_mm and height > max_height_mm:
        width, height = width * max_height_mm / height, max_height_mm
    root = _ROOT_SIZE.sub("", root)
    return f'{root} width="{width:.1f}mm" height="{height:.1f}mm"{rest}'
