"""Write a folder of hostile and broken article files (issue 6 item 1).

    uv run python tests/hostile/generate.py DEST [--no-huge]

:func:`write_hostile` returns a :class:`Manifest` saying what each file must do: ``good``
files must load (with the titles listed), ``bad`` ones must be reported with a reason,
``degraded`` ones load with a note. Files that must never be read (the secret the Atom
file's external entity points at) live *outside* the folder.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

MB = 1024 * 1024
SECRET = "S3CRET-TOKEN-do-not-leak-4f1c"
ESC = "\x1b"

# Escape sequences an attacker would like to reach the terminal.
ANSI = {
    "csi_color": f"{ESC}[31;1m",
    "csi_clear": f"{ESC}[2J{ESC}[H",
    "osc_title": f"{ESC}]0;pwned title\x07",
    "osc52_clipboard": f"{ESC}]52;c;cm0gLXJmIH4=\x07",
    "osc8_link": f"{ESC}]8;;https://evil.example/\x1b\\",
    "dcs": f"{ESC}Pq#0;2;0;0;0#0~~@@vv@@~~{ESC}\\",
    "apc": f"{ESC}_Ga=T,f=100;AAAA{ESC}\\",
    "c1_csi": "\x9b2J",
    "c1_osc": "\x9d0;c1 title\x9c",
    "bell_bs": "\x07\x08\x08\x08",
}
ALL_ESCAPES = "".join(ANSI.values())
MARKUP = "[bold red]BOLD[/] [@click=app.quit]click me[/] [link=https://evil.example]x[/link] [/]"
BIDI = "invoice\u202egpj.exe\u202c \u2066isolate\u2069 zero\u200bwidth\u2060join\ufeff"
COMBINING = "Z\u0351\u0300\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308\u0309 a\u0301 e\u0301"
WIDE = "東京で記者会見 📰🗞️ 👩‍👩‍👧‍👦 한국어 ｗｉｄｅ"


@dataclass
class Manifest:
    root: Path
    secret_file: Path
    # file name (relative to root) -> titles that must load from it
    good: dict[str, list[str]] = field(default_factory=dict)
    # file name -> a word the reason must contain
    bad: dict[str, str] = field(default_factory=dict)
    # file name -> a word the degraded note must contain (the file still loads)
    degraded: dict[str, str] = field(default_factory=dict)
    # files/folders that are neither (symlink loops, hidden, folders named like files)
    other: list[str] = field(default_factory=list)


def _w(root: Path, name: str, data: str | bytes) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def write_big(path: Path, size: int, line: bytes, *, header: bytes = b"") -> None:
    """A file of ``size`` bytes made of ``line`` repeated (fast: 1 MB blocks)."""
    block = line * max(1, MB // len(line))
    with path.open("wb") as fh:
        fh.write(header)
        written = len(header)
        while written < size:
            chunk = block[: size - written]
            fh.write(chunk)
            written += len(chunk)


def write_huge_files(dest: Path) -> list[Path]:
    """The huge files (also used by the memory benchmark)."""
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    p = dest / "huge-50mb.txt"
    write_big(
        p,
        50 * MB,
        b"All work and no play makes a dull news day. " * 2 + b"\n",
        header=b"Title: A fifty megabyte article\n\n",
    )
    out.append(p)
    p = dest / "one-5mb-line.txt"
    write_big(p, 5 * MB, b"word ", header=b"Title: One enormous line\n\n")
    out.append(p)
    p = dest / "huge-line.jsonl"
    with p.open("wb") as fh:
        fh.write(json.dumps({"title": "Before the huge line", "body": "ok"}).encode() + b"\n")
        fh.write(b'{"title": "huge", "body": "')
        fh.write(b"x" * (20 * MB))
        fh.write(b'"}\n')
        fh.write(json.dumps({"title": "After the huge line", "body": "ok"}).encode() + b"\n")
    out.append(p)
    p = dest / "huge.html"
    write_big(
        p,
        20 * MB,
        b"<p>Paragraph of a very long page with many words in it.</p>\n",
        header=b"<html><head><title>A huge page</title></head><body>",
    )
    out.append(p)
    return out


def write_hostile(dest: Path, *, huge: bool = True) -> Manifest:
    """Write the hostile folder under ``dest/hostile`` (a secret file next to it)."""
    root = dest / "hostile"
    root.mkdir(parents=True)
    secret = _w(dest, "secret.txt", SECRET + "\n")
    m = Manifest(root=root, secret_file=secret)

    # --- good files that must load whatever their neighbours do
    _w(root, "good/plain.txt", "Title: Plain good article\n\nNothing odd here at all.\n")
    _w(root, "good/front.md", "---\ntitle: Good markdown\ntags: [a]\n---\n\nFine *body*.\n")
    _w(root, "good/list.json", json.dumps([{"title": "Good JSON", "body": "Fine body."}]))
    m.good.update(
        {
            "good/plain.txt": ["Plain good article"],
            "good/front.md": ["Good markdown"],
            "good/list.json": ["Good JSON"],
        }
    )

    # --- encodings and binary
    _w(root, "invalid-utf8.txt", b"Title: Caf\xe9 \xff\xfe broken\n\nBody with \x81\x8d bytes.\n")
    m.degraded["invalid-utf8.txt"] = "UTF-8"
    m.good["invalid-utf8.txt"] = []
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40
    _w(root, "image-really.txt", png)
    _w(root, "binary.md", os.urandom(4096) + b"\x00" * 64)
    _w(root, "binary.json", b"\x00\x01\x02\x03" * 1000)
    m.bad.update({"image-really.txt": "binary", "binary.md": "binary", "binary.json": "binary"})
    _w(root, "nul-bytes.txt", "Title: Has NUL\x00 bytes\n\nBody\x00 with\x00 NULs.\n")
    m.good["nul-bytes.txt"] = ["Has NUL bytes"]
    for name in ("empty.txt", "empty.md", "empty.json", "empty.rss", "empty.html"):
        _w(root, name, b"")
        m.bad[name] = "empty"

    # --- sizes
    if huge:
        big = write_huge_files(root / "huge")
        m.good["huge/huge-50mb.txt"] = ["A fifty megabyte article"]
        m.degraded["huge/huge-50mb.txt"] = "truncated"
        m.good["huge/one-5mb-line.txt"] = ["One enormous line"]
        m.good["huge/huge-line.jsonl"] = ["Before the huge line", "After the huge line"]
        m.bad["huge/huge-line.jsonl"] = "longer than"
        m.good["huge/huge.html"] = ["A huge page"]
        m.degraded["huge/huge.html"] = "truncated"
        assert len(big) == 4
    _w(root, "long-title.txt", "Title: " + "Very long title " * 700 + "\n\nBody.\n")
    m.good["long-title.txt"] = []  # title checked for length in the tests

    # --- HTML
    _w(root, "deep.html", "<html><body>" + "<div>" * 100_000 + "deep text" + "</div>" * 100_000)
    m.other.append("deep.html")  # may load or be reported; must not hang or crash
    _w(
        root,
        "scripts.html",
        "<html><head><title>Scripted page</title><script>document.write('SCRIPT-RAN')</script>"
        "</head><body onload=\"alert('ONLOAD')\"><p>Visible paragraph of the scripted page, "
        "long enough to count as content for the extractor to keep it.</p>"
        '<iframe src="https://evil.example/">IFRAME-TEXT</iframe>'
        "<img src=x onerror=\"alert('ONERROR')\"><style>p{display:none}</style>"
        "<a href=\"javascript:alert('JS-LINK')\">link</a></body></html>",
    )
    m.good["scripts.html"] = ["Scripted page"]

    # --- XML attacks
    lol = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    _w(
        root,
        "billion-laughs.rss",
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [{lol}]>\n<rss version="2.0"><channel>'
        "<title>Bomb</title><item><title>&lol9;</title><description>&lol9;</description>"
        "</item></channel></rss>\n",
    )
    m.bad["billion-laughs.rss"] = "entit"
    _w(
        root,
        "external-entity.atom",
        f'<?xml version="1.0"?>\n<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>XXE &xxe;</title>'
        "<entry><title>Leak &xxe;</title><content>&xxe;</content></entry></feed>\n",
    )
    m.bad["external-entity.atom"] = "entit"
    _w(
        root,
        "parameter-entity.xml",
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY % p SYSTEM "file://{secret}"> %p;]>\n'
        "<rss><channel><item><title>P</title></item></channel></rss>\n",
    )
    m.bad["parameter-entity.xml"] = "entit"
    _w(root, "not-a-feed.xml", '<?xml version="1.0"?><config a="1"/>')
    m.bad["not-a-feed.xml"] = "not an RSS"
    _w(root, "truncated.rss", '<?xml version="1.0"?><rss><channel><item><title>Cut')
    m.other.append("truncated.rss")

    # --- JSON
    _w(root, "deep.json", "[" * 200_000 + "]" * 200_000)
    m.bad["deep.json"] = "nested"
    _w(root, "deep-line.jsonl", '{"title": "Shallow", "body": "ok"}\n' + "[" * 200_000 + "\n")
    m.good["deep-line.jsonl"] = ["Shallow"]
    m.bad["deep-line.jsonl"] = "nested"
    _w(
        root,
        "wrong-types.json",
        json.dumps(
            [
                {
                    "title": 42,
                    "body": ["para one", "para two"],
                    "date": {"x": 1},
                    "tags": {"a": 1},
                    "author": 3.5,
                    "url": ["x"],
                },
                {"title": None, "body": {"nested": "object"}},
                {"title": True, "body": 12345},
                "string entry",
                17,
                None,
                [],
            ]
        ),
    )
    m.good["wrong-types.json"] = ["42"]
    m.bad["wrong-types.json"] = "expected an article object"
    _w(root, "invalid.json", '{"title": "unterminated')
    m.bad["invalid.json"] = "invalid JSON"
    # Past Python's 4,300-digit int limit: the value is ignored, the articles load.
    huge = "9" * 5000
    _w(root, "huge-int.json", f'[{{"title": "Huge number", "body": "x", "n": {huge}}}]')
    m.good["huge-int.json"] = ["Huge number"]
    _w(root, "numbers.jsonl", "1\n" * 20_000)
    m.bad["numbers.jsonl"] = "in a row are not articles"

    # --- HTML that used to hang the scan (quadratic tag regex) or nest 100k deep
    _w(root, "lt-run.html", "<p>Lt run.</p>" + "<" * 300 + "<a" + "b" * 29_000)
    m.other.append("lt-run.html")
    _w(root, "self-closing.html", "<html><body>" + "<div/>" * 100_000 + "x</body></html>")
    m.bad["self-closing.html"] = "nested more than"

    # --- YAML
    marker = dest / "yaml-was-executed"
    _w(
        root,
        "python-object.md",
        f"---\ntitle: !!python/object/apply:os.system ['touch {marker}']\n"
        "author: !!python/name:os.system\n---\n\n# Safe heading\n\nBody.\n",
    )
    m.good["python-object.md"] = ["Safe heading"]
    m.degraded["python-object.md"] = "front matter"
    _w(root, "yaml-list.md", "---\n- just\n- a list\n---\n\n# List front matter\n\nBody.\n")
    m.good["yaml-list.md"] = ["List front matter"]
    m.degraded["yaml-list.md"] = "not a mapping"
    _w(root, "yaml-scalar.md", "---\njust a string\n---\n\n# Scalar front matter\n\nBody.\n")
    m.good["yaml-scalar.md"] = ["Scalar front matter"]
    m.degraded["yaml-scalar.md"] = "not a mapping"
    aliases = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}]\n"
        for i in range(8)
    )
    _w(root, "yaml-bomb.md", f"---\ntitle: YAML bomb\n{aliases}tags: *i\n---\n\nBody.\n")
    m.good["yaml-bomb.md"] = ["YAML bomb"]

    # --- file system tricks
    (root / "loop").symlink_to(root)
    (root / "self-loop.txt").symlink_to(root / "self-loop.txt")
    m.bad["self-loop.txt"] = "loop"
    outside = _w(dest, "outside/real.txt", "Title: Linked from outside\n\nOutside body.\n")
    (root / "link-outside.txt").symlink_to(outside)
    m.good["link-outside.txt"] = ["Linked from outside"]
    (root / "dangling.txt").symlink_to(dest / "does-not-exist.txt")
    m.bad["dangling.txt"] = "broken symlink"
    # Links into system and pseudo folders are not followed; links to one file read it once.
    (root / "environ.txt").symlink_to("/proc/self/environ")
    m.bad["environ.txt"] = "link into /proc"
    (root / "usr").symlink_to("/usr")
    m.bad["usr"] = "system folder"
    (root / "zz-outside-again.txt").symlink_to(outside)
    m.other.append("zz-outside-again.txt")  # the same file as link-outside.txt: one article
    os.mkfifo(root / "x.txt")
    m.bad["x.txt"] = "FIFO"
    (root / "y.md").mkdir()
    _w(root, "y.md/inside.txt", "Title: Inside a folder named y.md\n\nBody.\n")
    m.good["y.md/inside.txt"] = ["Inside a folder named y.md"]
    _w(root, ".hidden.txt", "Title: Hidden\n\nMust not load.\n")
    m.other += ["loop", "y.md", ".hidden.txt"]
    # Hostile file names: an escape sequence, and bytes that are not UTF-8.
    esc_name = f"name-{ESC}]0;pwned\x07-{ESC}[31m-\x9b2J.txt"
    _w(root, esc_name, "Title: Escape in the file name\n\nBody.\n")
    m.good[esc_name] = ["Escape in the file name"]
    raw_name = os.fsdecode(b"name-\xff\xfe-latin1.txt")
    _w(root, raw_name, "Title: Undecodable file name\n\nBody.\n")
    m.good[raw_name] = ["Undecodable file name"]
    _w(root, f"empty-{ESC}[2J.txt", b"")
    m.bad[f"empty-{ESC}[2J.txt"] = "empty"
    for i in range(3):
        _w(root, f"vanish/vanish-{i}.txt", f"Title: Vanishing {i}\n\nGone soon.\n")
        m.other.append(f"vanish/vanish-{i}.txt")

    # --- hostile text in titles and bodies, every format
    _w(
        root,
        "ansi.txt",
        f"Title: ANSI {ALL_ESCAPES}title\nAuthor: {ANSI['osc_title']}Mallory\n\n"
        f"Body {ALL_ESCAPES} end.\n",
    )
    m.good["ansi.txt"] = ["ANSI title"]
    _w(root, "ansi.md", f'---\ntitle: "MD {ANSI["csi_color"]}esc"\n---\n\n{ALL_ESCAPES}\n')
    m.good["ansi.md"] = ["MD esc"]
    _w(
        root,
        "ansi.jsonl",
        json.dumps({"title": f"JSON{ALL_ESCAPES} esc", "body": ALL_ESCAPES + "b"}) + "\n",
    )
    m.good["ansi.jsonl"] = ["JSON esc"]
    _w(
        root,
        "ansi.html",
        f"<html><head><title>HTML {ANSI['osc52_clipboard']}esc</title></head><body><p>"
        f"{ALL_ESCAPES} paragraph text long enough to be kept by the extractor here.</p>"
        "</body></html>",
    )
    m.good["ansi.html"] = ["HTML esc"]
    _w(
        root,
        "ansi.rss",
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Feed &#x1b;[31m</title>'
        "<item><title>RSS \x1b]0;x\x07esc</title><description>&lt;p&gt;\x1b[2J"
        "body&lt;/p&gt;</description></item></channel></rss>",
    )
    m.other.append("ansi.rss")  # may be refused as invalid XML, must not leak escapes
    _w(root, "markup.txt", f"Title: {MARKUP}\n\n{MARKUP}\n")
    m.good["markup.txt"] = [" ".join(MARKUP.split())]
    _w(root, "markup.md", f"# {MARKUP}\n\nBody {MARKUP}\n")
    m.good["markup.md"] = [" ".join(MARKUP.split())]
    _w(root, "bidi.txt", f"Title: {BIDI}\n\n{BIDI}\n")
    m.good["bidi.txt"] = ["invoicegpj.exe isolate zerowidthjoin"]
    _w(root, "combining.txt", f"Title: {COMBINING}\n\n{COMBINING * 50}\n")
    m.good["combining.txt"] = []
    _w(root, "wide.txt", f"Title: {WIDE}\n\n{WIDE * 20}\n")
    m.good["wide.txt"] = [WIDE]
    return m


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("dest", type=Path)
    ap.add_argument("--no-huge", action="store_true")
    args = ap.parse_args()
    m = write_hostile(args.dest, huge=not args.no_huge)
    print(f"wrote {m.root} ({len(m.good)} good, {len(m.bad)} bad)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
