"""The SOP authoring pages: an organisation's SOPs, the editor of a draft (identity block and
Prosedur table), and the actions on a SOP (publish, revise, retire) and its documents.

Every page belongs to the user's own organisation: another organisation's SOP answers 404, as
does any page for a user who is no officer. Reading is for every officer of the organisation;
writing is for its SOP administrators (``workflows.author_sop``), others get a 403 page. Editing
always works on the draft: a published version never changes ("Buat revisi" opens a new draft).
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, resolve, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import RedirectView
from viewflow.urls import Application

from workflows.catalogue import AUTHORED
from workflows.models import AuditEvent
from workflows.views.sop_pages import sop_page_sections
from workflows.permissions import AUTHOR_SOP

from .forms_editor import IdentityForm, step_formset, with_added_row
from .models import SopDefinition, SopVersion, audit

MENU_APP = "sop_organisasi"


def is_officer(user):
    return user.is_authenticated and hasattr(user, "officer")


def authored_applications():
    """The site menu's entry "SOP Organisasi": one link to the list of the organisation's SOPs.

    The pages themselves keep their own URLs (``workflows/authored/urls.py``); the entry's index
    only forwards there, and those pages show the site menu as if they were inside the entry.
    """
    return [
        Application(
            title=gettext_lazy("SOP Organisasi"),
            icon="library_books",
            app_name=MENU_APP,
            permission=is_officer,
            menu_template_name=None,
            urlpatterns=[path("", RedirectView.as_view(pattern_name="authored_list"), name="index")],
        )
    ]


def show_in_site_menu(request):
    """Give a page outside the viewflow Site the Site's menu, with "SOP Organisasi" current
    (what viewflow's resolver attaches to its own pages)."""
    match = request.resolver_match
    if match is None or getattr(match, "site", None) is not None:
        return
    try:
        extra = getattr(resolve(reverse(f"{MENU_APP}:index")).url_name, "extra", {})
    except NoReverseMatch:
        return
    for name in ("site", "app", "viewset"):
        if name in extra:
            setattr(match, name, extra[name])


def refused(request, message, status=403):
    return render(request, "403.html", {"message": message}, status=status)


class OrganisationSopView(View):
    """Base of the pages: the user's organisation, the SOP named in the URL, who may write."""

    author_only = False

    def dispatch(self, request, *args, **kwargs):
        officer = getattr(request.user, "officer", None)
        if officer is None:
            raise Http404
        self.organisation = officer.organisation
        self.definition = None
        if "pk" in kwargs:
            self.definition = get_object_or_404(
                SopDefinition.objects.select_related("organisation"), pk=kwargs["pk"], organisation=self.organisation
            )
        self.can_author = request.user.has_perm(AUTHOR_SOP)
        if self.author_only and not self.can_author:
            return refused(request, _(
                "Hanya administrator SOP organisasi Anda yang boleh menyusun, menerbitkan, merevisi atau "
                "menghentikan SOP. Minta administrator organisasi memberi Anda hak itu."
            ))
        show_in_site_menu(request)
        return super().dispatch(request, *args, **kwargs)

    def back_to_detail(self):
        return redirect("authored_detail", pk=self.definition.pk)


class SopListView(OrganisationSopView):
    def get(self, request):
        definitions = SopDefinition.objects.for_organisation(self.organisation).with_version_summary().order_by("code")
        from workflows.catalogue import REGISTRY

        return render(request, "workflows/authored/list.html", {
            "organisation": self.organisation, "definitions": definitions, "can_author": self.can_author,
            "builtins": REGISTRY,
        })


class DraftEditorView(OrganisationSopView):
    """The identity block and the Prosedur table of a draft, on one page."""

    author_only = True
    template_name = "workflows/authored/edit.html"

    def draft(self):
        return None

    def get(self, request, **kwargs):
        draft = self.draft()
        identity = IdentityForm(organisation=self.organisation, definition=self.definition,
                                instance=draft or SopVersion())
        steps = step_formset(self.organisation, version=draft, extra=2 if draft and draft.ordered_steps else 5)
        return self.page(identity, steps, draft)

    def post(self, request, **kwargs):
        draft = self.draft()
        identity = IdentityForm(request.POST, organisation=self.organisation, definition=self.definition,
                                instance=draft or SopVersion())
        if "add_row" in request.POST:
            steps = step_formset(self.organisation, data=with_added_row(request.POST), version=draft)
            return self.page(identity, steps, draft, show_errors=False)
        steps = step_formset(self.organisation, data=request.POST, version=draft)
        if not (identity.is_valid() and steps.is_valid()):
            return self.page(identity, steps, draft)
        try:
            with transaction.atomic():
                if draft is not None and not SopVersion.objects.select_for_update().filter(
                        pk=draft.pk, status=SopVersion.DRAFT).exists():
                    raise ValidationError("published meanwhile")
                version = identity.save(request.user)
                steps.save(version)
                audit(AuditEvent.Action.SOP_SAVE, request.user, version.definition,
                      _("%(steps)s langkah") % {"steps": len(version.ordered_steps)})
        except ValidationError:
            # Published by another administrator between this page's checks and the save.
            return self.page(identity, steps, None, show_errors=False, status=409, stale=True)
        except IntegrityError:
            # Another administrator took the same code or Nomor SOP a moment ago.
            identity.add_error(None, _("Kode SOP atau Nomor SOP baru saja dipakai SOP lain di organisasi ini; "
                                       "periksa lalu simpan lagi."))
            return self.page(identity, steps, draft)
        if version.problems():
            messages.warning(request, _("Draf tersimpan, tetapi belum dapat diterbitkan: perbaiki masalah yang "
                                        "tercantum di atas tabel Prosedur."))
        else:
            messages.success(request, _("Draf tersimpan dan siap diterbitkan."))
        return redirect("authored_edit", pk=version.definition_id)

    def page(self, identity, steps, draft, *, show_errors=True, status=200, stale=False):
        context = {
            "organisation": self.organisation, "definition": self.definition, "draft": draft,
            "identity": identity, "steps": steps, "show_errors": show_errors, "stale": stale,
            "problems": draft.problems() if draft is not None and not stale else [],
        }
        return render(self.request, self.template_name, context, status=status)


class SopCreateView(DraftEditorView):
    pass


class SopEditView(DraftEditorView):
    def draft(self):
        return self.definition.draft()

    def get(self, request, **kwargs):
        if self.definition.is_retired:
            messages.error(request, _("SOP ini sudah dihentikan; tidak dapat diubah lagi."))
            return self.back_to_detail()
        if self.draft() is None:
            messages.info(request, _("SOP ini tidak memiliki draf. Versi yang sudah terbit tidak dapat diubah; "
                                     "klik “Buat revisi” untuk menyusun versi berikutnya."))
            return self.back_to_detail()
        return super().get(request, **kwargs)

    def post(self, request, **kwargs):
        if self.definition.is_retired:
            messages.error(request, _("SOP ini sudah dihentikan; tidak dapat diubah lagi."))
            return self.back_to_detail()
        draft = self.draft()
        if draft is None or str(draft.pk) != request.POST.get("draft", ""):
            # The draft this page was opened on was published (or replaced) meanwhile: nothing is
            # stored, and the page shows what was typed so it can be carried into a new revision.
            identity = IdentityForm(request.POST, organisation=self.organisation, definition=self.definition,
                                    instance=SopVersion())
            steps = step_formset(self.organisation, data=request.POST)
            return self.page(identity, steps, None, show_errors=False, status=409, stale=True)
        return super().post(request, **kwargs)


class SopDetailView(OrganisationSopView):
    def get(self, request, pk):
        return self.detail_page()

    def detail_page(self, refusal=None, status=200):
        """The SOP's page; ``refusal`` says why an action was not done (shown above everything)."""
        definition = self.definition
        published = (
            definition.versions.filter(status=SopVersion.PUBLISHED)
            .select_related("published_by")
            .annotate(process_count=Count("processes"))
            .order_by("-number")
        )
        draft = definition.draft()
        latest = published[0] if published else None
        return render(self.request, "workflows/authored/detail.html", {
            "organisation": self.organisation, "definition": definition, "versions": published,
            "draft": draft, "problems": draft.problems() if draft is not None else [],
            "current": draft or latest, "latest": latest, "can_author": self.can_author, "refusal": refusal,
            "events": definition.audit_events.select_related("actor").order_by("-created", "-pk")[:50],
            **sop_page_sections(self.organisation, definition.key, self.request.user),
            "start_url": f"/{AUTHORED.url_prefix}/start/?sop={definition.pk}"
            if latest is not None and not definition.is_retired else None,
        }, status=status)


class SopActionView(SopDetailView):
    """A POST-only action on the SOP: done, it goes back to the SOP's page (with a notice);
    refused, the SOP's page says why (status 400) and nothing changed."""

    author_only = True
    http_method_names = ["post"]

    def post(self, request, pk):
        if self.definition.is_retired:
            return self.refuse(_("SOP ini sudah dihentikan; tidak ada lagi yang dapat diubah."))
        return self.act(request)

    def refuse(self, message):
        return self.detail_page(refusal=message, status=400)


class SopPublishView(SopActionView):
    def act(self, request):
        draft = self.definition.draft()
        if draft is None:
            return self.refuse(_("Tidak ada draf untuk diterbitkan."))
        try:
            version = draft.publish(request.user)
        except ValidationError:
            return self.refuse(_("SOP belum dapat diterbitkan: perbaiki dulu masalah draf yang tercantum di bawah."))
        messages.success(request, _("Versi %(number)s terbit. Proses baru memakai versi ini; proses yang sedang "
                                    "berjalan tetap memakai versinya sendiri.") % {"number": version.number})
        return self.back_to_detail()


class SopReviseView(SopActionView):
    def act(self, request):
        try:
            self.definition.open_draft(request.user)
        except ValidationError as error:
            return self.refuse(" ".join(error.messages))
        except IntegrityError:
            pass  # another administrator opened the draft at the same moment: edit that one
        return redirect("authored_edit", pk=self.definition.pk)


class SopRetireView(SopActionView):
    def act(self, request):
        if request.POST.get("confirm") != "1":
            return self.refuse(_("Centang “Saya yakin menghentikan SOP ini” untuk menghentikan SOP ini."))
        self.definition.retire(request.user)
        messages.success(request, _("SOP dihentikan: tidak dapat dimulai lagi. Proses yang sedang berjalan tetap "
                                    "diselesaikan dengan versinya."))
        return self.back_to_detail()


class SopDocumentView(OrganisationSopView):
    """The SOP document (Permenpan RB 35/2012 layout) of one published version, as PDF."""

    def get(self, request, pk, number):
        from workflows.reports.sop_document import render_sop_document

        version = get_object_or_404(self.definition.versions, number=number, status=SopVersion.PUBLISHED)
        pdf = render_sop_document(version.as_sop(), self.organisation, paper=settings.SOPFLOW_SOP_PAPER,
                                  version=version.number, code=self.definition.code)
        response = HttpResponse(pdf, content_type="application/pdf")
        filename = f"sop-{self.definition.code.lower()}-versi-{version.number}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
