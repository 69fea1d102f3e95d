"""`barometre invite`: add targets, issue private links (CSV for a mail merge), send emails."""

from __future__ import annotations

from pathlib import Path

import click


def campaign_or_list(campaign_id: int | None):
    """The campaign with this id; without an id, print the campaigns and return None."""
    from django.db.models import Count

    from barometre.collection.models import Campaign
    from barometre.register.labels import count

    if campaign_id is None:
        rows = Campaign.objects.select_related("edition").order_by("pk")
        if not rows:
            click.echo("Aucune campagne dans la base.")
        for campaign in rows.annotate(n_targets=Count("targets")):
            n = campaign.n_targets
            click.echo(
                f"{campaign.pk}\t{campaign.get_status_display()}\t{campaign.name} "
                f"({count(n)} cible{'s' if n > 1 else ''})"
            )
        return None
    campaign = Campaign.objects.filter(pk=campaign_id).select_related("edition").first()
    if campaign is None:
        raise click.BadParameter(f"campagne {campaign_id} inconnue", param_hint="CAMPAGNE")
    return campaign


@click.command(name="invite")
@click.argument("campagne", type=int, required=False)
@click.option(
    "--codes",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Fichier de codes (INSEE ou SIREN) à ajouter aux cibles avant d'inviter.",
)
@click.option(
    "--tous",
    "all_links",
    is_flag=True,
    help="Régénère les liens de toutes les cibles (les anciens cessent de fonctionner) ; "
    "par défaut seules les cibles sans lien en reçoivent un.",
)
@click.option(
    "--sortie",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("liens.csv"),
    show_default=True,
    help="CSV de publipostage (code ; nom ; courriel ; département ; lien ; expiration).",
)
@click.option("--envoyer", is_flag=True, help="Envoie les invitations par courriel au lieu du CSV.")
@click.option(
    "--relancer",
    is_flag=True,
    help="Relance par courriel les non-répondants et répondants partiels.",
)
@click.option(
    "--db", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Fichier SQLite."
)
def command(
    campagne: int | None,
    codes: Path | None,
    all_links: bool,
    sortie: Path,
    envoyer: bool,
    relancer: bool,
    db: Path | None,
) -> None:
    """Invite les collectivités ciblées par la campagne CAMPAGNE (sans argument : liste les campagnes).

    Les jetons ne sont stockés que sous forme d'empreinte : un lien n'est visible qu'à sa création, dans le
    CSV écrit ou le courriel envoyé.
    """
    from barometre.web.bootstrap import setup_django

    setup_django(db)
    from barometre.collection import invitations
    from barometre.collection.models import Campaign, Target
    from barometre.collection.targets import add_targets, parse_codes, register_frame
    from barometre.register.labels import count

    campaign = campaign_or_list(campagne)
    if campaign is None:
        return
    actor = "barometre invite"
    if codes is not None:
        frame = register_frame()
        found, errors = parse_codes(codes.read_text(encoding="utf-8-sig"), frame)
        if errors:
            raise click.ClickException(f"{codes} : " + " ; ".join(errors[:20]))
        added = add_targets(campaign, frame.filter(frame["code"].is_in(found)), actor=actor)
        click.echo(
            "Aucune cible ajoutée (déjà ciblées)."
            if not added
            else f"{count(added)} cible{'s' if added > 1 else ''} "
            f"ajoutée{'s' if added > 1 else ''}."
        )
    if (envoyer or relancer) and campaign.status != Campaign.Status.OPEN:
        raise click.ClickException("La campagne n'est pas ouverte : aucun courriel envoyé.")
    if relancer or envoyer:
        chosen = (
            invitations.non_respondents(campaign)
            if relancer
            else Target.objects.filter(campaign=campaign, invitation__sent_at__isnull=True)
        )
        sent, missing = invitations.send_emails(
            campaign, chosen.select_related("campaign"), reminder=relancer, actor=actor
        )
        click.echo(f"{sent} courriel(s) envoyé(s) ; {len(missing)} cible(s) sans adresse.")
        return
    chosen = Target.objects.filter(campaign=campaign)
    if not all_links:
        chosen = chosen.filter(invitation__isnull=True)
    links = invitations.issue_links(chosen.select_related("campaign"), actor=actor)
    sortie.write_text(invitations.mail_merge_csv(links), encoding="utf-8")
    sortie.chmod(0o600)
    n = len(links)
    click.echo(
        f"{count(n)} lien{'s' if n > 1 else ''} écrit{'s' if n > 1 else ''} dans {sortie} "
        "(fichier confidentiel)."
    )
