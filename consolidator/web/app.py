"""The web page (DESIGN.md §8): a thin Starlette layer over `service.RoundService`.

Each route parses the request, calls one method of the service, renders one template.
Starlette because it is a small, well-kept ASGI toolkit (datasette's model: an app, its
routes and an in-process test client, nothing more); Jinja2 templates with autoescaping,
so every text a unit typed is shown as text; uvicorn serves it (server.py). The work a
route asks for (reading a unit's file, consolidating) blocks, so it runs in a thread, at
most one per core at a time for receiving.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from urllib.parse import quote

import anyio
import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from ..access import token_digest
from ..errors import ConsolidatorError
from ..messages import labels_of
from ..model import ReceivedSource, make_issue
from ..xlsx import Limits
from . import views
from .guard import (HEADERS, LOGIN_COOKIE, SESSION_COOKIE, Csrf, RateLimiter, RateLimits, Session, Sessions,
                    cookie_options)
from .service import RoundService
from .uploads import FormRefused, UploadedFile, read_form

HERE = Path(__file__).parent
OFFICE_MAX_FILES = 50
OFFICE_MAX_BODY = 100 * 2 ** 20  # several emailed files at once; each still capped at the file cap
FORM_OVERHEAD = 2 ** 20  # a multipart body's boundaries and headers beside the file


class Limited(Exception):
    """Over a rate limit: 429, the same for a real link and a made-up one."""


class Web:
    """The app's state: the round served, the limits, the sessions and CSRF keys."""

    def __init__(self, service: RoundService, limits: RateLimits, lang: str = "vi"):
        self.service, self.lang = service, lang
        self.by_address = RateLimiter(limits.per_address, limits.window_seconds)
        self.by_token = RateLimiter(limits.per_token, limits.window_seconds)
        self.logins = RateLimiter(limits.logins, limits.window_seconds)
        self.sessions, self.csrf = Sessions(), Csrf()
        self.receiving = anyio.CapacityLimiter(os.cpu_count() or 1)
        self.max_file = Limits().max_file_bytes
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                                 undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        env.globals.update(t=labels_of("web_", lang), rp=labels_of("rp_", lang), wb=labels_of("wb_", lang),
                           quote=quote, lang=lang, ReceivedSource=ReceivedSource)
        env.filters.update(views.filters(lang))
        self.templates = Jinja2Templates(env=env)

    def page(self, request: Request, name: str, status: int = 200, **context) -> Response:
        return self.templates.TemplateResponse(request, name, context, status_code=status)

    async def run(self, fn: Callable, *args, limiter=None):
        return await anyio.to_thread.run_sync(partial(fn, *args), limiter=limiter)

    @contextlib.contextmanager
    def scratch(self) -> Iterator[Path]:
        """A folder of this request's own for what it uploads, removed when it is answered."""
        base = self.service.scratch / "uploads"
        base.mkdir(parents=True, exist_ok=True)
        path = Path(tempfile.mkdtemp(dir=base))
        try:
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)

    def office(self, request: Request) -> Session | None:
        return self.sessions.get(request.cookies.get(SESSION_COOKIE))


def web(request: Request) -> Web:
    return request.app.state.web


# --- a unit's page --------------------------------------------------------------------------------


async def _unit(request: Request) -> tuple[str, str]:
    """The unit of the link asked for, and the token; 404 as for any page that does not exist."""
    w = web(request)
    if not w.by_address.allow(_address(request)):
        raise Limited()
    token = request.path_params["token"]
    unit = await w.run(w.service.unit_of, token)
    if unit is None:
        raise HTTPException(404)
    return unit, token


def _address(request: Request) -> str:
    return request.client.host if request.client else "?"


def _unit_context(w: Web, token: str, page, problem=None, choose: bool = False) -> dict:
    return {"p": page, "token": token, "csrf": w.csrf.token("unit:" + token_digest(token)), "problem": problem,
            "choose": choose}


async def unit_home(request: Request) -> Response:
    w = web(request)
    unit, token = await _unit(request)
    return w.page(request, "unit.html", **_unit_context(w, token, await w.run(w.service.unit_page, unit)))


