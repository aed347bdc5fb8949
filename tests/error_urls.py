"""The real URLs plus one view that fails, for the 500 page test."""

from django.urls import path

from sopflow.urls import urlpatterns as sopflow_urlpatterns


def broken(request):
    raise RuntimeError("NIK 3173010101010001 tidak valid")  # synthetic; must never reach the page


urlpatterns = [path("rusak/", broken), *sopflow_urlpatterns]
