"""What the clerk hands a round: workbooks and folders as they are, and the attachments of
saved emails (.eml) and exported mailboxes (.mbox), each an `Incoming` with its received
time, its source and its sender (DESIGN.md §7).

Everything in an email is its sender's to write, the Date and the file names included, so
it is read as hostile: a message is parsed within byte, header, part and nesting caps; an
attachment over the file cap is refused before it is decoded; a name is only ever shown,
never opened; a Date after now is refused. Messages are parsed one at a time, so a large
mailbox is never held in memory.

The MIME structure is parsed with the stdlib's `compat32` policy, which keeps header
values as text: `email.policy.default` parses every part's Content-Type while parsing, at
about 30 µs a byte (9 s for one 300 KB header) and with recursion a header of nested
comments overflows. The few values read (From, Subject, Date, a part's file name) go
through `email.policy.default`'s header classes, each cut to MAX_VALUE_CHARS first.
The stdlib's `mailbox.mbox` is not used: it opens the file for writing, reads a line
whole however long (a file without line ends is one line) and every message whole.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from email import policy
from email.feedparser import BytesFeedParser
from email.header import decode_header
from email.message import Message
from pathlib import Path
from typing import BinaryIO

from .errors import ReceivedAtError
from .messages import LabelRef
from .model import Incoming, Issue, ReceivedSource, make_issue
from .numbers import show_time
from .validate import CLOCK_SKEW, collect_inputs
from .xlsx import MiB, Limits, os_error_reason

# Caps on what one email may cost, each far above what a unit sends (an appendix of 10 KB,
# a signed report of a few MB; Gmail and Outlook stop a message at 20–25 MB). Module
# constants, so a test can lower them.
# The codes of what is said about a file's arrival (on Incoming.notes), not about its content:
# kept with the file when it is judged again.
ARRIVAL_NOTES = frozenset({"email-no-date", "email-date-in-future"})
MAX_ATTACHMENT_BYTES = Limits().max_file_bytes  # the cap every returned file has (20 MiB)
MAX_MESSAGE_BYTES = 3 * MAX_ATTACHMENT_BYTES  # a message as saved (base64 makes files 4/3 larger)
MAX_HEADER_BYTES = 256 * 1024  # a message's header block (real ones, Received lines and all: ~20 KB)
MAX_VALUE_CHARS = 4096  # of one header value read (From, Subject, Date, Content-Disposition)
MAX_PARTS = 100  # MIME parts walked in one message, nested ones included
MAX_DEPTH = 8  # multiparts and forwarded messages inside each other
MAX_NAME_BYTES = 200  # of a file name in UTF-8 (file systems allow 255; Vietnamese letters take 2–3)
# Boundary lines ("--…") let through to the parser: it builds an object per part before any
# walk can stop it, so a message of a million empty parts is refused while being read.
_MAX_DASH_LINES = 10 * MAX_PARTS
_PIECE = 64 * 1024  # bytes read at a time: a line longer than this comes in pieces

MAILBOX_SUFFIX = ".mbox"
_KINDS = {".eml": "email", MAILBOX_SUFFIX: "mailbox", ".msg": "outlook"}  # .msg: Outlook's own (OLE), not MIME
UNNAMED = "dinh-kem"  # an attachment sent without a name: dinh-kem-2.xlsx (a file name, not a word)
_MAIL_HEADERS = ("from", "date", "subject", "message-id", "mime-version", "content-type", "received", "to")
# Names Windows reserves for devices, whatever the extension (CON.xlsx opens the console).
_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                       *(f"LPT{i}" for i in range(1, 10))})


def incoming(inputs: Sequence[Path], now: datetime, given: datetime | None = None) -> Iterator[Incoming | Issue]:
    """Every file the inputs hold, one at a time, and an Issue for whatever cannot be taken.

    Inputs are files and folders (searched as `validate` searches them). A workbook or any
    other file is received as it is: at `given` (the clerk's `--received-at`, source GIVEN)
    or else at `now` (INTAKE). An .eml file and each message of an .mbox mailbox (also the
    `mbox` file inside the folder Apple Mail exports) give their attachments, received at the
    message's Date (EMAIL) from its From address. `now` is the moment of receiving.
    """
    now = now.astimezone(timezone.utc)
    given = given.astimezone(timezone.utc) if given is not None else None
    for path in collect_inputs(inputs):
        kind = _kind(path)
        if kind == "email":
            yield from _from_email_file(path, now)
        elif kind == "mailbox":
            yield from _from_mailbox(path, now)
        elif kind == "outlook":
            yield make_issue("email-msg-format", value=path.name)
        elif kind == "file":
            yield Incoming(name=safe_name(path.name), received=given or now,
                           source=ReceivedSource.GIVEN if given else ReceivedSource.INTAKE,
                           path=path, origin=path.name)


def _kind(path: Path) -> str:
    """What a path given or found is to the intake, by its name."""
    if path.parent.suffix.lower() == MAILBOX_SUFFIX and path.parent.is_dir():
        # Apple Mail exports a mailbox as a folder "X.mbox" holding "mbox" and its own index
        return "mailbox" if path.name == "mbox" else "skip"
    return _KINDS.get(path.suffix.lower(), "file")


def safe_name(name: str | None, fallback: str = UNNAMED) -> str:
    """A name someone sent, as a plain file name fit to show and to store under.

    The last component under either separator; control and format characters (a
    right-to-left override) dropped, characters Windows refuses replaced by "_", no leading
    or trailing dots and spaces, no device name, at most MAX_NAME_BYTES in UTF-8 with its
    extension kept; NFC, so Vietnamese letters from a Mac read as from Windows. `fallback`
    when nothing is left.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = re.sub(r'[<>:"|?*]', "_", text)
    text = " ".join(text.split()).strip(" .")
    if text.split(".")[0].upper() in _RESERVED:
        text = "_" + text
    return _capped(text) or fallback


def _capped(text: str) -> str:
    if len(text.encode("utf-8")) <= MAX_NAME_BYTES:
        return text
    stem, dot, ext = text.rpartition(".")
    suffix = f".{ext}" if dot and stem and len(ext) <= 10 else ""
    stem = text[: len(text) - len(suffix)]
    room = MAX_NAME_BYTES - len(suffix.encode("utf-8"))
    return stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(" .") + suffix


# --- reading a message within its caps ------------------------------------------------------------


class _Bounded:
    """One message fed to the parser piece by piece; `refusal` says which cap it passed."""

    def __init__(self) -> None:
        self._parser: BytesFeedParser | None = BytesFeedParser(policy=policy.compat32)
        self.size = 0
        self._header = 0
        self._in_header = True
        self._dashes = 0
        self.refusal: dict[str, object] | None = None
        self.failure: str | None = None  # a label: why the parser gave up
        self._waiting: list[bytes] = []
        self._waiting_bytes = 0

    def feed(self, piece: bytes, at_line_start: bool) -> None:
        self.size += len(piece)
        if self._parser is None:
            return
        if self.size > MAX_MESSAGE_BYTES:
            return self._refuse(LabelRef("mail_why_message_size"), limit=_mb(MAX_MESSAGE_BYTES))
        if self._in_header:
            self._header += len(piece)
            if at_line_start and not piece.strip(b"\r\n"):
                self._in_header = False
            elif self._header > MAX_HEADER_BYTES:
                return self._refuse(LabelRef("mail_why_header_size"), limit=MAX_HEADER_BYTES // 1024)
        if at_line_start and piece.startswith(b"--"):
            self._dashes += 1
            if self._dashes > _MAX_DASH_LINES:
                return self._refuse(LabelRef("mail_why_parts_refused"), limit=_MAX_DASH_LINES)
        self._waiting.append(piece)
        self._waiting_bytes += len(piece)
        if self._waiting_bytes >= _PIECE:
            self._flush()

    def _flush(self) -> None:
        # the parser costs per call as well as per line: fed a batch of lines at a time
        batch, self._waiting, self._waiting_bytes = b"".join(self._waiting), [], 0
        if self._parser is None:
            return
        try:
            self._parser.feed(batch)
        except RecursionError:  # parts nested hundreds deep
            self._parser, self.failure = None, "mail_why_nested"

    def _refuse(self, reason: LabelRef, **params: object) -> None:
        self._parser, self.refusal, self._waiting = None, {"reason": reason, **params}, []

    def close(self) -> Message | None:
        """The parsed message, or None when a cap refused it or the parser gave up."""
        self._flush()
        if self._parser is None:
            return None
        parser, self._parser = self._parser, None
        try:
            return parser.close()
        except RecursionError:
            self.failure = "mail_why_nested"
        except Exception:  # the stdlib parser on bytes no mail program wrote; its defects are not for the clerk
            self.failure = "mail_why_damaged"
        return None

    def final_size(self, size: int) -> None:
        """The message's whole size, once known, for the refusal's words."""
        if self.refusal is not None and self.refusal["reason"] == "mail_why_message_size":
            self.refusal["size"] = _mb(size)


def _mb(n: float) -> float:
    return round(n / MiB, 1) if n >= MiB / 10 else round(n / MiB, 4)


def _pieces(fh: BinaryIO) -> Iterator[tuple[bytes, bool]]:
    """The file in lines, each line in pieces of at most _PIECE bytes, with whether the piece starts a line."""
    at_start = True
    while piece := fh.readline(_PIECE):
        yield piece, at_start
        at_start = piece.endswith(b"\n")


def _from_email_file(path: Path, now: datetime) -> Iterator[Incoming | Issue]:
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield make_issue("email-unreadable", value=path.name, params=os_error_reason(exc))
        return
    with fh:
        bounded = _Bounded()
        for piece, at_start in _pieces(fh):
            bounded.feed(piece, at_start)
            if bounded.refusal is not None:
                break
        bounded.final_size(path.stat().st_size)
        yield from _message(bounded, path.name, now)


def _from_mailbox(path: Path, now: datetime) -> Iterator[Incoming | Issue]:
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield make_issue("mailbox-unreadable", value=path.name, params=os_error_reason(exc))
        return
    with fh:
        first = fh.read(5)
        if first != b"From ":
            reason = "mail_why_empty" if not first else "mail_why_no_from_line"
            yield make_issue("mailbox-unreadable", value=path.name, params={"reason": LabelRef(reason)})
            return
        fh.seek(0)
        for number, bounded in enumerate(_split_mailbox(fh), start=1):
            yield from _message(bounded, f"{path.name} #{number}", now)


def _split_mailbox(fh: BinaryIO) -> Iterator[_Bounded]:
    """Each message of an mbox file, read: a line starting "From " starts one (as the stdlib's
    mbox reads it; mail programs write ">From " for such a line inside a message)."""
    bounded: _Bounded | None = None
    for piece, at_start in _pieces(fh):
        if at_start and piece.startswith(b"From "):
            if bounded is not None:
                bounded.final_size(bounded.size)
                yield bounded
            bounded = _Bounded()
        elif bounded is not None:
            bounded.feed(piece, at_start)
    if bounded is not None:
        bounded.final_size(bounded.size)
        yield bounded


# --- a parsed message: who sent it, when, and what it carries ------------------------------------


@dataclass(frozen=True)
class _Envelope:
    """What a message says of itself, and the received time its attachments take."""

    sender: str  # the From address
    shown_sender: str  # the From as written, for messages: "Huyện ủy Kỳ Anh <vp@kyanh.vn>"
    subject: str
    date_shown: str
    received: datetime
    source: ReceivedSource
    notes: tuple[Issue, ...]

    def about(self, origin: str) -> dict[str, object]:
        """The params naming this message in an issue."""
        return {"origin": origin, "subject": self.subject, "sender": self.shown_sender, "date": self.date_shown}


def _message(bounded: _Bounded, origin: str, now: datetime) -> Iterator[Incoming | Issue]:
    msg = bounded.close()
    if bounded.refusal is not None:
        yield make_issue("email-too-large", value=origin, params=bounded.refusal)
        return
    if msg is None or not any(name in msg for name in _MAIL_HEADERS):
        reason = bounded.failure or ("mail_why_empty" if bounded.size == 0 else "mail_why_no_headers")
        yield make_issue("email-unreadable", value=origin, params={"reason": LabelRef(reason)})
        return
    yield from _attachments(msg, _envelope(msg, origin, now, None), origin)


def _envelope(msg: Message, origin: str, now: datetime, outer: _Envelope | None) -> _Envelope:
    """Who sent `msg` and when; inside a forward (`outer`), its own From and Date where it has them.

    A forwarded message's Date is when the unit sent the file, so it is the received time,
    unless it is missing or later than the message forwarding it (the later one is forged).
    """
    sender_header = _header(msg, "from")
    addresses = getattr(sender_header, "addresses", ()) or ()
    sender = _printable(addresses[0].addr_spec) if addresses else ""
    shown_sender = _printable(str(sender_header)) if sender_header is not None else ""
    subject = _printable(str(_header(msg, "subject") or ""))
    date_header = _header(msg, "date")
    date_text = _printable(str(date_header or ""))
    date = getattr(date_header, "datetime", None)
    if date is not None:
        date = (date if date.tzinfo else date.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    shown_date = show_time(date) if date else date_text or "—"
    base = _Envelope(sender, shown_sender, subject, shown_date, now, ReceivedSource.INTAKE, ())
    if outer is not None:
        inner_ok = date is not None and date <= outer.received + CLOCK_SKEW
        return replace(base, sender=sender or outer.sender, shown_sender=shown_sender or outer.shown_sender,
                       **({"received": date, "source": ReceivedSource.EMAIL, "notes": ()} if inner_ok else
                          {"received": outer.received, "source": outer.source, "notes": outer.notes}))
    about = base.about(origin)
    if date is None:
        note = make_issue("email-no-date", value=date_text, params={**about, "received": show_time(now)})
        return replace(base, notes=(note,))
    if date > now + CLOCK_SKEW:
        note = make_issue("email-date-in-future", value=show_time(date), params={**about, "received": show_time(now)})
        return replace(base, notes=(note,))
    return replace(base, received=date, source=ReceivedSource.EMAIL)


def _attachments(msg: Message, envelope: _Envelope, origin: str) -> Iterator[Incoming | Issue]:
    """The attachments of a message, forwarded messages' included, in the order they come."""
    stack: list[tuple[Message, int, _Envelope, str]] = [(msg, 0, envelope, "")]
    walked = found = 0
    capped = False  # some parts were left unread: "no attachment" could not be said
    while stack:
        part, depth, env, parent = stack.pop()
        walked += 1
        if walked > MAX_PARTS:
            yield make_issue("email-too-large", value=origin, params={"reason": LabelRef("mail_why_parts"),
                                                                      "limit": MAX_PARTS})
            return
        if part.is_multipart():
            if depth >= MAX_DEPTH:
                if not capped:
                    yield make_issue("email-too-large", value=origin, params={"reason": LabelRef("mail_why_depth"),
                                                                              "limit": MAX_DEPTH})
                capped = True
                continue
            kind = part.get_content_type()
            children = [c for c in part.get_payload() if isinstance(c, Message)]
            if kind == "message/rfc822" and children:
                env = _envelope(children[0], origin, env.received, env)
            stack.extend((child, depth + 1, env, kind) for child in reversed(children))
        elif _is_attachment(part, parent):
            found += 1
            yield _attachment(part, found, env, origin)
    if not found and not capped:
        yield make_issue("email-no-attachments", value=origin, params=envelope.about(origin))


def _is_attachment(part: Message, parent: str) -> bool:
    """Whether a leaf part is a file sent, not the text of the message or a picture inside it."""
    disposition = _header(part, "content-disposition")
    if getattr(disposition, "content_disposition", None) == "attachment":
        return True
    if parent == "multipart/related" and part.get("content-id") is not None:
        return False  # a logo or picture the message's HTML shows
    return _filename(part) is not None or part.get_content_maintype() != "text"


def _filename(part: Message) -> str | None:
    """The part's file name as sent: Content-Disposition's, else Content-Type's "name" (RFC 2231 and 2047 decoded)."""
    for name, param in (("content-disposition", "filename"), ("content-type", "name")):
        header = _header(part, name)
        value = getattr(header, "params", {}).get(param) if header is not None else None
        if value:
            return str(value)
    return None


def _attachment(part: Message, number: int, env: _Envelope, origin: str) -> Incoming | Issue:
    ext = mimetypes.guess_extension(part.get_content_type()) or ""
    name = safe_name(_filename(part), fallback=f"{UNNAMED}-{number}{ext}")
    payload = part.get_payload()
    text = payload if isinstance(payload, str) else ""
    # The least the attachment can decode to, from its encoded text: over the cap, it is
    # refused before it is decoded (base64 holds 3 bytes in 4 letters, quoted-printable at
    # least 1 in 3; 7bit, 8bit and binary are the bytes themselves).
    encoding = str(part.get("content-transfer-encoding", "")).strip().lower()
    if encoding == "base64":
        least = (len(text) - text.count("\n") - text.count("\r")) * 3 // 4 - 2
    else:
        least = len(text) if encoding in ("", "7bit", "8bit", "binary") else len(text) // 3
    data = (part.get_payload(decode=True) or b"") if least <= MAX_ATTACHMENT_BYTES else None
    if data is not None and len(data) <= MAX_ATTACHMENT_BYTES:
        return Incoming(name=name, received=env.received, source=env.source, sender=env.sender, data=data,
                        origin=origin, notes=env.notes)
    size = least if data is None else len(data)
    return make_issue("email-attachment-too-large", value=name,
                      params={**env.about(origin), "size": _mb(size), "limit": _mb(MAX_ATTACHMENT_BYTES)})


def _header(part: Message, name: str) -> object | None:
    """One header of a part, parsed by `email.policy.default` from its first MAX_VALUE_CHARS; None
    when absent or when the parser gives up on it."""
    raw = _raw(part, name)
    if raw is None:
        return None
    try:
        return policy.default.header_factory(name, raw[:MAX_VALUE_CHARS])
    except Exception:  # the header parser on hostile text (RecursionError on nested comments, IndexError, …)
        return None


def _raw(part: Message, name: str) -> str | None:
    """A header's value as sent, unfolded; raw 8-bit bytes (which compat32 hides) read as UTF-8."""
    value = part.get(name)
    if value is None:
        return None
    if not isinstance(value, str):  # compat32's Header for 8-bit bytes: decode_header gives them back
        value = "".join(chunk.decode("utf-8", "replace") if isinstance(chunk, bytes) else chunk
                        for chunk, _charset in decode_header(value))
    return re.sub(r"\r?\n(?=[ \t])", "", value[: 4 * MAX_VALUE_CHARS])


def _printable(text: str, limit: int = 200) -> str:
    """Text a sender wrote, fit for a message on the terminal: no control characters (no escape
    sequences), one line, at most `limit` characters."""
    text = " ".join("".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\t\n").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"




# --- the clerk's --received-at --------------------------------------------------------------------

_RECEIVED_AT = re.compile(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s+(\d{1,2})[:h](\d{2}))?\s*", re.I)


def parse_received_at(text: str, now: datetime | None = None) -> datetime:
    """The clerk's "dd/mm/yyyy HH:MM" (this machine's local time) as an aware UTC time.

    A date alone is 00:00 of that day: never later than the real time, and a file received
    on the deadline day is on time whatever its hour. Given `now`, a time after it (beyond
    the clock skew) is refused, as a forged email Date is.
    """
    match = _RECEIVED_AT.fullmatch(text or "")
    if match is None:
        raise ReceivedAtError(text)
    day, month, year, hour, minute = (int(g) if g else 0 for g in match.groups())
    try:
        moment = datetime(year, month, day, hour, minute).astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise ReceivedAtError(text) from None
    if now is not None and moment > now.astimezone(timezone.utc) + CLOCK_SKEW:
        raise ReceivedAtError(text, future=True)
    return moment