async def unit_upload(request: Request) -> Response:
    w = web(request)
    unit, token = await _unit(request)
    if not w.by_token.allow(token_digest(token)):
        raise Limited()
    with w.scratch() as scratch:
        form = await read_form(request.headers, request.stream(), scratch, w.max_file, 1, w.max_file + FORM_OVERHEAD)
        if not w.csrf.valid("unit:" + token_digest(token), form.fields.get("csrf")):
            return w.page(request, "refused.html", 403, reason="web_refused_csrf")
        upload = form.files[0] if form.files else None
        if upload is None or upload.path is None:
            page = await w.run(w.service.unit_page, unit)
            context = _unit_context(w, token, page, _too_large(w, upload) if upload else None, upload is None)
            return w.page(request, "unit.html", 413 if upload else 400, **context)
        page = await w.run(w.service.unit_upload, unit, upload, limiter=w.receiving)
    return w.page(request, "unit.html", **_unit_context(w, token, page))


def _too_large(w: Web, upload: UploadedFile):
    return make_issue("file-too-large", value=upload.name,
                      params={"reason": f"{upload.size / 2 ** 20:.1f} MiB > {w.max_file / 2 ** 20:.0f} MiB"})


async def unit_copy(request: Request) -> Response:
    w = web(request)
    unit, _ = await _unit(request)
    found = await w.run(w.service.annotated_copy, unit, request.path_params["number"])
    return _download(found)


async def unit_appendix(request: Request) -> Response:
    w = web(request)
    unit, _ = await _unit(request)
    path = await w.run(w.service.blank_appendix, unit)
    return _download((path, path.name) if path else None)


def _download(found: tuple[Path, str] | None) -> Response:
    if found is None:
        raise HTTPException(404)
    path, name = found
    return FileResponse(path, filename=name, media_type="application/octet-stream")


# --- the office: logging in and out --------------------------------------------------------------


async def login_form(request: Request) -> Response:
    w = web(request)
    if w.office(request):
        return RedirectResponse("/office", 303)
    nonce = request.cookies.get(LOGIN_COOKIE) or os.urandom(16).hex()
    response = w.page(request, "login.html", csrf=w.csrf.token("login:" + nonce), wrong=False)
    response.set_cookie(LOGIN_COOKIE, nonce, **cookie_options(_https(request), "/office", 3600))
    return response


async def login(request: Request) -> Response:
    w = web(request)
    if not w.logins.allow(_address(request)):
        raise Limited()
    form = await request.form(max_files=0, max_fields=4)
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    if not nonce or not w.csrf.valid("login:" + nonce, str(form.get("csrf", ""))):
        return w.page(request, "refused.html", 403, reason="web_refused_csrf")
    if not await w.run(w.service.password_ok, str(form.get("password", ""))):
        return w.page(request, "login.html", 401, csrf=w.csrf.token("login:" + nonce), wrong=True)
    session = w.sessions.start()
    await w.run(w.service.log, "login", f"office-web:{_address(request)}")
    response = RedirectResponse("/office", 303)
    response.set_cookie(SESSION_COOKIE, session.sid, **cookie_options(_https(request), "/"))
    response.delete_cookie(LOGIN_COOKIE, path="/office")
    return response


def _https(request: Request) -> bool:
    return request.url.scheme == "https"


