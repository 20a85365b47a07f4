"""Exports: articles as Markdown files, JSON Lines or one HTML page; subscriptions as OPML.

:mod:`.markdown` is the one Markdown writer (``newstui export --format md`` and the reader's
``w``); :mod:`.formats` the one-file formats; :mod:`.files` writes atomically and never over an
existing file unless forced.
"""

from newstui.core.export.files import ExportError, FileExists, write_new
from newstui.core.export.formats import article_record, html_page, jsonl_lines, opml_document
from newstui.core.export.markdown import (
    SaveResult,
    article_markdown,
    markdown_names,
    safe_name,
    save_markdown,
)

__all__ = [
    "ExportError",
    "FileExists",
    "SaveResult",
    "article_markdown",
    "article_record",
    "html_page",
    "jsonl_lines",
    "markdown_names",
    "opml_document",
    "safe_name",
    "save_markdown",
    "write_new",
]
