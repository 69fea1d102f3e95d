"""URLs of the initiatives review queue (mounted under /operateur/initiatives/)."""

from __future__ import annotations

from django.urls import path

from barometre.web.initiatives_review import views

app_name = "initiatives_review"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:slug>/", views.queue, name="queue"),
    path("<str:slug>/reentrainer/", views.retrain_view, name="retrain"),
]
