"""CLI commands for the analyst's view of entities: `entities show`, `merge`, `split`."""

from __future__ import annotations

import click

from newsmon.crawler.cli import EXIT_USAGE, CliError, cli, db_option

LABELS = click.Choice(["person", "organisation"])


@cli.group()
def entities():
    """Inspect entities and correct their identity (merges and splits are recorded,
    so later crawls and a reannotate keep them).

    \b
    Example:
      newsmon entities show "European Commission"
      newsmon entities merge "European Union" EU
    """


def _write(db_path, action):
    """Run `action(con, now)` in one transaction under the run lock, on a migrated database."""
    from newsmon.data.connection import connect, utc_now
    from newsmon.data.entities import EntityNotFound
    from newsmon.data.lock import RunLock
    from newsmon.data.migrate import apply_migrations

    with RunLock(db_path), connect(db_path, read_only=False, timeout=30.0) as con:
        apply_migrations(con)
        con.execute("BEGIN TRANSACTION")
        try:
            result = action(con, utc_now())
        except EntityNotFound as exc:
            con.execute("ROLLBACK")
            raise CliError(str(exc), EXIT_USAGE) from None
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
        return result


@entities.command("merge")
@click.argument("keep")
@click.argument("other")
@click.option("--label", type=LABELS, default=None, help="When a name is both a person and an organisation.")
@db_option
def merge(keep, other, label, db_path):
    """Merge the entity OTHER into KEEP: its spellings and mentions become KEEP's.

    \b
    Example:
      newsmon entities merge "Ministry of Internal Affairs and Communications" MIC
    """
    from newsmon.data.entities import merge_entities

    result = _write(db_path, lambda con, now: merge_entities(con, keep, other, now, label))
    if result["already"]:
        click.echo(f"{other!r} is already {result['entity']!r}")
    else:
        click.echo(f"merged {result['merged']!r} into {result['entity']!r} ({result['moved_mentions']} mentions)")


@entities.command("split")
@click.argument("name")
@click.argument("spelling")
@click.option("--label", type=LABELS, default=None, help="When a name is both a person and an organisation.")
@db_option
def split(name, spelling, label, db_path):
    """Take SPELLING out of the entity NAME into an entity of its own.

    \b
    Example:
      newsmon entities split "Kang Yoon-ah" "Kang Yoon"
    """
    from newsmon.data.entities import split_entity

    result = _write(db_path, lambda con, now: split_entity(con, name, spelling, now, label))
    click.echo(f"split {result['split']!r} from {result['entity']!r} ({result['moved_mentions']} mentions)")


@entities.command("show")
@click.argument("name")
@click.option("--label", type=LABELS, default=None, help="When a name is both a person and an organisation.")
@db_option
def show(name, label, db_path):
    """An entity's spellings, mention count and the decisions about it.

    \b
    Example:
      newsmon entities show EU
    """
    from newsmon.data.connection import connect
    from newsmon.data.entities import EntityNotFound, describe_entity, find_entity

    with connect(db_path, read_only=True, timeout=30.0) as con:
        try:
            entity_id, entity_label, entity_name = find_entity(con, name, label)
        except EntityNotFound as exc:
            raise CliError(str(exc), EXIT_USAGE) from None
        spellings, mentions, decisions = describe_entity(con, entity_id, entity_label, entity_name)
    click.echo(f"{entity_name} [{entity_label}] #{entity_id}: {mentions} mentions")
    click.echo("spellings: " + ("; ".join(spellings) or "-"))
    for at, action, kept, other in decisions:
        click.echo(f"{at:%Y-%m-%d %H:%M} {action}: {kept} / {other}")
