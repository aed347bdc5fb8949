"""Who signs for the head of an organisation, as the organisation's own data knows them.

The printed signature block (approval pages, forewords) names the position, the person and the
NIP. They come from the organisation's data in the admin: the head's title, name and NIP on the
Organisation, else the one active officer who holds the head's position (Kepala Dinas). When the
signer acts for the position (a Plh/Plt appointment, ``workflows.models.acting``) the block says
"Plh. <jabatan>" with the acting officer's own name and NIP.
"""

from django.utils.translation import gettext as _

from workflows.roles import Role


def _officer_of(user, organisation):
    officer = getattr(user, "officer", None) if user is not None else None
    if officer is None or officer.organisation_id != organisation.pk:
        return None
    return officer


def _sole_head_holder(organisation):
    from workflows.models import Officer

    if organisation.pk is None:
        return None
    holders = list(
        Officer.objects.filter(organisation=organisation, user__is_active=True, roles__position__role=Role.KADIS)
        .select_related("user").distinct()[:2]
    )
    return holders[0] if len(holders) == 1 else None  # two holders: nobody can be named for sure


def head_signatory(organisation, user=None, acting=None):
    """``{"title", "name", "nip", "acting"}`` of whoever signs for the head.

    ``user``: the person who signs (step 6), ``acting``: their Plh/Plt appointment for the head's
    position, if any. Without ``user`` (a report rendered ahead of signing) the head as the
    organisation's data names them. Name and NIP are "" when the data does not know them.
    """
    title = organisation.head_title or str(Role(Role.KADIS).label)
    if acting is not None:
        officer = acting.officer
        return {"title": acting.signature_title(), "name": officer.display_name, "nip": officer.nip.strip(),
                "acting": True}
    officer = _officer_of(user, organisation) if user is not None else _sole_head_holder(organisation)
    name = organisation.head_name.strip() or (officer.display_name if officer else "")
    nip = organisation.head_nip.strip() or (officer.nip.strip() if officer else "")
    return {"title": title, "name": name, "nip": nip, "acting": False}


def missing_details(signatory):
    """The Indonesian message that says what to fill in before ``signatory`` can sign, or ""."""
    if signatory["acting"]:
        where = _("isi NIP pada data pegawai Plh/Plt tersebut (Admin › Pegawai)")
    else:
        where = _("isi NIP pimpinan pada data organisasi (Admin › Organisasi) atau NIP pada data pegawai "
                  "pemegang jabatan (Admin › Pegawai)")
    missing = []
    if not signatory["name"]:
        missing.append(_("nama"))
    if not signatory["nip"]:
        missing.append(_("NIP"))
    if not missing:
        return ""
    return _("Laporan belum dapat ditandatangani: %(fields)s %(title)s belum tercatat; %(where)s, lalu "
             "tandatangani lagi.") % {"fields": _(" dan ").join(missing), "title": signatory["title"], "where": where}
