"""``/api/v1/``: the endpoints, the OpenAPI 3 document and its Swagger UI (served from the
drf-spectacular-sidecar package's static files, never from a CDN)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views
from .errors import not_found

app_name = "api"


def api(view):
    # The API answers for itself (token or session, JSON 401): not the site's login redirect.
    return login_not_required(view)


urlpatterns = [
    path("", api(views.ApiRootView.as_view()), name="root"),
    path("schema/", api(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", api(SpectacularSwaggerView.as_view(url_name="api:schema")), name="docs"),
    path("sops/", api(views.SopListView.as_view()), name="sop-list"),
    path("sops/<str:key>/", api(views.SopDetailView.as_view()), name="sop-detail"),
    path("sops/<str:key>/versions/<int:number>/", api(views.SopVersionView.as_view()), name="sop-version"),
    path("processes/", api(views.ProcessListView.as_view()), name="process-list"),
    path("processes/<int:pk>/", api(views.ProcessDetailView.as_view()), name="process-detail"),
    path("processes/<int:pk>/audit/", api(views.ProcessAuditView.as_view()), name="process-audit"),
    path("tasks/", api(views.TaskListView.as_view()), name="task-list"),
    path("tasks/<int:pk>/", api(views.TaskDetailView.as_view()), name="task-detail"),
    path("tasks/<int:pk>/claim/", api(views.TaskClaimView.as_view()), name="task-claim"),
    path("tasks/<int:pk>/complete/", api(views.TaskCompleteView.as_view()), name="task-complete"),
    path("sla/", api(views.SlaFiguresView.as_view()), name="sla"),
    re_path(r"^.*$", api(not_found), name="not-found"),
]
