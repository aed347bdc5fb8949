"""The shared SVG chart functions: well-formed, escaped, numbers written the Indonesian way."""

import xml.etree.ElementTree as ET

from workflows import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg):
    return ET.fromstring(svg)


def test_numbers_use_indonesian_separators():
    assert charts.format_number(1234567.891, 1) == "1.234.567,9"
    assert charts.format_number(0) == "0" and charts.format_number(None) == "—"
    assert [charts.format_number(v) for v in (1.25, 2.5, 3.0, 1250.5)] == ["1,25", "2,5", "3", "1.250,5"]


def test_bar_chart_draws_one_bar_per_value_and_a_standard_marker_per_step():
    svg = parse(charts.hbar_chart(
        ["A1. <Perintah> & tim", "A2. Tim"], [("Median", [1.5, None]), ("P90", [2.0, 3.25])],
        reference=[2, 2], reference_name="Waktu baku", title="Waktu & baku",
    ))
    bars = [rect for rect in svg.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    assert len(bars) == 3  # the missing median draws nothing
    texts = [text.text for text in svg.iter(f"{SVG}text")]
    assert "A1. <Perintah> & tim" in texts and "3,25" in texts
    assert svg.find(f"{SVG}title").text == "Waktu & baku"
    markers = [line for line in svg.iter(f"{SVG}line") if line.get("stroke") == charts.REFERENCE_COLOUR]
    assert len(markers) == 3  # two steps and the legend


def test_line_chart_skips_missing_points_and_heatmap_colours_only_non_empty_cells():
    line = parse(charts.line_chart(["TW I", "TW II", "TW III"], [("% tepat waktu", [80, None, 90.5])], y_max=100))
    assert len(list(line.iter(f"{SVG}circle"))) == 2
    heat = parse(charts.heatmap(["B2", "B3"], ["5 Jan", "12 Jan"], [[0, 3], [1, None]]))
    cells = [rect for rect in heat.iter(f"{SVG}rect")]
    assert len(cells) == 4
    assert sum(1 for rect in cells if rect.get("fill") != "#f4f6f7") == 2


def test_a_long_label_wraps_whole_and_is_never_cut():
    long = "Menyiapkan dan mengirimkan bahan LAKIP Bidang kepada Sekretariat untuk diperiksa kelengkapannya"
    for svg in (
        charts.hbar_chart([long, "Pendek"], [("Median", [3, 1])], reference=[4, 2]),
        charts.heatmap([long, "Pendek"], ["M1", "M2"], [[1, 0], [0, 2]]),
        charts.line_chart([long, "2026-T2"], [("Tepat waktu", [80, 90])]),
    ):
        root = ET.fromstring(svg)
        assert "…" not in svg
        texts = [" ".join("".join(node.itertext()).split()) for node in root.iter("{http://www.w3.org/2000/svg}text")]
        words = " ".join(
            " ".join(span.text for span in node.iter("{http://www.w3.org/2000/svg}tspan"))
            for node in root.iter("{http://www.w3.org/2000/svg}text")
        )
        assert long in words, texts  # every word, in order, over its lines
    hbar = ET.fromstring(charts.hbar_chart([long], [("Median", [3])]))
    spans = [span for span in hbar.iter("{http://www.w3.org/2000/svg}tspan")]
    assert len(spans) >= 3 and all(len(span.text) <= charts.LABEL_LIMIT for span in spans)
    # The group grew for its lines: the drawing is taller than a one-line label's.
    assert float(hbar.get("height")) > float(ET.fromstring(charts.hbar_chart(["Pendek"], [("Median", [3])])).get("height"))
