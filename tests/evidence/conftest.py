"""Evidence fixtures: GLM-5 with a claim citing a press article served on loopback, and tiny PDFs."""

from __future__ import annotations

import pytest

from models_catalog.models import AIModel, EvidenceSource, Organisation, ProvenanceClaim

ARTICLE = """<!doctype html><html><head><title>GLM-5</title><script>var ad = 1;</script>
<style>p {{ color: red }}</style></head><body><nav>Home | News</nav>
<article><h1>GLM-5 trained on Huawei Ascend</h1>
<p>Zhipu AI's GLM-5 was trained {how} on Huawei Ascend chips, according to BuildFastWithAI.</p>
<p>744B total parameters, 40B active.</p></article></body></html>"""


def article(how: str = "entirely", *, noise: str = "") -> str:
    """The cited page; `how` changes its words, `noise` only its markup."""
    page = ARTICLE.format(how=how)
    return page.replace("<article>", f"<article class='{noise}'><!-- {noise} -->") if noise else page


def pdf_with_text(text: str) -> bytes:
    """A minimal one-page PDF whose page shows `text` (ASCII), with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


BROKEN_PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R\nthis is not a PDF any more" + b"\x00" * 64


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    """Each test stores its copies in its own directory."""
    settings.RISKREG_DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def glm5(db) -> dict:
    """GLM-5 by Zhipu AI with a training-hardware claim resting on a press article (no URL yet)."""
    zhipu = Organisation.objects.create(
        name="Beijing Zhipu Huazhang Technology Co., Ltd.", short_name="Zhipu AI", country="CN"
    )
    model = AIModel.objects.create(name="GLM-5", family="GLM", developer=zhipu, licence="MIT", weights="open")
    source = EvidenceSource.objects.create(
        title="GLM-5 article (citing BuildFastWithAI)", publisher="Smart Chunks", kind=EvidenceSource.Kind.PRESS
    )
    claim = ProvenanceClaim.objects.create(
        model=model,
        subject=ProvenanceClaim.Subject.TRAINING_HARDWARE,
        statement="GLM-5 was trained entirely on Huawei Ascend chips.",
        value="Huawei Ascend (entirely)",
        confidence=ProvenanceClaim.Confidence.REPORTED,
        source=source,
    )
    return {"model": model, "source": source, "claim": claim, "zhipu": zhipu}


@pytest.fixture
def cited(glm5, httpserver):
    """The article served on loopback and the source pointed at it; returns the source."""
    httpserver.expect_request("/article").respond_with_data(article(), content_type="text/html; charset=utf-8")
    source = glm5["source"]
    source.url = httpserver.url_for("/article")
    source.save()
    return source
