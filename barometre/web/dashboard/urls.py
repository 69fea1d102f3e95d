"""URLs of the public dashboard (mounted under /tableau-de-bord/)."""

from __future__ import annotations

from django.urls import path

from barometre.web.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.editions, name="editions"),
    path("composants.css", views.stylesheet, name="stylesheet"),
    path("positionnement/<str:token>/", views.private_positioning, name="positioning"),
    path(
        "operateur/positionnement/<str:code>/",
        views.operator_positioning,
        name="operator_positioning",
    ),
    path("<str:slug>/", views.overview, name="overview"),
    path("<str:slug>/theme/<str:theme_id>/", views.theme, name="theme"),
    path("<str:slug>/csv/<str:table>.csv", views.csv_table, name="csv"),
]
