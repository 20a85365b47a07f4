"""Articles' images: which ones an article has, and a size-capped offline cache of them.

- :func:`image_urls` - the http(s) image addresses of an article: ``![alt](url)`` in a
  Markdown body, ``<img src>`` in an HTML file, and the ``images:`` list ``newstui fetch``
  writes into a fetched article's front matter (the feed's ``<img>``\\ s). Relative addresses
  are resolved against the article's web address; anything that is not http(s) after that
  (``file:``, ``data:``, a local path) is left out: images are never read from disk or any
  other scheme.
- :class:`ImageCache` - downloaded images in ``cache_dir()/images`` (one file per URL hash,
  atomic writes), each at most :data:`MAX_IMAGE_BYTES` and :data:`MAX_IMAGE_PIXELS`, checked
  by Pillow from the image's header before it is kept; a refused image is remembered (a small
  ``.refused`` note) so it is not downloaded again on every open.

Blocking: call from a thread worker (or ``newstui fetch``'s worker threads).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from newstui.core.atomic import write_atomic
from newstui.core.fetch.http import FetchError, HttpOptions, http_get, make_client
from newstui.core.paths import cache_dir

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 12_000_000  # e.g. 4000 x 3000
MAX_IMAGE_SIDE = 10_000
#: Images shown (and cached) per article at most.
MAX_IMAGES = 8
#: Bytes of an article file read to find its images (front matter, HTML).
MAX_SCAN_BYTES = 2 * 1024 * 1024
IMAGE_ACCEPT = "image/png, image/jpeg, image/gif, image/webp;q=0.9, image/*;q=0.5"
FORMATS = frozenset({"PNG", "JPEG", "GIF", "WEBP", "BMP"})

# ![alt](url "title"): the alt text is a run of non-] characters, the URL a run of
# non-space non-) characters: character classes only, linear whatever the text.
_MD_IMAGE = re.compile(r"!\[[^\]\n]{0,500}\]\(\s{0,20}<?([^\s)>]{1,4096})")


class ImageRefused(Exception):
    """An image newstui will not fetch or keep; ``str()`` says why (one line)."""


def _web(url: str, base: str) -> str:
    """``url`` resolved against ``base`` when ``base`` is a web address; ``""`` unless the
    result is http(s)."""
    url = url.strip()
    if not url or len(url) > 4096:
        return ""
    if base.lower().startswith(("http://", "https://")):
        url = urljoin(base, url)
    scheme = urlsplit(url).scheme.lower()
    return url if scheme in ("http", "https") else ""


def _unique(urls: list[str]) -> list[str]:
    return list(dict.fromkeys(u for u in urls if u))[:MAX_IMAGES]


def markdown_image_urls(body: str, base: str = "") -> list[str]:
    return _unique([_web(m.group(1), base) for m in _MD_IMAGE.finditer(body)])


def html_image_urls(html: str, base: str = "") -> list[str]:
    """``<img src>`` of an HTML document or fragment (lexbor: linear; bounded input)."""
    if "<img" not in html.lower():
        return []
    from selectolax.lexbor import LexborHTMLParser

    from newstui.core.loaders.htmlpage import MAX_DEPTH, nesting_depth

    html = html[:MAX_SCAN_BYTES]
    if nesting_depth(html) > MAX_DEPTH:
        return []
    tree = LexborHTMLParser(html)
    urls = []
    for node in tree.css("img"):
        src = node.attributes.get("src") or ""
        urls.append(_web(str(src), base))
        if len(urls) > MAX_IMAGES * 4:
            break
    return _unique(urls)


def front_matter(path: Path) -> dict[str, Any]:
    """The YAML front matter of a Markdown file (at most 64 KB of it), else ``{}``."""
    try:
        with path.open("rb") as fh:
            head = fh.read(64 * 1024).decode("utf-8", "replace")
    except OSError:
        return {}
    if not head.startswith("---"):
        return {}
    end = head.find("\n---", 3)
    if end < 0:
        return {}
    import yaml

    try:
        meta = yaml.safe_load(head[3:end])
    except yaml.YAMLError:
        return {}
    return meta if isinstance(meta, dict) else {}


def image_urls(article: Any) -> list[str]:
    """The http(s) images of ``article`` (a :class:`~newstui.core.article.Article`), at most
    :data:`MAX_IMAGES`, in the order they appear. Reads its file (bounded) for HTML and for
    a fetched article's front matter."""
    base = str(getattr(article, "url", "") or "")
    path: Path | None = getattr(article, "path", None)
    fmt = getattr(article, "format", "")
    urls: list[str] = []
    suffix = path.suffix.lower() if path is not None else ""
    if path is not None and suffix in (".md", ".markdown"):
        listed = front_matter(path).get("images")
        if isinstance(listed, list):
            urls += [_web(str(u), base) for u in listed[: MAX_IMAGES * 4] if isinstance(u, str)]
    if fmt == "markdown":
        urls += markdown_image_urls(str(getattr(article, "body", "")), base)
    if path is not None and suffix in (".html", ".htm"):
        try:
            with path.open("rb") as fh:
                html = fh.read(MAX_SCAN_BYTES).decode("utf-8", "replace")
        except OSError:
            html = ""
        urls += html_image_urls(html, base)
    return _unique(urls)


