"""Lembar Kendali Mutu Baku: one row per SOP step with who did it, when, against which standard."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Officer, Position
from ..roles import Role
from ..sla import SUPERVISOR_OF
from .formatting import DASH, full_moment, long_date, moment, number
from .pdf import indonesian, render_pdf


def _today(organisation):
    return timezone.localtime(timezone.now(), ZoneInfo(organisation.timezone)).date()


def _text(value, tz_name=None):
    if value is None or value == "":
        return DASH
    if isinstance(value, datetime):
        return full_moment(value, tz_name) if tz_name else moment(value)
    label = getattr(value, "label", None)  # a TextChoices member, e.g. SlaStatus
    return str(label if label is not None else value)


def normalise_row(row, sop=None, tz_name=None):
    """One control-sheet row as display strings.

    Accepts the documented dict (see ``render_control_sheet``) and also the rows of
    ``workflows.sla.control_sheet`` (which carry the catalogue ``step`` instead of number, title
    and actor); missing texts are taken from the SOP catalogue.
    """
    step = row.get("step")
    number_ = row.get("number") or (step.number if step is not None else None)
    if step is None and sop is not None and number_ is not None:
        step = next((item for item in sop.steps if item.number == number_), None)
    title = row.get("title") or (str(step.title) if step is not None and step.title else "")
    kegiatan = row.get("kegiatan") or (step.kegiatan if step is not None else "")
    actor = row.get("actor") or (step.actor_label if step is not None else "")
    people = row.get("actors") or ""
    status = row.get("status")
    return {
        "number": str(number_ or ""),
        "title": title or kegiatan,
        "kegiatan": kegiatan if title and kegiatan != title else "",
        "actor": actor,
        "people": people,
        "start": _text(row.get("start"), tz_name),
        "finish": _text(row.get("finish"), tz_name),
        "standard": _text(row.get("standard")),
        "actual": _text(row.get("actual")),
        "status": _text(status) if status not in (None, "") else _("belum dimulai"),
        "returns": number(row.get("returns") or 0),
    }


# Rank of the built-in positions, highest first: the sheet is acknowledged one level above the
# highest Pelaksana of the SOP's steps (the head of the agency when the Kadis is among them).
_RANKS = [{Role.KADIS}, {Role.KABID, Role.SEKRETARIAT}, {Role.KASI}, {Role.TIM, Role.ADB, Role.STAF}]


def supervisor(process):
    """Who acknowledges the control sheet: ``{"title", "name", "nip"}``; name and NIP are "" when
    the organisation's data does not know them (the sheet then leaves a line to sign on paper)."""
    organisation = process.organisation
    actors = {step.actor for step in process.catalogue.steps}
    top = next((rank for rank in _RANKS if rank & actors), {Role.KADIS})
    role = Role.KADIS if Role.KADIS in top else SUPERVISOR_OF[next(iter(top))]
    position = Position.objects.filter(organisation=organisation, role=role).first() if organisation.pk else None
    position_name = position.name if position is not None else str(Role(role).label)
    holders = []
    if position is not None:
        holders = list(
            Officer.objects.filter(organisation=organisation, user__is_active=True, roles__position=position)
            .select_related("user").distinct()[:2]
        )
    holder = holders[0] if len(holders) == 1 else None  # two holders: nobody can be named for sure
    if role == Role.KADIS:
        title = organisation.head_title or position_name
        name = organisation.head_name or (holder.display_name if holder else "")
        nip = organisation.head_nip if organisation.head_name else (holder.nip if holder else "")
    else:
        title, name, nip = position_name, holder.display_name if holder else "", holder.nip if holder else ""
    return {"title": title, "name": name, "nip": nip}


def control_sheet_context(process, rows, totals=None):
    sop = process.catalogue
    sheet_rows = [normalise_row(row, sop, process.organisation.timezone) for row in rows]
    totals = totals or {}
    return {
        "final": True,
        "organisation": process.organisation,
        "title": _("Lembar Kendali Mutu Baku"),
        "sop_name": sop.name,
        "sop_number": process.organisation.sop_nomor(sop) or _("belum bernomor"),
        "period": process.period_label,
        "process_number": process.pk or DASH,
        # An authored SOP: the version the process ran, and its case instead of a period.
        "version": (
            _("%(number)s (Tanggal Revisi %(date)s)") % {
                "number": sop.version_number, "date": long_date(sop.identity.tanggal_revisi) if sop.identity.tanggal_revisi else DASH}
            if sop.authored else ""
        ),
        "subject": process.authored.subject if getattr(process, "authored", None) is not None else "",
        "rows": sheet_rows,
        "total_standard": _text(totals.get("standard")),
        "total_actual": _text(totals.get("actual")),
        "total_returns": number(totals.get("returns", sum(int(row.get("returns") or 0) for row in rows))),
        "printed_on": long_date(_today(process.organisation)),
        "supervisor": supervisor(process),
    }


def render_control_sheet(process, rows, *, totals=None) -> bytes:
    """The control sheet of one process as a landscape A4 PDF.

    ``rows``: one dict per SOP step, in step order::

        {
            "number": 3,                      # SOP step number
            "title": "Pengolahan data",       # short step name (or "kegiatan": the full Kegiatan text)
            "kegiatan": "Melakukan ...",      # optional full Kegiatan text, printed under the title
            "actor": "Tim Pengolahan ...",    # Pelaksana as the SOP names it
            "actors": "Ani, Budi",            # optional: the officers who did the step
            "start": "3 Juli 2025 08.15 WIB",     # text, or an aware datetime (printed in Indonesian)
            "finish": "—",                    # idem; "—" while the step is open
            "standard": "7 hari",             # the step's Waktu (time standard) as text
            "actual": "5 hari 2 jam",         # working time used, as text
            "status": "Selesai tepat waktu",  # text or an SlaStatus member
            "returns": 1,                     # times the step was returned for correction
        }

    Rows of ``workflows.sla.control_sheet(process)["rows"]`` are accepted as they are. ``totals``
    (optional): ``{"standard": text, "actual": text, "returns": int}`` for the footer line.
    """
    with indonesian():
        context = control_sheet_context(process, rows, totals)
        title = f"{context['title']} — {context['sop_name']} — {context['period']}"
        return render_pdf("reports/control_sheet.html", context, title=title,
                          header_left=f"{context['title']} — {context['period']}",
                          header_right=process.organisation.short_name)
