"""Import a sanctions list file: `manage.py import_sanctions ofac-sdn path/to/sdn.csv`."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from riskreg.screening.importers import PARSERS
from riskreg.screening.services import LIST_DEFAULTS, ListImportError, sanctions_list_import

DIFF_SHOWN = 20


class Command(BaseCommand):
    help = (
        "Import a list file and make it the version in force; prints the counts and the diff against the "
        "previous version. PATH may be an OFAC directory holding sdn.csv (and alt.csv, add.csv)."
    )

    def add_arguments(self, parser):
        parser.add_argument("list_code", help=f"one of {', '.join(LIST_DEFAULTS)}")
        parser.add_argument("path", help="the list file, or a directory with OFAC's sdn.csv, alt.csv, add.csv")
        parser.add_argument("--format", dest="fmt", choices=sorted(PARSERS), help="default: detected from the file")
        parser.add_argument("--alt", help="OFAC alt.csv (aliases) to go with sdn.csv")
        parser.add_argument("--add", help="OFAC add.csv (addresses) to go with sdn.csv")
        parser.add_argument(
            "--allow-shrink", action="store_true", help="accept a file with less than half the entries in force"
        )
        parser.add_argument(
            "--allow-older", action="store_true", help="accept a file older than the version in force (a rollback)"
        )

    def handle(self, *args, list_code, path, fmt, alt, add, allow_shrink, allow_older, **options):
        source = Path(path)
        alt_path, add_path = Path(alt) if alt else None, Path(add) if add else None
        if source.is_dir():
            alt_path = alt_path or (source / "alt.csv" if (source / "alt.csv").exists() else None)
            add_path = add_path or (source / "add.csv" if (source / "add.csv").exists() else None)
            source = source / "sdn.csv"
        limit = settings.RISKREG_IMPORT_MAX_BYTES
        for file in (source, alt_path, add_path):
            if file is not None and not file.is_file():
                raise CommandError(f"{file}: no such file")
            if file is not None and file.stat().st_size > limit:
                raise CommandError(
                    f"{file}: {file.stat().st_size:,} bytes, over the limit of {limit:,} (RISKREG_IMPORT_MAX_BYTES)."
                    "\nNothing was imported; the version in force is unchanged."
                )
        try:
            result = sanctions_list_import(
                list_code=list_code,
                data=source,  # read as a stream, never whole
                source_name=str(source),
                fmt=fmt,
                alt_data=alt_path,
                add_data=add_path,
                allow_shrink=allow_shrink,
                allow_older=allow_older,
            )
        except ListImportError as exc:
            raise CommandError(f"{source}: {exc}\nNothing was imported; the version in force is unchanged.") from None
        version = result.version
        if result.unchanged:
            self.stdout.write(
                f"{list_code}: unchanged ({source.name} is the version in force, imported "
                f"{version.imported_at:%Y-%m-%d %H:%M}); nothing written"
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{list_code}: version {version.pk} in force ({version.format}, sha256 {version.sha256[:12]}): "
                f"{version.entry_count} entries, {len(result.added)} added, {len(result.removed)} removed, "
                f"{len(result.changed)} changed"
            )
        )
        for label, ids in (("added", result.added), ("removed", result.removed), ("changed", result.changed)):
            if ids:
                shown = ", ".join(ids[:DIFF_SHOWN]) + (
                    f" ... (+{len(ids) - DIFF_SHOWN})" if len(ids) > DIFF_SHOWN else ""
                )
                self.stdout.write(f"  {label}: {shown}")
        self.stdout.write("Screening of every organisation against it was queued.")
