"""The open article's images, in the reader, under its text (``textual-image``: the Kitty
graphics protocol or Sixel where the terminal has them, coloured half blocks elsewhere, and
half blocks in a browser through ``newstui serve``).

:class:`ReaderImages` is the reader's helper: when an article is shown it finds and caches the
article's images in a thread worker (:func:`newstui.core.fetch.images.cache_article_images`:
http(s) only, size- and pixel-capped, kept in the cache folder for offline reading), decodes
and shrinks them there too, then mounts an :class:`ArticleImages` gallery inside the reader,
positioned in blank lines the reader reserves after the text, so it scrolls with the article.
``images = false`` in the settings turns all of it off.

textual-image asks the terminal what it supports when it is first imported, which it can only
do before Textual takes over the terminal: :func:`prepare_terminal` is called by ``run_app``
before the app starts.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from newstui.ui.safe import one_line

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

    from newstui.core.article import Article
    from newstui.ui.widgets.reader import Line, Reader

#: Rows of the terminal one image takes.
IMAGE_ROWS = 12
#: Largest side, in pixels, an image is shrunk to before it is handed to the widget (a
#: terminal shows far fewer; each repaint scales from this).
DISPLAY_PIXELS = 800


def prepare_terminal() -> None:
    """Import textual-image now (it queries the terminal for Sixel / Kitty support and the
    cell size on import): before the app runs, never while Textual owns the terminal."""
    import textual_image.widget  # noqa: F401


def _image_class() -> Any:
    """The widget class: textual-image's choice on a terminal, half blocks otherwise (a
    browser through ``newstui serve``, tests)."""
    from textual_image.widget import HalfcellImage, Image

    tty = bool(sys.__stdout__ and sys.__stdout__.isatty())
    return Image if tty else HalfcellImage


class ArticleImages(Vertical):
    """The images of one article, one under the other, and a line per image not shown."""

    DEFAULT_CSS = f"""
    ArticleImages {{
        position: absolute;
        width: auto;
        height: auto;
    }}
    ArticleImages > .article-image {{
        width: auto;
        height: {IMAGE_ROWS};
        margin-bottom: 1;
    }}
    ArticleImages > .article-images-note {{
        width: auto;
        height: 1;
        color: $text-muted;
    }}
    """

    def __init__(self, images: list[PILImage], notes: list[str]) -> None:
        super().__init__()
        self.images = images
        self.notes = notes

    @property
    def rows(self) -> int:
        """The lines it takes."""
        return 1 + len(self.images) * (IMAGE_ROWS + 1) + len(self.notes)

    def compose(self) -> ComposeResult:
        count = len(self.images)
        head = f"{count} image{'s' if count != 1 else ''}" if count else "Images"
        yield Static(Text(head, style="bold"), classes="article-images-note")
        image_class = _image_class()
        for image in self.images:
            yield image_class(image, classes="article-image")
        for note in self.notes:
            yield Static(Text(one_line(note)[:300]), classes="article-images-note")


def _load(paths: list[Path]) -> tuple[list[PILImage], list[str]]:
    """The images decoded and shrunk to :data:`DISPLAY_PIXELS` (in a worker thread)."""
    from PIL import Image

    images: list[PILImage] = []
    notes: list[str] = []
    for path in paths:
        try:
            with Image.open(path) as img:
                img.draft("RGB", (DISPLAY_PIXELS, DISPLAY_PIXELS))
                small = img.convert("RGBA") if img.mode not in ("RGB", "RGBA") else img.copy()
            small.thumbnail((DISPLAY_PIXELS, DISPLAY_PIXELS))
            images.append(small)
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            notes.append(f"an image could not be read: {type(exc).__name__}")
    return images, notes


def _may_have_images(article: Article) -> bool:
    """Whether ``article`` can have images (Markdown, HTML): no worker for the others."""
    suffix = article.path.suffix.lower() if article.path is not None else ""
    return article.format == "markdown" or suffix in (".md", ".markdown", ".html", ".htm")


class ReaderImages:
    """One reader's images: found and cached in a worker, shown in a gallery after the text."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.article_id: str | None = None
        self.gallery: ArticleImages | None = None

    def _enabled(self) -> bool:
        return bool(getattr(getattr(self.reader.app, "settings", None), "images", True))

    def shown(self, article: Article | None) -> None:
        """Called by ``Reader.show``: the images of ``article`` (kept while the same article
        is shown again, e.g. with its full text)."""
        if article is not None and article.id == self.article_id:
            return
        self._clear()
        if article is None or not self._enabled() or not _may_have_images(article):
            return
        self.article_id = article.id
        wanted = article.id

        def work() -> None:
            from newstui.core.fetch.images import cache_article_images

            paths, refused = cache_article_images(article)
            images, notes = _load(paths)
            notes = [f"not shown: {why}" for why in refused] + notes
            self.reader.app.call_from_thread(self._ready, wanted, images, notes)

        self.reader.run_worker(work, thread=True, exclusive=True, group="article-images")

    def _clear(self) -> None:
        self.article_id = None
        if self.gallery is not None:
            self.gallery.remove()
            self.gallery = None

    def _ready(self, article_id: str, images: list[PILImage], notes: list[str]) -> None:
        if article_id != self.article_id or not (images or notes):
            return
        self.gallery = ArticleImages(images, notes)
        self.reader.mount(self.gallery)
        self.reader.relayout()

    def extend(self, lines: list[Line], text_width: int) -> list[Line]:
        """``lines`` and the blank lines the gallery is drawn over (called at each layout)."""
        gallery = self.gallery
        if gallery is None:
            return lines
        reader = self.reader
        blank: list[Line] = [[] for _ in range(gallery.rows + 1)]
        region = reader.scrollable_content_region
        width = region.width
        if len(lines) + len(blank) > region.height and not reader.show_vertical_scrollbar:
            width -= reader.styles.scrollbar_size_vertical  # the scrollbar these lines bring
        pad = max(0, (width - text_width) // 2)
        gallery.styles.offset = (pad, len(lines) + 1)
        gallery.styles.width = text_width
        return [*lines, *blank]
