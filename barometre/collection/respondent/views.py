"""Respondent views: link, landing, theme pages, autosave, review, submit, receipt (HTML and PDF)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from barometre.collection.models import ActiveLink, Campaign, Invitation, Response
from barometre.collection.respondent.access import (
    SESSION_KEY,
    bind_session,
    contributor_label,
    invalid_link,
    quiet,
    respondent_view,
    same_link,
    stored_answers,
)
from barometre.collection.respondent.answering import (
    REQUIRED_INPUT_MESSAGE,
    REQUIRED_MESSAGE,
    answer_label,
    missing_answers,
    parse_page,
    relevant_question_ids,
)
from barometre.collection.respondent.autosaving import (
    AutosaveState,
    autosave_state,
    forget_state,
    remember_state,
    remembered_state,
    state_questionnaire,
)
from barometre.collection.respondent.editing import (
    EditConflict,
    changed_values,
    parse_base,
    save_changes,
)
from barometre.collection.respondent.pages import (
    QuestionView,
    ThemeProgress,
    page_themes,
    stored_as_posted,
)
from barometre.collection.respondent.positioning import own_report
from barometre.collection.respondent.questionnaires import edition_questionnaire
from barometre.collection.services import (
    GuardFailed,
    ResponseLocked,
    StaleVersion,
    reopen_response,
    resolve_token,
    submit_response,
)
from barometre.questionnaire.model import Questionnaire, Theme

CONFLICT_MESSAGE = (
    "Une autre personne de votre collectivité a modifié entre-temps certaines des mêmes réponses. "
    "Vos saisies n'ont pas été enregistrées pour ces questions : comparez-les avec la valeur "
    "enregistrée indiquée sous chaque question, puis enregistrez à nouveau pour garder les vôtres, "
    "ou rechargez la page pour reprendre la version enregistrée."
)
LOCKED_MESSAGE = "Vos réponses ont déjà été transmises : elles ne peuvent plus être modifiées."
REQUIRED_MESSAGES = {REQUIRED_MESSAGE, REQUIRED_INPUT_MESSAGE}


def _context(invitation: Invitation, response: Response) -> dict[str, Any]:
    """What every respondent page shows: collectivité, campaign, questionnaire, pages."""
    campaign = invitation.target.campaign
    questionnaire = edition_questionnaire(campaign.edition)
    answers = stored_answers(response)
    themes = page_themes(questionnaire, campaign, answers)
    deadline = invitation.expires_at or campaign.closes_at
    return {
        "invitation": invitation,
        "target": invitation.target,
        "campaign": campaign,
        "questionnaire": questionnaire,
        "response": response,
        "answers": answers,
        "themes": themes,
        "theme_ids": [theme.id for theme in themes],
        "progress": ThemeProgress(questionnaire, answers, themes),
        "deadline": deadline,
        "editable": response.status != Response.Status.COMPLETE,
        "can_reopen": (
            response.status == Response.Status.COMPLETE
            and campaign.allow_reopen
            and campaign.is_open
        ),
    }


def open_link(request: HttpRequest, token: str) -> HttpResponse:
    """Exchange a private link for a session, then redirect to a token-free URL."""
    invitation = resolve_token(token)
    if invitation is None:
        return invalid_link(request)
    bind_session(request, invitation)
    return quiet(redirect("respondent:landing"))


@require_GET
@respondent_view
def landing(request: HttpRequest, invitation: Invitation, response: Response) -> HttpResponse:
    """Landing page: who answers, until when, privacy notice and who sees what."""
    context = _context(invitation, response)
    context["privacy_notice"] = getattr(settings, "BAROMETRE_PRIVACY_NOTICE", "")
    context["min_cell_size"] = getattr(settings, "BAROMETRE_MIN_CELL_SIZE", 5)
    context["has_positioning"] = own_report(invitation) is not None
    context["answered_count"] = len([v for v in context["answers"].values() if v != ""])
    missing = missing_answers(context["questionnaire"], context["answers"], context["theme_ids"])
    themes: list[Theme] = context["themes"]
    context["resume_theme"] = next(
        (t for t in themes if any(q.id in missing for q in t.questions)),
        themes[0] if themes else None,
    )
    return render(request, "collection/respondent/landing.html", context)


def _question_views(
    questionnaire: Questionnaire,
    theme: Theme,
    values: dict[str, list[str]],
    relevant: set[str],
    errors: dict[str, str],
    conflicts: dict[str, str] | None = None,
) -> list[QuestionView]:
    """Display data of every question of a page (non-relevant ones are rendered hidden)."""
    conflicts = conflicts or {}
    return [
        QuestionView(
            question=question,
            shown=question.id in relevant,
            values=values.get(question.id, []),
            error=errors.get(question.id, "") if question.id in relevant else "",
            conflict_value=conflicts.get(question.id),
        )
        for question in theme.questions
    ]


def _render_page(
    request: HttpRequest,
    context: dict[str, Any],
    theme: Theme,
    values: dict[str, list[str]],
    errors: dict[str, str],
    *,
    version: int,
    base: dict[str, str],
    conflicts: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render one theme page with its values, errors and conflicts."""
    questionnaire: Questionnaire = context["questionnaire"]
    themes: list[Theme] = context["themes"]
    index = [t.id for t in themes].index(theme.id)
    answers = context["answers"]
    relevant = relevant_question_ids(questionnaire, answers, [theme.id])
    questions = _question_views(questionnaire, theme, values, relevant, errors, conflicts)
    context.update(
        {
            "theme_obj": theme,
            "page_number": index + 1,
            "page_count": len(themes),
            "previous_theme": themes[index - 1] if index > 0 else None,
            "next_theme": themes[index + 1] if index + 1 < len(themes) else None,
            "questions": questions,
            "error_questions": [q for q in questions if q.shown and q.error],
            "conflict": bool(conflicts),
            "conflict_message": CONFLICT_MESSAGE,
            "version": version,
            "base_json": json.dumps(base, ensure_ascii=False),
            "field_ids": " ".join(q.id for q in theme.questions),
            "autosave_url": reverse("respondent:autosave", args=[theme.id]),
        }
    )
    return render(request, "collection/respondent/page.html", context, status=status)


