"""Who may open what on the web page (DESIGN.md §8): each unit's private link and the office's password.

A unit's link carries a token of 256 random bits (`secrets.token_urlsafe(32)`); the store
keeps only its SHA-256. A fast hash is enough there: a slow hash makes guessing a *weak*
secret (a password a person chose) expensive, but 2^256 tokens cannot be guessed at any
speed, and a stolen store gives no token back either way. The office's password is a
person's choice, so it is kept as a salted scrypt hash (hashlib's, memory-hard, no extra
package), with the parameters stored beside it so they can be raised later.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from .model import PasswordRecord
from .store import Store

TOKEN_BYTES = 32
LINK_PATH = "/u/"
# scrypt at N=2^15, r=8: 32 MiB and about 0.1 s a try here, OWASP's recommended floor.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 15, 8, 1
_SCRYPT_MAXMEM = 64 * 2 ** 20
SALT_BYTES = 16
MIN_PASSWORD = 8


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def link_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + LINK_PATH + token


def new_links(units: Iterable[str], base_url: str) -> tuple[dict[str, str], dict[str, str]]:
    """A fresh link for each unit: (unit → URL for its appendix, unit → token SHA-256 for the store)."""
    urls, digests = {}, {}
    for unit in units:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        urls[unit], digests[unit] = link_url(base_url, token), token_digest(token)
    return urls, digests


def unit_of_token(store: Store, token: str) -> str | None:
    """The unit whose current link holds this token, or None (a wrong, old or absent token)."""
    if not token or len(token) > 4 * TOKEN_BYTES:
        return None
    return store.unit_of_link(token_digest(token))


def hash_password(password: str) -> PasswordRecord:
    salt = secrets.token_bytes(SALT_BYTES)
    return PasswordRecord("scrypt", salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, _scrypt(password, salt, SCRYPT_N, SCRYPT_R,
                                                                                 SCRYPT_P))


def password_matches(record: PasswordRecord | None, password: str) -> bool:
    """Whether a password typed is the office's, compared in constant time."""
    if record is None or record.scheme != "scrypt":
        return False
    return hmac.compare_digest(_scrypt(password, record.salt, record.n, record.r, record.p), record.hash)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8", "surrogatepass"), salt=salt, n=n, r=r, p=p,
                          maxmem=_SCRYPT_MAXMEM, dklen=32)
