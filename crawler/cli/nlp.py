"""CLI commands for the NLP stage: `annotate`, `eval`, `reannotate`."""

from __future__ import annotations

import json
import os
import sys
from itertools import islice
from typing import Iterator, TextIO

import click

from newsmon.crawler.cli import EXIT_ERROR, EXIT_USAGE, CliError, cli, db_option
from newsmon.nlp.models import DEFAULT_MODEL


def model_option(func):
    return click.option("--model", default=DEFAULT_MODEL, show_default=True,
                        envvar="NEWSMON_MODEL",
                        help="spaCy pipeline (an installed package).")(func)


def check_option(func):
    return click.option("--no-check", "no_check", is_flag=True,
                        help="Skip the entity check (the sentence encoder's second opinion on each "
                             "name the rules keep): about 5% faster, more wrong names.")(func)


def read_jsonl(stream: TextIO, name: str) -> Iterator[tuple[str, str]]:
    """(id, text) pairs of a JSON-lines stream; a bad line (not UTF-8, not JSON, no "text") is a
    usage error naming it."""
    for lineno, line in enumerate(_utf8_lines(stream, name), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CliError(f"{name}:{lineno}: not valid JSON ({exc.msg})", EXIT_USAGE) from None
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise CliError(f"{name}:{lineno}: expected an object with a string \"text\"",
                           EXIT_USAGE)
        yield str(obj.get("id", lineno)), obj["text"]


def _utf8_lines(stream: TextIO, name: str) -> Iterator[str]:
    """The stream's lines; bytes that are no UTF-8 are a usage error (the stream is decoded in
    blocks, so no line number is given)."""
    while True:
        try:
            line = stream.readline()
        except UnicodeDecodeError as exc:
            raise CliError(f"{name}: not UTF-8 text ({exc.reason})", EXIT_USAGE) from None
        if not line:
            return
        yield line


@cli.command()
@click.argument("infile", type=click.File("r", encoding="utf-8"), default="-")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Where to write JSON lines (default: stdout).")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=32, show_default=True)
@click.option("--explain", is_flag=True,
              help="Add \"explain\": every candidate name, its label and the rules behind it.")
@model_option
@check_option
def annotate(infile, output, batch_size, explain, model, no_check):
    """Annotate JSON lines {"id", "text"} with people, organisations and figures.

    Writes one JSON line per input line: {"id", "people", "organisations",
    "figures": [{"text", "start", "end", "kind", "value", "unit", "object", "role"}],
    "fines": [{"authority", "target", "value", "unit", "basis", "status", "text",
    "start", "end"}]}, names canonical within each text (null when the text does
    not say). A money figure's role is fine, revenue, cost, funding, price,
    compensation, maximum or other. Any JSON string is taken (lone surrogates
    become U+FFFD) at any length (long texts are annotated in pieces, offsets into
    the whole text); a text that breaks the pipeline gets empty lists and an
    "error". With --explain, also "explain": one entry
    per candidate span {"text", "start", "end", "label", "canonical", "source",
    "rules"}, rejected ones included (label "none"), so a wrong entity is traced
    to the rule that made it in one step.

    \b
    Example:
      echo '{"id": 1, "text": "Ofcom fined Streamly £18m."}' | newsmon annotate
      echo '{"text": "Defender Myles Garrett joined the Browns."}' | newsmon annotate --explain
    """
    from newsmon.nlp.annotate import annotate_texts, clean_text
    from newsmon.nlp.pipeline import load_pipeline, to_prediction
    from newsmon.nlp.records import Annotation

    nlp = load_pipeline(model, explain=explain, check=not no_check)
    rows = read_jsonl(infile, getattr(infile, "name", "<stdin>"))
    while True:
        chunk = list(islice(rows, batch_size))
        if not chunk:
            break
        failed: dict[int, Exception] = {}
        annotations = annotate_texts(nlp, [t for _, t in chunk], ["en"] * len(chunk),
                                     batch_size=batch_size, on_error=failed.__setitem__)
        for i, ((doc_id, _), ann) in enumerate(zip(chunk, annotations)):
            prediction = to_prediction(clean_text(doc_id), ann or Annotation(), explain=explain)
            if i in failed:  # the others of the chunk are annotated all the same
                prediction["error"] = f"{type(failed[i]).__name__}: {failed[i]}"
            output.write(json.dumps(prediction, ensure_ascii=False) + "\n")
        output.flush()


@cli.command("eval")
@click.argument("gold", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--errors", is_flag=True, help="Also list every missed and spurious item.")
@model_option
@check_option
def eval_(gold, as_json, errors, model, no_check):
    """Score the extractor against gold annotations (rules of gold/GUIDELINES.md).

    Prints precision, recall and F1 for people, organisations and figures, one
    row per gold file and per part of a file ("dev", "heldout", ..., "heldout5"). Without
    GOLD: ../shared/gold/dev.jsonl and our own generalisation set
    (bench/gold/generalisation.jsonl, texts read from ../shared), side by side.

    \b
    Example:
      newsmon eval
      newsmon eval ../shared/gold/dev.jsonl --json | jq .figures.f1
      newsmon eval --no-check     # the same without the entity check
    """
    from newsmon.nlp.evaluate import (default_gold_sets, evaluate_sets, format_errors,
                                      format_side_by_side, format_table)
    from newsmon.nlp.pipeline import load_pipeline

    paths = list(gold) or default_gold_sets()
    if not paths:
        raise CliError("no gold file given and none found in ../shared/gold "
                       "(set NEWSMON_SHARED or name a file)", EXIT_USAGE)
    try:
        results = evaluate_sets(paths, load_pipeline(model, check=not no_check))
    except ValueError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    strip = (lambda r: r) if errors else (lambda r: {k: v for k, v in r.items() if k != "per_doc"})
    if len(results) == 1:
        (result,) = results.values()
        if as_json:
            click.echo(json.dumps(strip(result), indent=2))
            return
        click.echo(format_table(result))
        if errors:
            click.echo(format_errors(result))
        return
    if as_json:
        click.echo(json.dumps({name: strip(r) for name, r in results.items()}, indent=2))
        return
    click.echo(format_side_by_side(results))
    if errors:
        for name, result in results.items():
            if ":" not in name:
                click.echo(f"\n== {name}\n{format_errors(result)}")


@cli.command()
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=200, show_default=True,
              help="Articles per transaction.")
@click.option("--processes", "--workers", "processes", type=click.IntRange(1, 64), default=None,
              help="Processes of the NLP pool (default: one per CPU; --workers is its old name).")
@click.option("--source", default=None, help="Only articles of this source.")
@model_option
@db_option
def reannotate(batch_size, processes, source, model, db_path):
    """Re-run NLP over stored articles (after a rule or model change).

    Replaces each batch's mentions, figures and fines in one transaction, so an
    interrupted run leaves every article either old or new, never half.

    \b
    Example:
      newsmon reannotate --batch-size 500
    """
    from newsmon.crawler.runs.reannotate import reannotate_all

    processes = processes or os.cpu_count() or 1
    show = sys.stderr.isatty()
    progress = None
    if show:
        from rich.progress import Progress
        progress = Progress(transient=True)
        progress.start()
        task = progress.add_task("re-annotating", total=None)
    try:
        totals = reannotate_all(db_path, model=model, batch_size=batch_size, processes=processes,
                                source=source,
                                on_batch=(lambda done, total: progress.update(
                                    task, completed=done, total=total)) if show else None)
    finally:
        if progress is not None:
            progress.stop()
    click.echo(f"re-annotated {totals['articles']} articles: {totals['mentions']} mentions, "
               f"{totals['figures']} figures, {totals.get('fines', 0)} fines in {totals['batches']} batches "
               f"({totals['words_per_s']:,.0f} words/s on {processes} processes)")
    if totals["articles"] == 0 and totals["candidates"] > 0:
        raise CliError("no article could be re-annotated", EXIT_ERROR)
