"""The reader's ``w``: save the article shown as Markdown into the settings' ``save_folder``.

The file is written by :func:`newstui.core.export.save_markdown` (the same writer as
``newstui export --format md``) in a thread worker; a notification says where it went, that it
was there already, or why it could not be written. Nothing is ever replaced.
"""

from __future__ import annotations

from pathlib import Path

from textual.widget import Widget

from newstui.core.article import Article
from newstui.core.settings import Settings, save_folder
from newstui.ui.safe import one_line

TITLE = "Save as Markdown"


def target_folder(widget: Widget) -> Path:
    settings = getattr(widget.app, "settings", None)
    return save_folder(settings if isinstance(settings, Settings) else Settings())


def save_article(widget: Widget, article: Article) -> None:
    """Save ``article`` in a thread and notify (see the module docstring)."""
    folder = target_folder(widget)
    app = widget.app

    def work() -> None:
        from newstui.core.export import ExportError, save_markdown

        try:
            result = save_markdown(article, folder)
        except ExportError as exc:
            app.call_from_thread(
                app.notify,
                f"Not saved: {one_line(str(exc))}",
                title=TITLE,
                severity="error",
                markup=False,
            )
            return
        where = one_line(str(result.path))
        said = f"Already saved as {where}" if result.already else f"Saved to {where}"
        app.call_from_thread(app.notify, said, title=TITLE, markup=False)

    widget.run_worker(work, thread=True, group="save-markdown", exit_on_error=False)
