"""URLs of the public dashboard (mounted under /tableau-de-bord/)."""

from __future__ import annotations

from django.urls import path

from barometre.web.dashboard import positioning_views, views

app_name = "dashboard"
urlpatterns = [
    path("", views.editions, name="editions"),
    path("composants.css", views.stylesheet, name="stylesheet"),
    path("positionnement/<str:token>/", positioning_views.private_positioning, name="positioning"),
    path(
        "positionnement/<str:token>/positionnement.css",
        positioning_views.private_positioning_css,
        name="positioning_css",
    ),
    path(
        "operateur/positionnement/<str:code>/",
        positioning_views.operator_positioning,
        name="operator_positioning",
    ),
    path(
        "operateur/positionnement/<str:code>/positionnement.css",
        positioning_views.operator_positioning_css,
        name="operator_positioning_css",
    ),
    path("<str:slug>/", views.overview, name="overview"),
    path("<str:slug>/theme/<str:theme_id>/", views.theme, name="theme"),
    path("<str:slug>/csv/<str:table>.csv", views.csv_table, name="csv"),
]
