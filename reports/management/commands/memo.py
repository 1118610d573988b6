"""Generate or verify a risk memo in this process.

manage.py memo MODEL_SLUG [--request ID] --output PATH [--json] [--user USERNAME]
manage.py memo --portfolio --output PATH [--json]
manage.py memo --verify MEMO_ID [--json]          (exit status 1 when not ok)
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from models_catalog.models import AIModel
from reports.models import Memo
from reports.services import MemoError, memo_download_name, memo_generate_now, memo_pdf_path, memo_verify
from riskreg.register.models import AdoptionRequest


class Command(BaseCommand):
    help = "Generate a PDF risk memo for a model, an adoption request or the portfolio, or verify a stored memo."

    def add_arguments(self, parser):
        parser.add_argument("model_slug", nargs="?", help="The model, e.g. glm-5.")
        parser.add_argument("--request", type=int, help="Adoption request id: a memo for that request.")
        parser.add_argument("--portfolio", action="store_true", help="The portfolio report of every model.")
        parser.add_argument("--output", help="Where to write a copy of the PDF.")
        parser.add_argument("--verify", type=int, metavar="MEMO_ID", help="Verify a stored memo.")
        parser.add_argument("--user", help="Username recorded as the memo's author (default: none, the system).")
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args, **options):
        if options["verify"] is not None:
            return self._verify(options)
        return self._generate(options)

    def _verify(self, options) -> None:
        if options["model_slug"] or options["portfolio"] or options["request"]:
            raise CommandError("--verify takes only a memo id (and --json).")
        memo = Memo.objects.filter(pk=options["verify"]).first()
        if memo is None:
            raise CommandError(f"No memo with id {options['verify']}.")
        result = memo_verify(memo=memo)
        if options["json"]:
            self.stdout.write(json.dumps(result, sort_keys=True))
        elif result["ok"]:
            self.stdout.write(self.style.SUCCESS(f"{memo}: ok (PDF SHA-256 {memo.pdf_sha256})"))
        else:
            self.stdout.write(self.style.ERROR(f"{memo}: NOT ok"))
            for problem in result["problems"]:
                self.stdout.write(f"  - {problem}")
        if not result["ok"]:
            sys.exit(1)

    def _generate(self, options) -> None:
        if not options["output"]:
            raise CommandError("--output PATH is required when generating a memo.")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
        model = request = None
        if options["portfolio"]:
            if options["model_slug"] or options["request"]:
                raise CommandError("--portfolio takes no model and no request.")
            kind = Memo.Kind.PORTFOLIO
        else:
            if not options["model_slug"]:
                raise CommandError("Give a model slug (e.g. glm-5), or --portfolio, or --verify MEMO_ID.")
            model = AIModel.objects.filter(slug=options["model_slug"]).first()
            if model is None:
                raise CommandError(f"No model with slug {options['model_slug']!r}.")
            kind = Memo.Kind.MODEL
            if options["request"] is not None:
                request = AdoptionRequest.objects.filter(pk=options["request"]).first()
                if request is None:
                    raise CommandError(f"No adoption request #{options['request']}.")
                if request.model_id != model.pk:
                    raise CommandError(f"Adoption request #{request.pk} is for {request.model}, not {model}.")
                kind, model = Memo.Kind.REQUEST, None
        try:
            memo = memo_generate_now(kind=kind, model=model, request=request, user=user)
        except MemoError as exc:
            raise CommandError(str(exc)) from None
        except Exception as exc:
            raise CommandError(f"Rendering failed: {type(exc).__name__}: {exc}") from None
        output = Path(options["output"])
        if output.is_dir():  # a folder: the memo keeps the name it would download under
            output = output / memo_download_name(memo=memo)
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(memo_pdf_path(memo=memo), output)
        except OSError as exc:
            raise CommandError(
                f"{memo} was generated and stored (memo {memo.pk}), but the copy to {output} failed: "
                f"{exc.strerror or exc}. Verify or download it by its id."
            ) from None
        result = {
            "memo_id": memo.pk,
            "path": str(output.resolve()),
            "sha256": memo.pdf_sha256,
            "snapshot_sha256": memo.snapshot_sha256,
            "pages": memo.pages,
            "version": memo.version,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result, sort_keys=True))
        else:
            self.stdout.write(
                self.style.SUCCESS(f"{memo}: {memo.pages} pages written to {result['path']}")
                + f"\n  PDF SHA-256      {memo.pdf_sha256}\n  snapshot SHA-256 {memo.snapshot_sha256}"
            )
