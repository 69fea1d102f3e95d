"""URLs of the operator back office (mounted under /operateur/)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from barometre.collection.operator import account_views, campaign_views, data_views
from barometre.collection.operator.login_throttle import ThrottledLoginView

app_name = "operator"
AUTH = "collection/operator/auth"

urlpatterns = [
    path("", campaign_views.home, name="home"),
    path(
        "connexion/",
        ThrottledLoginView.as_view(template_name=f"{AUTH}/login.html"),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/oubli/",
        auth_views.PasswordResetView.as_view(
            template_name=f"{AUTH}/password_reset.html",
            email_template_name=f"{AUTH}/password_reset_email.txt",
            subject_template_name=f"{AUTH}/password_reset_subject.txt",
            success_url=reverse_lazy("operator:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name=f"{AUTH}/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name=f"{AUTH}/password_reset_confirm.html",
            success_url=reverse_lazy("operator:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/change/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name=f"{AUTH}/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("editions/nouvelle/", campaign_views.edition_new, name="edition_new"),
    path("campagnes/nouvelle/", campaign_views.campaign_new, name="campaign_new"),
    path("campagnes/<int:pk>/", campaign_views.campaign_detail, name="campaign"),
    path(
        "campagnes/<int:pk>/action/<slug:action>/",
        campaign_views.campaign_action,
        name="campaign_action",
    ),
    path("campagnes/<int:pk>/cibles/", campaign_views.targets, name="targets"),
    path("campagnes/<int:pk>/invitations/", campaign_views.invitation_list, name="invitations"),
    path(
        "campagnes/<int:pk>/invitations/action/",
        campaign_views.invitation_action,
        name="invitation_action",
    ),
    path("campagnes/<int:pk>/suivi/", data_views.monitoring, name="monitoring"),
    path("campagnes/<int:pk>/export/", data_views.export, name="export"),
    path("campagnes/<int:pk>/import/", data_views.import_view, name="import"),
    path("comptes/", account_views.accounts, name="accounts"),
    path("comptes/<int:pk>/", account_views.account_edit, name="account_edit"),
    path("journal/", account_views.audit_log, name="audit"),
]
