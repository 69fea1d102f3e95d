"""URLs of the respondent flow, included under /r/ by the root urlconf."""

from __future__ import annotations

from django.urls import path

from barometre.collection.respondent import positioning, views

app_name = "respondent"

urlpatterns = [
    path("accueil/", views.landing, name="landing"),
    path("questionnaire/<slug:theme_id>/", views.theme_page, name="page"),
    path("questionnaire/<slug:theme_id>/autosave/", views.autosave, name="autosave"),
    path("relecture/", views.review, name="review"),
    path("accuse-de-reception/", views.receipt, name="receipt"),
    path("accuse-de-reception.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("rouvrir/", views.reopen, name="reopen"),
    path("positionnement/", positioning.report, name="positioning"),
    path("positionnement/positionnement.css", positioning.stylesheet, name="positioning_css"),
    path("<str:token>/", views.open_link, name="link"),
]
