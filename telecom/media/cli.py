"""`flask --app wsgi media ...`: media accreditation maintenance, for a scheduler.

    media purge-documents --edition SLUG
        delete the edition's evidence files (and the photos on its media badges)
        once the retention period after its last day is over

Safe to run every day (cron): before the due date it only says when the files
will go; after, the first run deletes them and later runs find nothing to do.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

media_cli = AppGroup("media", help="Media accreditation: delete evidence files when due.")


@media_cli.command("purge-documents")
@click.option(
    "--edition", "slug", required=True, help="The edition's slug, e.g. telecom-world-2015."
)
def purge_documents_command(slug: str) -> None:
    """Delete the edition's evidence files once they are no longer to be kept.

    Applications, decisions and counts stay; only the files go.
    """
    from telecom.core.errors import NotFound
    from telecom.events.services import get_edition
    from telecom.media.documents import purge_documents

    try:
        edition = get_edition(slug)
    except NotFound:
        raise click.ClickException(f"There is no edition {slug}.") from None
    result = purge_documents(edition)
    due = result.due_on.isoformat()
    if not result.done:
        click.echo(
            f"Evidence files of {slug} are kept until the retention period ends; "
            f"they will be deleted on or after {due}. Nothing deleted."
        )
    elif not result.changed:
        click.echo(
            f"Nothing to delete: the evidence files of {slug} were already deleted (due on {due})."
        )
    else:
        click.echo(
            f"Deleted {result.files} evidence file(s) and {result.badge_photos} badge photo(s) "
            f"of {result.applications} application(s) of {slug} (due on {due}); "
            "applications, decisions and counts are kept."
        )