def _find_theme(context: dict[str, Any], theme_id: str) -> Theme | None:
    """The page theme with this id, if the respondent may answer it now."""
    return next((t for t in context["themes"] if t.id == theme_id), None)


def _posted(request: HttpRequest, theme: Theme) -> tuple[dict[str, list[str]], list[str]]:
    """Posted values of a page and the ids of the questions the post covers."""
    fields = request.POST.get("fields", "").split()
    own = {q.id for q in theme.questions}
    covered = [qid for qid in fields if qid in own] if fields else [q.id for q in theme.questions]
    return {qid: request.POST.getlist(qid) for qid in covered}, covered


@require_http_methods(["GET", "POST"])
@respondent_view
def theme_page(
    request: HttpRequest, invitation: Invitation, response: Response, theme_id: str
) -> HttpResponse:
    """One questionnaire page (a theme): show it, or save it and go on."""
    context = _context(invitation, response)
    if not context["editable"]:
        return redirect("respondent:receipt")
    theme = _find_theme(context, theme_id)
    if theme is None:
        return redirect("respondent:landing")
    questionnaire: Questionnaire = context["questionnaire"]
    stored: dict[str, str] = context["answers"]
    if request.method == "GET":
        values = {q.id: stored_as_posted(q, stored.get(q.id)) for q in theme.questions}
        base = {q.id: stored.get(q.id, "") for q in theme.questions}
        return _render_page(
            request, context, theme, values, {}, version=response.version, base=base
        )

    posted, covered = _posted(request, theme)
    action = request.POST.get("action", "save")
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    base = parse_base(request.POST.get("base"))
    parsed = parse_page(questionnaire, theme, posted, stored, context["theme_ids"], covered)
    try:
        new_version = save_changes(
            response,
            parsed.values,
            version,
            base,
            updated_by=contributor_label(request),
            snapshot=(response.version, context["answers"]),
        )
    except EditConflict as conflict:
        current = response.answer_dict()
        context["answers"] = current
        conflicts = {qid: current.get(qid, "") for qid in conflict.questions}
        mine = set(changed_values(parsed.values, base)) | set(parsed.errors)
        # keep the person's input where they typed; show the stored value everywhere else
        values = {
            q.id: posted.get(q.id, []) if q.id in mine else stored_as_posted(q, current.get(q.id))
            for q in theme.questions
        }
        new_base = {q.id: current.get(q.id, "") for q in theme.questions}
        return _render_page(
            request,
            context,
            theme,
            values,
            parsed.errors,
            version=conflict.version,
            base=new_base,
            conflicts=conflicts,
            status=409,
        )
    except ResponseLocked:
        messages.error(request, LOCKED_MESSAGE)
        return redirect("respondent:receipt")
    response.refresh_from_db()
    context = _context(invitation, response)
    shown_errors = dict(parsed.errors)
    if action != "next":
        shown_errors = {k: v for k, v in shown_errors.items() if v not in REQUIRED_MESSAGES}
    if shown_errors:
        stored = context["answers"]
        values = {
            q.id: posted[q.id] if q.id in shown_errors else stored_as_posted(q, stored.get(q.id))
            for q in theme.questions
        }
        base = {q.id: stored.get(q.id, "") for q in theme.questions}
        if _find_theme(context, theme.id) is None:  # the answers made the theme itself not asked
            context["themes"] = [*context["themes"], theme]
        return _render_page(
            request, context, theme, values, shown_errors, version=new_version, base=base
        )
    themes: list[Theme] = context["themes"]
    ids = [t.id for t in themes]
    if action in ("next", "previous") and theme.id in ids:
        index = ids.index(theme.id) + (1 if action == "next" else -1)
        if index >= len(ids):
            return redirect("respondent:review")
        if index >= 0:
            return redirect("respondent:page", theme_id=ids[index])
    messages.success(request, "Vos réponses ont été enregistrées.")
    if theme.id not in ids:
        return redirect("respondent:review")
    return redirect("respondent:page", theme_id=theme.id)


