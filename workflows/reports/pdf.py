"""HTML template -> PDF bytes with WeasyPrint, offline and self-contained.

Every resource a report needs (stylesheet, logo, charts) is inlined into the HTML, and the URL
fetcher accepts only ``data:`` URLs: rendering never touches the network or the file system
beyond the templates, so a crafted organisation name or logo setting cannot make the renderer
fetch anything.

Every PDF is written as PDF/A-3b (ISO 19005-3, level B): all fonts embedded, an sRGB output
intent, and XMP metadata (title, author = the agency, subject) matching the document information
dictionary, so an archived report still renders the same in decades. WeasyPrint's ``pdf/a-3b``
variant does the structure; ``describe`` fills in the metadata.
"""

import base64
import logging
import mimetypes
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

# WeasyPrint reports every layout step of every page at INFO ("Step 5 - Creating layout - Page
# 55"); with the project's INFO root logger that is hundreds of lines per report in the server log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "static" / "reports"
DEFAULT_LOGO = STATIC_DIR / "emblem.svg"
STYLESHEET = STATIC_DIR / "report.css"

# A4 in PDF points, for placing signature boxes on pages laid out in millimetres.
MM = 72 / 25.4
A4_WIDTH, A4_HEIGHT = 210 * MM, 297 * MM

# ISO 19005-3 level B: PDF 1.7, embedded fonts, sRGB output intent, XMP with pdfaid:part=3.
PDF_VARIANT = "pdf/a-3b"


@lru_cache(maxsize=8)
def _data_uri(path, mtime):
    data = Path(path).read_bytes()
    mime = mimetypes.guess_type(str(path))[0] or "application/octet-stream"
    if Path(path).suffix.lower() == ".svg":
        mime = "image/svg+xml"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def logo_data_uri():
    """The agency logo from ``SOPFLOW_LOGO_PATH`` (SVG, PNG or JPEG), or the shipped neutral emblem.

    A configured path that does not exist falls back to the emblem rather than failing a report
    the Kadis is waiting to sign.
    """
    configured = getattr(settings, "SOPFLOW_LOGO_PATH", None)
    path = Path(configured) if configured else DEFAULT_LOGO
    if not path.is_file():
        path = DEFAULT_LOGO
    return _data_uri(str(path), path.stat().st_mtime)


@lru_cache(maxsize=1)
def _stylesheet(mtime):
    return STYLESHEET.read_text(encoding="utf-8")


def stylesheet():
    return _stylesheet(STYLESHEET.stat().st_mtime)


def _fetcher():
    from weasyprint import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)


def render_document(template_name, context, *, title, header_left=None, header_right="", subject=None,
                    sop=None):
    """Lay out ``template_name`` in Indonesian: a WeasyPrint ``Document`` (pages, anchors).

    ``title`` becomes the PDF's title metadata; ``header_left``/``header_right`` the running
    header (the title by default). The author is the organisation of the context (the agency that
    issues the document); ``subject`` is its description, by default the kind of document and the
    SOP it belongs to (``sop``, or the one the context names). Callers build their context inside
    ``indonesian()`` too, so every label is Indonesian whatever language the officer's browser
    asked for.
    """
    from weasyprint import HTML

    with translation.override("id"):
        html = render_to_string(
            template_name,
            {
                "stylesheet": stylesheet(),
                "page_css": page_furniture(header_left or title, header_right),
                "logo": logo_data_uri(),
                "doc_title": title,
                **context,
            },
        )
        html_document = HTML(string=html, base_url="data:,", url_fetcher=_fetcher())
        document = html_document.render(pdf_variant=PDF_VARIANT)
        describe(document, title=title, author=_author(context),
                 subject=subject or document_subject(context, title, sop=sop))
    return document


def describe(document, *, title, author, subject):
    """Set the metadata WeasyPrint writes both to the information dictionary and to the XMP
    stream (dc:title, dc:creator, dc:description): the same values in both, as PDF/A requires."""
    document.metadata.title = str(title)
    document.metadata.authors = [str(author)] if author else []
    document.metadata.description = str(subject) if subject else None
    document.metadata.generator = "SOPFlow"
    return document


def _author(context):
    organisation = context.get("organisation")
    return getattr(organisation, "name", None) or None


def _sop_name(context, sop):
    """The SOP a document belongs to: ``sop`` (a catalogue ``Sop``) or what the context names."""
    sop = sop or context.get("sop")
    if sop is not None and getattr(sop, "name", None):
        return str(sop.name)
    if context.get("sop_name"):
        return str(context["sop_name"])
    process = context.get("process")
    catalogue = getattr(process, "catalogue", None) if process is not None else None
    return str(catalogue.name) if catalogue is not None else None


def document_subject(context, title, *, sop=None):
    """The PDF subject: the kind of document (the context's own ``title``, else the document's
    title) and, when known, the SOP it belongs to."""
    from django.utils.translation import gettext as _

    kind = str(context.get("subject") or context.get("title") or title)
    name = _sop_name(context, sop)
    if name and name not in kind:
        return _("%(kind)s — SOP %(sop)s") % {"kind": kind, "sop": name}
    return kind


def _finish(document, pdf):
    """Leave the producer to the XMP stream only (``pdf:Producer``).

    pyHanko, signing in an incremental update, appends itself to the information dictionary's
    /Producer but replaces the XMP one, and PDF/A requires the two to agree. With no /Producer in
    the dictionary, pyHanko writes the same value to both.
    """
    pdf.info.pop("Producer", None)


def write_pdf(document):
    """A laid-out ``Document`` as PDF/A-3b bytes.

    Only the glyphs used are embedded (``full_fonts=False``; a subset is an embedded font for
    PDF/A as long as it has every glyph the document shows): a self-contained, small file.
    """
    return document.write_pdf(pdf_variant=PDF_VARIANT, full_fonts=False, finisher=_finish)


def render_pdf(template_name, context, *, title, header_left=None, header_right="", subject=None, sop=None):
    """``render_document`` written out as PDF/A-3b bytes."""
    document = render_document(template_name, context, title=title, header_left=header_left,
                               header_right=header_right, subject=subject, sop=sop)
    return write_pdf(document)


def indonesian():
    """Context manager: official reports are Indonesian whatever the UI language is."""
    return translation.override("id")


def css_string(text):
    """``text`` as a quoted CSS string for generated content (running headers, footers).

    Escapes what could end the string or the ``<style>`` element, so an organisation name is
    always printed, never interpreted.
    """
    escaped = "".join(
        f"\\{ord(char):x} " if char in '"\\<>\n\r' else char for char in str(text)
    )
    return f'"{escaped}"'


def page_furniture(header_left, header_right=""):
    """CSS for the running header and the 'Halaman x dari y' footer, in the active language."""
    from django.utils.translation import gettext as _

    return (
        f"@page {{ @top-left {{ content: {css_string(header_left)}; }} "
        f"@top-right {{ content: {css_string(header_right)}; }} "
        f"@bottom-center {{ content: {css_string(_('Halaman') + ' ')} counter(page) "
        f"{css_string(' ' + _('dari') + ' ')} counter(pages); }} }}"
    )