async def logout(request: Request) -> Response:
    w = web(request)
    session = w.office(request)
    form = await request.form(max_files=0, max_fields=4)
    if session is not None and w.csrf.valid("office:" + session.sid, str(form.get("csrf", ""))):
        w.sessions.end(session.sid)
    elif session is not None:
        return w.page(request, "refused.html", 403, reason="web_refused_csrf")
    response = RedirectResponse("/office/login", 303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- the office's pages ---------------------------------------------------------------------------


def office_page(handler: Callable) -> Callable:
    """An office route: to the login page without a session; its forms get the session's CSRF token."""
    async def route(request: Request) -> Response:
        w = web(request)
        session = w.office(request)
        if session is None:
            return RedirectResponse("/office/login", 303)
        return await handler(request, w, w.csrf.token("office:" + session.sid), session)
    return route


@office_page
async def overview(request: Request, w: Web, csrf: str, session: Session) -> Response:
    return w.page(request, "overview.html", g=await w.run(w.service.glance), csrf=csrf)


@office_page
async def office_unit(request: Request, w: Web, csrf: str, session: Session) -> Response:
    found = await w.run(w.service.unit_file, request.path_params["code"])
    if found is None:
        raise HTTPException(404)
    return w.page(request, "office_unit.html", u=found, csrf=csrf)


@office_page
async def receive_form(request: Request, w: Web, csrf: str, session: Session) -> Response:
    return w.page(request, "receive.html", csrf=csrf, said=None, bad_time=None, received_at="")


@office_page
async def office_receive(request: Request, w: Web, csrf: str, session: Session) -> Response:
    with w.scratch() as scratch:
        form = await read_form(request.headers, request.stream(), scratch, w.max_file, OFFICE_MAX_FILES,
                               OFFICE_MAX_BODY)
        if not w.csrf.valid("office:" + session.sid, form.fields.get("csrf")):
            return w.page(request, "refused.html", 403, reason="web_refused_csrf")
        when = form.fields.get("received_at", "")
        try:
            said = await w.run(w.service.office_receive, form.files, when, f"office-web:{_address(request)}",
                               limiter=w.receiving)
        except ConsolidatorError:
            return w.page(request, "receive.html", 400, csrf=csrf, said=None, bad_time=when, received_at=when)
    too_large = [_too_large(w, f) for f in form.files if f.path is None]
    return w.page(request, "receive.html", csrf=csrf, said=too_large + said, bad_time=None, received_at=when)


@office_page
async def downloads(request: Request, w: Web, csrf: str, session: Session) -> Response:
    return w.page(request, "downloads.html", d=w.service.downloads(), csrf=csrf)


@office_page
async def consolidate(request: Request, w: Web, csrf: str, session: Session) -> Response:
    form = await request.form(max_files=0, max_fields=4)
    if not w.csrf.valid("office:" + session.sid, str(form.get("csrf", ""))):
        return w.page(request, "refused.html", 403, reason="web_refused_csrf")
    await w.run(w.service.consolidate, f"office-web:{_address(request)}")
    return RedirectResponse("/office/downloads", 303)


@office_page
async def download(request: Request, w: Web, csrf: str, session: Session) -> Response:
    name = request.path_params["name"]
    path = await w.run(w.service.output, name)
    return _download((path, name) if path else None)


@office_page
async def office_file(request: Request, w: Web, csrf: str, session: Session) -> Response:
    kind, number = request.path_params["kind"], request.path_params["number"]
    if kind not in ("copy", "file"):
        raise HTTPException(404)
    fn = w.service.annotated_copy if kind == "copy" else w.service.stored_file
    return _download(await w.run(fn, None, number))


@office_page
async def results(request: Request, w: Web, csrf: str, session: Session) -> Response:
    which = request.path_params["which"]
    if which not in ("summary", "low", "charts"):
        raise HTTPException(404)
    c = w.service.consolidation
    return w.page(request, f"{which}.html", c=c, csrf=csrf, v=views.results(c, w.service.chart()) if c else None)


async def home(request: Request) -> Response:
    return RedirectResponse("/office", 303)


# --- the app --------------------------------------------------------------------------------------


async def not_found(request: Request, exc: Exception) -> Response:
    """Every missing page alike, a wrong unit link included: nothing tells a guess from a typo."""
    return web(request).page(request, "not_found.html", 404)


async def limited(request: Request, exc: Exception) -> Response:
    response = web(request).page(request, "refused.html", 429, reason="web_refused_limit")
    response.headers["retry-after"] = str(web(request).by_address.retry_after())
    return response


async def refused(request: Request, exc: FormRefused) -> Response:
    return web(request).page(request, "refused.html", exc.status, reason=exc.reason)


class SecurityHeaders:
    """The headers of guard.HEADERS on every response, pages, files and errors alike."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k.encode(), v.encode()) for k, v in HEADERS.items() if k.encode() not in names]
            await send(message)

        await self.app(scope, receive, with_headers)


def make_app(folder: Path, lang: str = "vi", limits: RateLimits | None = None) -> Starlette:
    """The web page of one round folder."""
    routes = [
        Route("/", home),
        Route("/u/{token}", unit_home, methods=["GET"]),
        Route("/u/{token}", unit_upload, methods=["POST"]),
        Route("/u/{token}/copy/{number:int}", unit_copy),
        Route("/u/{token}/appendix", unit_appendix),
        Route("/office", overview),
        Route("/office/login", login_form, methods=["GET"]),
        Route("/office/login", login, methods=["POST"]),
        Route("/office/logout", logout, methods=["POST"]),
        Route("/office/unit/{code}", office_unit),
        Route("/office/receive", receive_form, methods=["GET"]),
        Route("/office/receive", office_receive, methods=["POST"]),
        Route("/office/downloads", downloads),
        Route("/office/consolidate", consolidate, methods=["POST"]),
        Route("/office/download/{name}", download),
        Route("/office/{kind:str}/{number:int}", office_file),
        Route("/office/{which}", results),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found, Limited: limited, FormRefused: refused})
    app.state.web = Web(RoundService(folder, lang), limits or RateLimits(), lang)
    app.add_middleware(SecurityHeaders)
    return app
