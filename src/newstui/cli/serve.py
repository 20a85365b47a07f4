"""``newstui serve [DIR] [--host 127.0.0.1] [--port 8042]``: the reader in a web browser.

`textual-serve <https://github.com/Textualize/textual-serve>`_ runs one newstui process per
browser tab (:mod:`newstui.cli.serve_child`, which calls the
app factory :func:`newstui.ui.app.create_app` through ``run_app`` on the folders and
settings the ``serve`` command resolved) and relays its terminal to xterm.js.

Who may connect:

- Bound to a loopback address (the default), only this machine can reach the port. The
  ``Host`` header must then name a loopback address (a web page whose domain is re-pointed
  at 127.0.0.1 is refused: "DNS rebinding"), and a WebSocket must come from a page of the
  same origin (a page of another site cannot drive the reader).
- Bound to any other address (``--host 0.0.0.0``), a random token is printed once at start
  and every request must carry it: ``/?token=…`` on the first page, which then sets a
  same-site, HTTP-only cookie the page's other requests (scripts, the WebSocket) carry.
  Without it: HTTP 403.

The check is an aiohttp middleware added to textual-serve's own application (a small
subclass of its ``Server``); textual-serve's routes and handlers are unchanged.
"""

from __future__ import annotations

import argparse
import hmac
import ipaddress
import secrets
import shlex
import socket
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from newstui.cli.common import CliError, number_in_range, resolve_articles_dirs
from newstui.core.text import clean_line, display_path

if TYPE_CHECKING:
    from aiohttp import web

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8042
COOKIE = "newstui_token"
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")

Handler = Callable[["web.Request"], Awaitable["web.StreamResponse"]]


def register(sub: Any) -> None:
    p = sub.add_parser(
        "serve",
        help="serve the reader to a web browser",
        description="Serve the reader to a web browser (textual-serve). Bound to this "
        "machine only (127.0.0.1) unless --host says otherwise; bound to another address, "
        "a one-time token is printed and every request must carry it.",
    )
    p.add_argument(
        "dir",
        nargs="?",
        metavar="DIR",
        help="articles folder (default: $NEWSTUI_ARTICLES, the settings' folders, "
        "./articles, or your data folder); or --dir DIR",
    )
    p.add_argument("--dir", metavar="DIR", dest="dir_option", help="articles folder")
    p.add_argument(
        "--host",
        type=host_arg,
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this machine only; "
        "any other address requires the printed token)",
    )
    p.add_argument(
        "--port",
        type=number_in_range(int, 1, 65535, noun="a port number"),
        default=DEFAULT_PORT,
        help=f"port to listen on (1-65535, default {DEFAULT_PORT})",
    )
    from newstui.cli.commands import add_global_options

    add_global_options(p)
    p.set_defaults(handler=cmd_serve)


def host_arg(value: str) -> str:
    """An argparse ``type``: an IP address or a host name (letters, digits, dots, hyphens)."""
    host = value.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if (
        not host
        or len(host) > 253
        or not set(host) <= _HOST_CHARS
        or not all(0 < len(label) <= 63 for label in labels)
        or any(label.startswith("-") or label.endswith("-") for label in labels)
    ):
        raise argparse.ArgumentTypeError(
            f"not an IP address or host name: {clean_line(repr(value), max_len=80)}"
        )
    return host


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or a name) can only be reached from this machine."""
    name = host.strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def child_command(folders: Sequence[Path], config: str | None) -> str:
    """The shell command textual-serve runs for each browser tab."""
    argv = [sys.executable, "-m", "newstui.cli.serve_child"]
    if config:
        argv += ["--config", str(Path(config).expanduser().absolute())]
    argv += ["--", *(str(f.absolute()) for f in folders)]
    return shlex.join(argv)


def cmd_serve(args: argparse.Namespace) -> int:
    from newstui.cli.commands import _folder_arg
    from newstui.cli.common import settings_from_args

    settings = settings_from_args(args)  # a bad --config fails here, not in every tab
    folders = resolve_articles_dirs(_folder_arg(args), settings)
    host: str = args.host
    port: int = args.port
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise CliError(f"--host: cannot resolve {clean_line(host, max_len=80)!r}", 2) from None
    token = None if is_loopback(host) else secrets.token_urlsafe(24)
    server = make_server(child_command(folders, getattr(args, "config", None)), host, port, token)
    shown = ", ".join(display_path(f) for f in folders)
    url = server.public_url + (f"/?token={token}" if token else "/")
    if _unspecified(host):  # 0.0.0.0 / :: listen everywhere: name this machine instead
        url = url.replace(f"//{_bracketed(host)}:", f"//{socket.gethostname()}:", 1)
    print(f"newstui: serving {shown} on {url}", flush=True)
    if token:
        print(
            "newstui: reachable from other machines; the token above is required "
            "(it changes every time newstui serve starts)",
            flush=True,
        )
    print("newstui: press Ctrl+C to stop", flush=True)
    try:
        server.serve()
    except OSError as exc:
        raise CliError(f"cannot listen on {host} port {port}: {exc.strerror or exc}", 1) from None
    return 0


def make_server(command: str, host: str, port: int, token: str | None) -> Any:
    """A textual-serve ``Server`` for ``command`` that checks who connects (see the module
    docstring); ``token`` is ``None`` on a loopback address."""
    from aiohttp import web
    from textual_serve.server import Server

    loopback = token is None

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if origin and urlsplit(origin).netloc.lower() != (request.host or "").lower():
            raise web.HTTPForbidden(text="newstui: requests from another site are refused\n")
        if loopback:
            if not is_loopback(_host_name(request.host or "")):
                raise web.HTTPForbidden(text="newstui: this server answers to localhost only\n")
            return await handler(request)
        assert token is not None
        given = request.query.get("token")
        if given is not None and hmac.compare_digest(given.encode(), token.encode()):
            response = await handler(request)
            if not response.prepared:
                response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/")
            return response
        cookie = request.cookies.get(COOKIE)
        if cookie is not None and hmac.compare_digest(cookie.encode(), token.encode()):
            return await handler(request)
        raise web.HTTPForbidden(
            text="newstui: a token is required: open the address 'newstui serve' printed\n"
        )

    class GuardedServer(Server):
        async def _make_app(self) -> web.Application:
            app: web.Application = await super()._make_app()
            app.middlewares.append(guard)
            return app

        async def handle_index(self, request: web.Request) -> web.StreamResponse:
            # The page's WebSocket and script addresses name the host the browser used
            # (textual-serve would name the bound address: 0.0.0.0 is no address to visit).
            host = request.host or ""
            if host and set(host) <= _HOST_CHARS | set("[]:"):
                self.public_url = f"{request.scheme}://{host}"
            response: web.StreamResponse = await super().handle_index(request)
            return response

        async def on_startup(self, app: web.Application) -> None:
            return None  # textual-serve's banner prints the command as markup: cmd_serve says it

        def initialize_logging(self) -> None:
            return None  # no access log of every request on the terminal

    server = GuardedServer(
        command,
        host=host,
        port=port,
        title="newstui",
        public_url=f"http://{_bracketed(host)}:{port}",
    )
    return server


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _unspecified(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


def _host_name(host_header: str) -> str:
    """The host of a ``Host`` header (``[::1]:8042`` -> ``::1``, ``a:80`` -> ``a``)."""
    if host_header.startswith("["):
        return host_header[1 : host_header.find("]")] if "]" in host_header else host_header
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header
