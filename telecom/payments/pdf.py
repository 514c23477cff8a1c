"""Invoice and credit-note PDFs, rendered with WeasyPrint.

A PDF is drawn only from what the document froze when it was issued
(`Document.content`, its number, amounts and issue date), never from the
order or the settings as they are today: a document downloaded years later
reads exactly as the one that was mailed.

It is a legal document, kept in one language for every reader (the
default locale, English), though its strings go through gettext like every
other. Text is set in DejaVu (installed with fonts-dejavu-core), which covers
Latin, Greek, Cyrillic and Arabic names. WeasyPrint never reaches the network
here: its URL fetcher accepts data: URLs and files under the app's static
folder only.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from flask import current_app, render_template
from flask_babel import force_locale
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from telecom.payments.models import Document, DocumentKind

STYLESHEET = Path(__file__).with_name("document_pdf.css")


class LocalOnlyFetcher(URLFetcher):
    """Resolve data: URLs and files under `roots`; refuse everything else.

    WeasyPrint would otherwise follow any http(s) or file URL a document
    mentions; rendering must not depend on, or leak to, another server.
    WeasyPrint turns the refusal into a logged warning and leaves the
    resource out.
    """

    def __init__(self, roots: list[Path], **kwargs: Any) -> None:
        super().__init__(allowed_protocols={"data", "file"}, **kwargs)
        self._roots = [root.resolve() for root in roots]

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if any(path.is_relative_to(root) for root in self._roots):
                return super().fetch(url, headers)
        raise ValueError(f"documents load no remote or outside resources: {url[:200]}")


def local_fetcher() -> LocalOnlyFetcher:
    roots = [Path(current_app.static_folder)] if current_app.static_folder else []
    return LocalOnlyFetcher(roots)


def _amount(value: object) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def render_document_html(document: Document, *, locale: str | None = None) -> str:
    """The HTML the PDF is made from (tests read it; the PDF has the same words)."""
    content = document.content or {}
    lines = [
        {
            "description": line.get("description", ""),
            "quantity": line.get("quantity", 1),
            "unit_price": _amount(line.get("unit_price")),
            "net": _amount(line.get("net")),
            "tax": _amount(line.get("tax")),
        }
        for line in content.get("lines", [])
    ]
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        return render_template(
            "payments/document_pdf.html",
            document=document,
            is_invoice=document.kind == DocumentKind.INVOICE,
            content=content,
            issuer=content.get("issuer") or {},
            buyer=content.get("buyer") or {},
            bank=content.get("bank") or {},
            lines=lines,
            tax_rate=_amount(content.get("tax_rate")),
            due=_date(content.get("due")),
        )


def html_to_pdf(html: str) -> bytes:
    """PDF bytes of an HTML page, styled by document_pdf.css, offline."""
    fetcher = local_fetcher()
    stylesheet = CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=fetcher)
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[stylesheet])
    assert pdf is not None
    return pdf


def render_document_pdf(document: Document, *, locale: str | None = None) -> bytes:
    """The invoice or credit note as a PDF, from its frozen content."""
    return html_to_pdf(render_document_html(document, locale=locale))