def check_image(data: bytes) -> tuple[int, int]:
    """The (width, height) of an image newstui keeps; raises :class:`ImageRefused`."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageRefused(f"larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:  # reads the header only
            fmt, (width, height) = img.format, img.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ImageRefused("not an image newstui can read") from None
    if fmt not in FORMATS:
        raise ImageRefused(f"a {fmt} image (newstui shows PNG, JPEG, GIF, WebP and BMP)")
    if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE or width * height > MAX_IMAGE_PIXELS:
        raise ImageRefused(
            f"{width} x {height} pixels is more than the {MAX_IMAGE_PIXELS:,} pixels newstui shows"
        )
    return width, height


class ImageCache:
    """Images by URL in ``folder`` (default ``cache_dir()/images``)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else cache_dir() / "images"

    def path(self, url: str) -> Path:
        key = hashlib.blake2b(url.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        return self.folder / f"{key}.img"

    def _refused_path(self, url: str) -> Path:
        return self.path(url).with_suffix(".refused")

    def cached(self, url: str) -> Path | None:
        path = self.path(url)
        return path if path.is_file() else None

    def refused(self, url: str) -> str | None:
        try:
            return self._refused_path(url).read_text(encoding="utf-8")[:300] or "refused"
        except OSError:
            return None

    def fetch(
        self,
        url: str,
        *,
        client: Any = None,
        opts: HttpOptions | None = None,
        cancel: threading.Event | None = None,
    ) -> Path:
        """The cached file of the image at ``url``, downloading it first when needed; raises
        :class:`ImageRefused` (not http(s), too large, not an image, unreachable)."""
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            raise ImageRefused("not an http(s) address")
        found = self.cached(url)
        if found is not None:
            return found
        why = self.refused(url)
        if why is not None:
            raise ImageRefused(why)
        opts = opts or HttpOptions(timeout=15.0, retries=1)
        if opts.max_bytes > MAX_IMAGE_BYTES:
            from dataclasses import replace

            opts = replace(opts, max_bytes=MAX_IMAGE_BYTES)
        own = client is None
        client = client if client is not None else make_client(opts, pool=1)
        try:
            resp = http_get(client, url, opts, accept=IMAGE_ACCEPT, cancel=cancel)
        except FetchError as exc:
            message = str(exc)
            if "too large" in message:
                self._refuse(url, message)
            raise ImageRefused(message) from None
        finally:
            if own:
                client.close()
        try:
            check_image(resp.content)
        except ImageRefused as exc:
            self._refuse(url, str(exc))
            raise
        path = self.path(url)
        write_atomic(path, resp.content, create_folder=True, refuse_links=True, fsync=False)
        return path

    def _refuse(self, url: str, why: str) -> None:
        with contextlib.suppress(OSError):
            write_atomic(self._refused_path(url), why, create_folder=True, fsync=False)


def cache_article_images(
    article: Any, cache: ImageCache | None = None, *, opts: HttpOptions | None = None
) -> tuple[list[Path], list[str]]:
    """The cached files of ``article``'s images (downloading those not cached yet), and one
    line per image refused."""
    cache = cache or ImageCache()
    paths: list[Path] = []
    refused: list[str] = []
    urls = image_urls(article)
    if not urls:
        return paths, refused
    opts = opts or HttpOptions(timeout=15.0, retries=1, max_bytes=MAX_IMAGE_BYTES)
    client = None
    try:
        for url in urls:
            if cache.cached(url) is None and client is None:
                client = make_client(opts, pool=2)
            try:
                paths.append(cache.fetch(url, client=client, opts=opts))
            except ImageRefused as exc:
                refused.append(f"{url}: {exc}")
            except OSError as exc:
                refused.append(f"{url}: cannot keep it: {exc.strerror or exc}")
    finally:
        if client is not None:
            client.close()
    return paths, refused


__all__ = [
    "MAX_IMAGES",
    "MAX_IMAGE_BYTES",
    "MAX_IMAGE_PIXELS",
    "ImageCache",
    "ImageRefused",
    "cache_article_images",
    "check_image",
    "html_image_urls",
    "image_urls",
    "markdown_image_urls",
]
