"""Review queue views: list the least certain predictions, store corrections, retrain the model."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from barometre.collection.models import audit
from barometre.collection.operator.access import require
from barometre.initiatives.classifier import ClassifierError
from barometre.initiatives.corpus import CorpusImportError
from barometre.initiatives.review import ReviewError, record_correction, retrain
from barometre.initiatives.taxonomy import TaxonomyError
from barometre.publish.numbers import count, number, percent
from barometre.web.initiatives_review.folders import folder_for, folder_lock, review_folders
from barometre.web.initiatives_review.forms import DecisionFormSet
from barometre.web.initiatives_review.queue import (
    DEFAULT_SIZE,
    MAX_SIZE,
    ReviewState,
    model_summary,
    review_state,
)

PREFIX = "revue"
FOLDER_ERRORS = (CorpusImportError, TaxonomyError, ClassifierError)


def _size(request: HttpRequest) -> int:
    """Queue length asked in `?taille=` (default 20, at most 200)."""
    try:
        size = int(request.GET.get("taille", DEFAULT_SIZE))
    except ValueError:
        return DEFAULT_SIZE
    return min(max(size, 1), MAX_SIZE)


def _formset(state: ReviewState, data=None, size: int = DEFAULT_SIZE) -> DecisionFormSet:
    """The decisions formset: bound to POST data, or initialised with the current queue."""
    kwargs = {"taxonomy": state.taxonomy, "known_ids": state.ids()}
    if data is not None:
        return DecisionFormSet(data, prefix=PREFIX, form_kwargs=kwargs)
    initial = [{"initiative": item["id"]} for item in state.items(size)]
    return DecisionFormSet(initial=initial, prefix=PREFIX, form_kwargs=kwargs)


def _rows(state: ReviewState, formset: DecisionFormSet) -> list[dict]:
    """Each form with the initiative it decides on (text, prediction, probabilities)."""
    by_id = {item["id"]: item for item in state.items(MAX_SIZE)}
    rows = []
    for position, form in enumerate(formset.forms, start=1):
        initiative = form["initiative"].value()
        item = by_id.get(initiative) or {"id": initiative, "title": initiative}
        rows.append({"form": form, "item": {**item, "position": position}})
    return rows


@require("view")
def index(request: HttpRequest) -> HttpResponse:
    """Edition folders with an initiatives corpus."""
    return render(
        request,
        "initiatives_review/index.html",
        {"folders": [slug for slug, _ in review_folders()], "nav": "initiatives"},
    )


@require_http_methods(["GET", "POST"])
@require("view")
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    """The review queue of one edition; POST (analyst, administrator) stores the decisions."""
    folder = folder_for(slug)
    can_correct = request.account.can("manage")
    try:
        state = review_state(folder)
    except FOLDER_ERRORS as exc:
        return render(
            request,
            "initiatives_review/queue.html",
            {"slug": slug, "folder_error": str(exc), "nav": "initiatives"},
            status=422,
        )
    size = _size(request)
    errors: list[str] = []
    if request.method == "POST":
        if not can_correct:
            raise PermissionDenied("Votre rôle ne permet pas de corriger les classements.")
        formset = _formset(state, request.POST)
        if formset.is_valid():
            decisions = formset.decisions()
            if not decisions:
                messages.info(
                    request, "Aucune décision : choisissez un domaine pour au moins une initiative."
                )
                return redirect(request.get_full_path())
            try:
                with folder_lock(folder):
                    for initiative, domain in decisions:
                        record_correction(
                            folder.corrections_file,
                            initiative,
                            domain,
                            state.taxonomy,
                            request.user.get_username(),
                        )
            except ReviewError as exc:
                errors = [str(exc)]
            else:
                audit(
                    "initiatives_correction",
                    actor=request.user,
                    edition=slug,
                    corrections=[{"id": i, "domaine": d} for i, d in decisions],
                )
                messages.success(request, f"{count(len(decisions))} décision(s) enregistrée(s).")
                return redirect(request.get_full_path())
        else:
            errors = formset.error_summary(state.titles())
    else:
        formset = _formset(state, size=size)
    return render(
        request,
        "initiatives_review/queue.html",
        {
            "slug": slug,
            "nav": "initiatives",
            "can_correct": can_correct,
            "formset": formset,
            "rows": _rows(state, formset),
            "errors": errors,
            "counts": state.counts(),
            "model": model_summary(state.classifier),
            "domains": state.taxonomy.domains,
            "size": size,
            "recent": state.recent_corrections(),
        },
        status=422 if errors else 200,
    )


@require_POST
@require("manage")
def retrain_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Retrain on the corpus's labels, the corrections and the shipped examples; save the model."""
    folder = folder_for(slug)
    try:
        model = retrain(folder.corpus(), folder.corrections_file, folder.taxonomy())
    except FOLDER_ERRORS as exc:
        messages.error(request, f"Réentraînement impossible : {exc}")
        return redirect(reverse("initiatives_review:queue", args=[slug]))
    model.save(folder.model_file)
    scores = model.scores
    audit(
        "initiatives_retrain",
        actor=request.user,
        edition=slug,
        examples=model.n_examples,
        accuracy=scores.accuracy,
        macro_f1=scores.macro_f1,
    )
    messages.success(
        request,
        f"Modèle réentraîné sur {count(model.n_examples)} exemples. Validation croisée "
        f"({count(scores.folds)} plis) : exactitude {percent(scores.accuracy, 1)}, "
        f"F1 macro {number(scores.macro_f1, 3)}.",
    )
    return redirect(reverse("initiatives_review:queue", args=[slug]))
