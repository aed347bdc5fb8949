"""The signature block of a document an officer signs at a step, and where its stamp goes.

``signature_block`` says who signs for the step's position: the position's name from the
organisation's data (or "Plh./Plt. <position>" for an acting officer), the officer's own name
and NIP, the place (``Organisation.signing_place``) and the day. A missing NIP is refused
before anything is signed (``SignatureError``): a signed document never prints a dotted NIP.

``render_signable`` lays a report out once to find the box its signature block reserves
(``SLOT_ID``, see templates/reports/includes/signature_block.html) and renders it with
``write_pdf``: the signer draws the visible stamp exactly into that box, on whatever page the
block fell.
"""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from ..signing import SignatureError
from .formatting import long_date
from .pdf import render_document, write_pdf

SLOT_ID = "tte-slot"
CSS_PX_TO_PT = 72 / 96


@dataclass(frozen=True)
class SignatureBlock:
    title: str
    name: str
    nip: str
    place: str
    day: date
    acting: bool = False

    @property
    def place_date(self):
        """'Padang, 1 Desember 2026'."""
        return f"{self.place}, {long_date(self.day)}"

    def as_context(self):
        return {"title": self.title, "name": self.name, "nip": self.nip, "place_date": self.place_date,
                "acting": self.acting}


def position_title(organisation, position_code):
    """The name the organisation gives the position ``position_code`` (its admin may rename it)."""
    from ..models import Position
    from ..roles import Role

    position = Position.objects.filter(organisation=organisation, code=position_code).first()
    if position is not None:
        return position.name
    return str(Role(position_code).label) if position_code in Role.values else position_code


def signature_block(user, task, organisation, position_code, day=None):
    """Who signs the document of ``task`` (a step of ``position_code``) as ``user``.

    Raises ``SignatureError`` when the officer's NIP is not in the organisation's data.
    """
    from ..models.acting import acting_for_task, local_day

    acting = acting_for_task(user, task)
    officer = getattr(user, "officer", None)
    name = user.get_full_name() or user.username
    nip = (officer.nip if officer is not None else "").strip()
    title = acting.signature_title() if acting is not None else position_title(organisation, position_code)
    if not nip:
        raise SignatureError(_(
            "NIP %(name)s belum tercatat pada data pegawai, sehingga blok tanda tangan %(title)s tidak lengkap; "
            "dokumen tidak ditandatangani. Minta admin organisasi mengisi NIP Anda, lalu tandatangani lagi."
        ) % {"name": name, "title": title})
    return SignatureBlock(title=title, name=name, nip=nip, place=organisation.signing_place,
                          day=day or local_day(organisation), acting=acting is not None)


def placement_of(document, anchor=SLOT_ID):
    """The signature stamp's placement (``workflows.signing.Placement`` dict) for the box with id
    ``anchor`` in a laid-out WeasyPrint ``document``: its page and its box in PDF points."""
    for index, page in enumerate(document.pages):
        box = page.anchors.get(anchor)
        if box:
            x1, y1, x2, y2 = box
            height = page.height
            return {"page": index, "box": (x1 * CSS_PX_TO_PT, (height - y2) * CSS_PX_TO_PT,
                                           x2 * CSS_PX_TO_PT, (height - y1) * CSS_PX_TO_PT)}
    raise SignatureError(_("Dokumen tidak memuat tempat tanda tangan; dokumen tidak ditandatangani."))


def render_signable(template_name, context, **options):
    """PDF bytes of a report with a signature block, and where the stamp goes in them."""
    document = render_document(template_name, context, **options)  # laid out once, written once
    return write_pdf(document), placement_of(document)
