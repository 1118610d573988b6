"""Screen names and identifiers against the lists in force: `manage.py screen "Huawei Technologies Co., Ltd."`.

Many names at once: `manage.py screen --json --names-file names.txt` screens them in batches of
SCREEN_MAX_NAMES, each in one pass over the database (see `names_screen_batch`). The command skips
Django's system checks: it writes nothing, and the checks would import WeasyPrint and run fc-list, which
costs more than screening a thousand names.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from riskreg.screening.matching import POTENTIAL_THRESHOLD
from riskreg.screening.models import SanctionsList
from riskreg.screening.services import SCREEN_MAX_NAME_LENGTH, SCREEN_MAX_NAMES, ScreenQuery, names_screen_batch

BRIEF_FIELDS = ("list", "entry_id", "name", "score")


class Command(BaseCommand):
    help = (
        "Screen names (and identifiers) against every list in force; prints the hits at or above the "
        f"potential-match threshold ({POTENTIAL_THRESHOLD:g}), best first. Writes nothing."
    )
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", metavar="NAME")
        parser.add_argument("--names-file", help="a file with one name a line (UTF-8)")
        parser.add_argument(
            "--identifier",
            action="append",
            default=[],
            help="an identifier (USCC, LEI, registration number), optionally as scheme:value; repeatable",
        )
        parser.add_argument("--list", dest="lists", action="append", help="only this list code; repeatable")
        parser.add_argument("--json", action="store_true", help='print [{"query": ..., "hits": [...]}]')

    def handle(self, *args, names, names_file, identifier, lists, json: bool, **options):
        queries = [(f"argument {i}", n.strip()) for i, n in enumerate(names, start=1) if n.strip()]
        if names_file:
            queries += _read_names(Path(names_file))
        for where, name in queries:
            if len(name) > SCREEN_MAX_NAME_LENGTH:
                raise CommandError(
                    f"{where}: a name of {len(name):,} characters; names are at most {SCREEN_MAX_NAME_LENGTH}"
                )
        if not queries and not identifier:
            raise CommandError("give at least one NAME, --names-file or --identifier")
        if not SanctionsList.objects.filter(current_version__isnull=False).exists():
            raise CommandError("no list has been imported yet: run manage.py import_sanctions first")
        work = [ScreenQuery(label=name, names=[name]) for _, name in queries]
        for item in identifier:
            scheme, _, value = item.rpartition(":") if ":" in item else ("id", "", item)
            work.append(ScreenQuery(label=item, identifiers={scheme or "id": value}))
        report = []
        for start in range(0, len(work), SCREEN_MAX_NAMES):
            report += names_screen_batch(queries=work[start : start + SCREEN_MAX_NAMES], list_codes=lists)
        for item in report:
            item["hits"] = [{key: hit[key] for key in BRIEF_FIELDS} for hit in item["hits"]]
        if json:
            self.stdout.write(_dumps(report))
            return
        for item in report:
            self.stdout.write(f"{item['query']}: {len(item['hits'])} hit(s)")
            for hit in item["hits"]:
                self.stdout.write(f"  {hit['score']:5.1f}  {hit['list']}  {hit['entry_id']}  {hit['name']}")


def _read_names(path: Path) -> list[tuple[str, str]]:
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise CommandError(f"{path}, line {line}: not UTF-8 text") from None
    return [(f"{path}, line {n}", line.strip()) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
