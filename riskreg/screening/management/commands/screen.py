"""Screen names and identifiers against the lists in force: `manage.py screen "Huawei Technologies Co., Ltd."`."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from riskreg.screening.matching import POTENTIAL_THRESHOLD
from riskreg.screening.models import SanctionsList
from riskreg.screening.services import names_screen


class Command(BaseCommand):
    help = (
        "Screen names (and identifiers) against every list in force; prints the hits at or above the "
        f"potential-match threshold ({POTENTIAL_THRESHOLD:g}), best first. Writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", metavar="NAME")
        parser.add_argument("--names-file", help="a file with one name a line")
        parser.add_argument(
            "--identifier",
            action="append",
            default=[],
            help="an identifier (USCC, LEI, registration number), optionally as scheme:value; repeatable",
        )
        parser.add_argument("--list", dest="lists", action="append", help="only this list code; repeatable")
        parser.add_argument("--json", action="store_true", help='print [{"query": ..., "hits": [...]}]')

    def handle(self, *args, names, names_file, identifier, lists, json: bool, **options):
        queries = [n.strip() for n in names if n.strip()]
        if names_file:
            path = Path(names_file)
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            queries += [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        if not queries and not identifier:
            raise CommandError("give at least one NAME, --names-file or --identifier")
        if not SanctionsList.objects.filter(current_version__isnull=False).exists():
            raise CommandError("no list has been imported yet: run manage.py import_sanctions first")
        report = []
        for query in queries:
            report.append({"query": query, "hits": self._hits(names_screen(names=[query], list_codes=lists))})
        for item in identifier:
            scheme, _, value = item.rpartition(":") if ":" in item else ("id", "", item)
            results = names_screen(names=[], identifiers={scheme or "id": value}, list_codes=lists)
            report.append({"query": item, "hits": self._hits(results)})
        if json:
            self.stdout.write(_dumps(report))
            return
        for item in report:
            self.stdout.write(f"{item['query']}: {len(item['hits'])} hit(s)")
            for hit in item["hits"]:
                self.stdout.write(f"  {hit['score']:5.1f}  {hit['list']}  {hit['entry_id']}  {hit['name']}")

    @staticmethod
    def _hits(results) -> list[dict]:
        from riskreg.screening.models import ListEntry

        entries = ListEntry.objects.in_bulk([match.entry_id for _, match in results])
        return [
            {
                "list": version.sanctions_list.code,
                "entry_id": entries[match.entry_id].external_id,
                "name": entries[match.entry_id].primary_name,
                "score": match.score,
            }
            for version, match in results
            if match.entry_id in entries
        ]


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