@require_POST
def autosave(request: HttpRequest, theme_id: str) -> HttpResponse:
    """Save changed fields posted by the page script (fetch or sendBeacon); JSON with the version.

    The common case (an active invitation whose response exists) starts from the state this
    process's previous autosave of the same invitation left, with a guarded write, else from one
    plain query; anything else (lost session, revoked link, first access) takes the general path.
    """
    pk = request.session.get(SESSION_KEY)
    if pk is None:
        return _autosave_general(request, theme_id)
    state = remembered_state(pk)
    if state is not None and not same_link(request, state.token_hash):
        state = None  # a rotated link: judged afresh below
    if state is not None and _posted_version(request) <= state.version:
        try:
            return _autosave_from_state(request, state, theme_id, guarded=True)
        except GuardFailed:
            pass
    forget_state(pk)
    state = autosave_state(pk)
    if state is None or state.response_id is None or not same_link(request, state.token_hash):
        return _autosave_general(request, theme_id)
    return _autosave_from_state(request, state, theme_id, guarded=False)


def _posted_version(request: HttpRequest) -> int:
    """The version the client last saw (-1 when missing or malformed)."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def _autosave_from_state(
    request: HttpRequest, state: AutosaveState, theme_id: str, *, guarded: bool
) -> HttpResponse:
    """Autosave from a read (or remembered) state; remember the state the save leaves."""
    questionnaire = state_questionnaire(state)
    answers = state.answers
    # partial instances (other fields deferred): what the checks and the guarded write need
    db = state.edition_key[0]
    campaign = Campaign.from_db(db, ["id"], [state.campaign_id])
    response = Response.from_db(
        db,
        ["id", "campaign_id", "invitation_id", "status", "version"],
        [state.response_id, state.campaign_id, state.invitation_id, state.status, state.version],
    )
    themes = page_themes(questionnaire, campaign, answers)

    def on_saved(version: int, stored: dict[str, str]) -> None:
        remember_state(state, version, stored)

    result = _autosave(
        request,
        questionnaire,
        themes,
        answers,
        response,
        theme_id,
        active_invitation=ActiveLink(state.invitation_id, state.token_hash) if guarded else None,
        on_saved=on_saved,
    )
    result["Cache-Control"] = "no-store"
    return result


@respondent_view
def _autosave_general(
    request: HttpRequest, invitation: Invitation, response: Response, theme_id: str
) -> HttpResponse:
    """Autosave through the full respondent context (session checks, response creation)."""
    context = _context(invitation, response)
    return _autosave(
        request,
        context["questionnaire"],
        context["themes"],
        context["answers"],
        response,
        theme_id,
    )


def _autosave(
    request: HttpRequest,
    questionnaire: Questionnaire,
    themes: list[Theme],
    answers: dict[str, str],
    response: Response,
    theme_id: str,
    *,
    active_invitation: int | None = None,
    on_saved: Callable[[int, dict[str, str]], None] | None = None,
) -> HttpResponse:
    """Validate the posted fields against the questionnaire and store them (version-checked).

    `active_invitation` and `on_saved` go to `save_changes` (guarded write from remembered state).
    """
    theme = next((t for t in themes if t.id == theme_id), None)
    if response.status == Response.Status.COMPLETE or theme is None:
        if active_invitation is not None:
            raise GuardFailed(response.pk)  # judged on remembered state: read again
        return JsonResponse({"status": "locked", "message": LOCKED_MESSAGE}, status=423)
    posted, covered = _posted(request, theme)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return JsonResponse({"status": "error", "message": "Version manquante."}, status=400)
    base = parse_base(request.POST.get("base"))
    theme_ids = [t.id for t in themes]
    parsed = parse_page(questionnaire, theme, posted, answers, theme_ids, covered)
    try:
        new_version = save_changes(
            response,
            parsed.values,
            version,
            base,
            updated_by=contributor_label(request),
            snapshot=(response.version, answers),
            active_invitation=active_invitation,
            on_saved=on_saved,
        )
    except EditConflict as conflict:
        if active_invitation is not None:
            raise GuardFailed(response.pk) from conflict  # judged on remembered state: read again
        return JsonResponse(
            {
                "status": "conflict",
                "version": conflict.version,
                "questions": conflict.questions,
                "message": (
                    "Une autre personne a modifié entre-temps certaines des mêmes réponses. "
                    "Vos dernières saisies n'ont pas été enregistrées. Rechargez la page pour "
                    "voir la version enregistrée, puis saisissez à nouveau vos réponses."
                ),
            },
            status=409,
        )
    except ResponseLocked:
        return JsonResponse({"status": "locked", "message": LOCKED_MESSAGE}, status=423)
    current = {**answers, **{k: v for k, v in parsed.values.items() if v}}
    for qid, value in parsed.values.items():
        if not value:
            current.pop(qid, None)
    own = {q.id for q in theme.questions}
    relevant = (
        parsed.relevant & own
        if parsed.relevant is not None
        else relevant_question_ids(questionnaire, current, [theme.id])
    )
    invalid = {k: v for k, v in parsed.errors.items() if v not in REQUIRED_MESSAGES}
    return JsonResponse(
        {
            "status": "saved",
            "version": new_version,
            # what is now stored for the fields of this request (the client's new base for them)
            "base": {qid: value or "" for qid, value in parsed.values.items()},
            "relevant": sorted(relevant),
            "invalid": invalid,
            "saved_at": timezone.localtime().strftime("%H:%M:%S"),
        }
    )


def _review_rows(context: dict[str, Any]) -> list[dict[str, Any]]:
    """All relevant questions by theme with their answers and errors, for review and receipt."""
    questionnaire: Questionnaire = context["questionnaire"]
    answers: dict[str, str] = context["answers"]
    errors = missing_answers(questionnaire, answers, context["theme_ids"])
    relevant = relevant_question_ids(questionnaire, answers, context["theme_ids"])
    sections = []
    for theme in context["themes"]:
        rows = [
            {
                "question": question,
                "answer": answer_label(question, answers.get(question.id)),
                "error": errors.get(question.id, ""),
                "anchor": QuestionView(question, True, []).html_id,
            }
            for question in theme.questions
            if question.id in relevant
        ]
        sections.append({"theme": theme, "rows": rows})
    context["errors"] = errors
    return sections


@require_http_methods(["GET", "POST"])
@respondent_view
def review(request: HttpRequest, invitation: Invitation, response: Response) -> HttpResponse:
    """Review page: every answer by theme, missing required ones highlighted; submit from here."""
    context = _context(invitation, response)
    if not context["editable"]:
        return redirect("respondent:receipt")
    context["sections"] = _review_rows(context)
    context["submit_errors"] = request.method == "POST"
    status = 200
    if request.method == "POST":
        role = request.POST.get("respondent_role", "").strip()[:200]
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        context["respondent_role"] = role
        if not context["errors"]:
            try:
                submit_response(response, version, respondent_role=role)
            except StaleVersion:
                context["stale"] = True
                status = 409
            except ResponseLocked:
                return redirect("respondent:receipt")
            else:
                messages.success(request, "Merci ! Vos réponses ont été transmises.")
                return redirect("respondent:receipt")
        else:
            status = 400
    return render(request, "collection/respondent/review.html", context, status=status)


@require_GET
@respondent_view
def receipt(request: HttpRequest, invitation: Invitation, response: Response) -> HttpResponse:
    """Receipt: confirmation of the submission with a copy of the answers."""
    context = _context(invitation, response)
    if context["editable"]:
        return redirect("respondent:review")
    context["sections"] = _review_rows(context)
    return render(request, "collection/respondent/receipt.html", context)


@require_GET
@respondent_view
def receipt_pdf(request: HttpRequest, invitation: Invitation, response: Response) -> HttpResponse:
    """The PDF copy of the submitted answers (WeasyPrint)."""
    from weasyprint import HTML

    context = _context(invitation, response)
    if context["editable"]:
        return redirect("respondent:review")
    context["sections"] = _review_rows(context)
    context["generated_at"] = timezone.now()
    html = render_to_string("collection/respondent/receipt_pdf.html", context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    result = HttpResponse(pdf, content_type="application/pdf")
    filename = f"accuse-reception-{invitation.target.code}.pdf"
    result["Content-Disposition"] = f'attachment; filename="{filename}"'
    return result


@require_POST
@respondent_view
def reopen(request: HttpRequest, invitation: Invitation, response: Response) -> HttpResponse:
    """Reopen a submitted response when the operator allows it and the campaign is open."""
    try:
        version = int(request.POST.get("version", ""))
        reopen_response(response, version)
    except (ValueError, StaleVersion):
        messages.error(request, "La réponse a changé entre-temps : réessayez.")
        return redirect("respondent:receipt")
    except ResponseLocked as exc:
        messages.error(request, str(exc))
        return redirect("respondent:receipt")
    messages.success(request, "Vous pouvez de nouveau modifier vos réponses.")
    return redirect("respondent:landing")
