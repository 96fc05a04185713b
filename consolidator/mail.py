"""Placeholder intake (files and folders only) until the mail intake lands."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path

from .errors import ConsolidatorError
from .model import Incoming, Issue, ReceivedSource
from .validate import collect_inputs


def incoming(inputs: Sequence[Path], now: datetime, given: datetime | None = None) -> Iterator[Incoming | Issue]:
    for path in collect_inputs(inputs):
        yield Incoming(name=path.name, received=given or now,
                       source=ReceivedSource.GIVEN if given else ReceivedSource.INTAKE, path=path, origin="")


def parse_received_at(text: str) -> datetime:
    for fmt in ("%d/%m/%Y %H:%M", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).astimezone().astimezone(timezone.utc)
        except ValueError:
            continue
    raise ConsolidatorError(key="cli_received_at_bad", value=text)
