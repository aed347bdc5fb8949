"""The public pages of the open aggregate data (no login): the index and each semester's files."""

import json

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.generic import TemplateView

from . import open_data


@method_decorator(login_not_required, name="dispatch")
class OpenDataIndexView(TemplateView):
    """Every published semester of every organisation, with its CSV and JSON."""

    template_name = "workflows/population/open_data_index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entries"] = open_data.catalogue_entries()
        context["threshold"] = open_data.threshold()
        return context


@method_decorator(login_not_required, name="dispatch")
class OpenDataFileView(View):
    """One semester of one organisation as CSV or JSON; 404 until its report is signed."""

    def get(self, request, organisation_pk, year, semester, fmt):
        year, semester = int(year), int(semester)
        process = open_data.published_process(int(organisation_pk), year, semester)
        if process is None:
            raise Http404
        data = open_data.dataset(process)
        name = f"data-agregat-kependudukan-{process.organisation.province_code}-{year}-s{semester}.{fmt}"
        if fmt == "json":
            response = HttpResponse(
                json.dumps(data, ensure_ascii=False, indent=1), content_type="application/json; charset=utf-8")
        else:
            response = HttpResponse(open_data.as_csv(data["data"]), content_type="text/csv; charset=utf-8")
            # The metadata travels in the JSON distribution; the CSV points to it.
            response["Link"] = f'<{data["metadata"]["distribusi"]["json"]}>; rel="describedby"; type="application/json"'
        response["Content-Disposition"] = f'inline; filename="{name}"'
        response["Access-Control-Allow-Origin"] = "*"
        return response
