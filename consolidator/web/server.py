"""`consolidator serve`: the round's web page on uvicorn, a well-kept ASGI server (it is
Starlette's own), one process, bound to the address given (127.0.0.1 unless told)."""

from __future__ import annotations

import gc
import socket
from collections.abc import Callable
from pathlib import Path

import uvicorn

from .app import make_app


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, made here so that port 0 (any free one) can be told to the clerk."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def address(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def serve(folder: Path, host: str, port: int, lang: str, announce: Callable[[str], None]) -> None:
    """Serve the round until interrupted; `announce` is told the office's address first."""
    # A command pauses the cyclic collector for its batch work (gcpause.py); a server runs
    # for days and makes cycles with every request, so it collects as usual.
    gc.enable()
    app = make_app(folder, lang)
    sock = bind(host, port)
    announce(address(host, sock.getsockname()[1]))
    # No access log: a unit's link is its key, and a log line would keep it in the clear.
    # Forwarded headers are trusted from 127.0.0.1 only (uvicorn's default): behind a local
    # reverse proxy, its HTTPS and the visitor's address are then seen.
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", server_header=False,
                            proxy_headers=True)
    uvicorn.Server(config).run(sockets=[sock])
