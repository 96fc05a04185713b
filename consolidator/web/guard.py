"""The web page's defences (issue 14, Security): rate limits, the office's sessions, CSRF
tokens and the headers every response carries.

Everything here lives in the server's memory: a restart logs the office out and forgets
the counts, which costs a login and nothing else. The store keeps no session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field

# No script at all, styles only from our own file, nothing framed; forms post only here.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    # a unit's link is its key: never sent on to another site in a Referer
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}
SESSION_COOKIE = "phien"
LOGIN_COOKIE = "dang-nhap"
SESSION_SECONDS = 8 * 3600  # a working day, then log in again


@dataclass(frozen=True)
class RateLimits:
    """How many requests a window allows; far above what a person does, far below a guesser."""

    per_address: int = 120  # requests to a unit's page, per address
    per_token: int = 30  # uploads at one unit's link
    logins: int = 10  # login attempts per address
    window_seconds: float = 600.0


class RateLimiter:
    """A sliding window of request times per key (an address, a token's hash), in memory.

    At most `most_keys` keys are kept, the least recently seen dropped first, so a flood of
    made-up tokens or addresses cannot grow it without bound.
    """

    def __init__(self, limit: int, window: float, most_keys: int = 20_000):
        self.limit, self.window, self.most_keys = limit, window, most_keys
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count one request for `key`; False when it is over the limit (not counted then)."""
        now = time.monotonic()
        with self._lock:
            times = self._seen.pop(key, None) or deque()
            while times and now - times[0] > self.window:
                times.popleft()
            allowed = len(times) < self.limit
            if allowed:
                times.append(now)
            self._seen[key] = times
            while len(self._seen) > self.most_keys:
                self._seen.popitem(last=False)
            return allowed

    def retry_after(self) -> int:
        return int(self.window)


@dataclass
class Session:
    sid: str
    csrf: str
    expires: float = field(default_factory=lambda: time.monotonic() + SESSION_SECONDS)


class Sessions:
    """The office's logged-in browsers: a random id in an HttpOnly cookie, kept here."""

    def __init__(self) -> None:
        self._by_id: dict[str, Session] = {}
        self._lock = threading.Lock()

    def start(self) -> Session:
        session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32))
        with self._lock:
            now = time.monotonic()
            self._by_id = {k: s for k, s in self._by_id.items() if s.expires > now}
            self._by_id[session.sid] = session
        return session

    def get(self, sid: str | None) -> Session | None:
        if not sid:
            return None
        with self._lock:
            session = self._by_id.get(sid)
            if session is None or session.expires <= time.monotonic():
                self._by_id.pop(sid, None)
                return None
            return session

    def end(self, sid: str | None) -> None:
        with self._lock:
            self._by_id.pop(sid or "", None)


class Csrf:
    """CSRF tokens bound to what a form belongs to: an office session, a unit's link, a
    browser about to log in. HMAC with a key made when the server starts, so a token
    cannot be made without the key nor moved to another context."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def token(self, context: str) -> str:
        return hmac.new(self._key, context.encode(), hashlib.sha256).hexdigest()

    def valid(self, context: str, sent: str | None) -> bool:
        return bool(sent) and hmac.compare_digest(self.token(context), sent)


def cookie_options(https: bool, path: str, max_age: int | None = SESSION_SECONDS) -> dict[str, object]:
    """A cookie only our pages send back: never to script, never from another site, over HTTPS only when served so."""
    return {"httponly": True, "samesite": "strict", "secure": https, "path": path, "max_age": max_age}
