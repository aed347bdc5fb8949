"""Report charts the shared chart module (``workflows.charts``) does not draw yet.

Same conventions as ``workflows.charts`` so the web dashboard can reuse them: pure functions
returning an SVG string, presentation attributes instead of CSS classes, labels passed in already
translated, numbers written the Indonesian way.
"""

import re
from html import escape

from workflows.charts import GRID_COLOUR, PALETTE, TEXT_COLOUR, format_number

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
    magnitude = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def population_pyramid(groups, male_label, female_label, title="", width=640, value_format=None):
    """Population pyramid: ``groups`` is ``[(label, male, female), ...]`` from the youngest group up.

    The youngest group is drawn at the bottom, men on the left and women on the right, both on
    one scale so the two sides compare honestly.
    """
    value_format = value_format or format_number
    bar, gap, top, bottom_room = 14, 3, 30, 34
    centre_room = 58
    height = top + (bar + gap) * len(groups) + bottom_room
    half = (width - centre_room) / 2 - 10
    centre_left, centre_right = 10 + half, 10 + half + centre_room
    largest = max((max(male, female) for _, male, female in groups), default=0)
    step = _nice_step(largest)
    axis_max = step * max(1, -(-largest // step)) if largest else 1
    scale = half / axis_max

    body = [
        _text(centre_left - 4, 16, male_label, size=12, anchor="end", weight="bold", colour=MALE_COLOUR),
        _text(centre_right + 4, 16, female_label, size=12, anchor="start", weight="bold", colour=FEMALE_COLOUR),
    ]
    axis_y = top + (bar + gap) * len(groups) + 4
    tick = 0
    while tick <= axis_max + 1e-9:
        for x in (centre_left - tick * scale, centre_right + tick * scale):
            body.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{axis_y}" stroke="{GRID_COLOUR}"/>')
            body.append(_text(x, axis_y + 14, value_format(tick), size=9, anchor="middle"))
        tick += step
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
