/**
 * `python/openagentio_contracts/_support.py`: what the generated contract modules share —
 * JSON readers that name the JSON pointer of a defect, envelopes for published events,
 * typed stream frames and delta writers over the `openagentio` Bus Protocol.
 */

/** Source of `_support.py` (same for every contract folder). */
export function pythonSupportSource(header: string): string {
  return `${header}
"""Helpers shared by the generated agent-contract modules.

Readers check JSON types (not every schema constraint) and raise InvalidRequestError naming
the JSON pointer of the defect. Events are published as schema_version 1 envelopes (a bus
may dual-write phase). Streams are read into typed frames: Started, Delta, Final, Other.
"""

from __future__ import annotations

import enum
import math
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, Literal, Protocol, TypeAlias, TypeVar

from openagentio import (
    SPEC_VERSION,
    Absent,
    CanceledError,
    Envelope,
    InvalidRequestError,
    JsonObject,
    JsonValue,
    StreamWriter,
    error_for,
)
from openagentio.streams import is_delta, is_error, response_result

T = TypeVar("T")
D = TypeVar("D")
Out = TypeVar("Out")
D_contra = TypeVar("D_contra", contravariant=True)
E = TypeVar("E", bound=enum.StrEnum)

SkillMode: TypeAlias = Literal["invoke", "stream"]
"""How a skill is called: request-reply, or a stream of deltas ending in the output."""


@dataclass(frozen=True, slots=True)
class SkillInfo:
    """A skill of a contract: its id, the invoke target that serves it and its mode."""

    id: str
    target: str
    mode: SkillMode


def _kind(value: JsonValue) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def _bad(expected: str, value: JsonValue, at: str) -> InvalidRequestError:
    return InvalidRequestError(
        f"{at or '(root)'}: expected {expected}, got {_kind(value)}", details={"pointer": at}
    )


def child(at: str, key: str | int) -> str:
    """The JSON pointer of \`key\` under \`at\` (RFC 6901 escaping)."""
    return f"{at}/{str(key).replace('~', '~0').replace('/', '~1')}"


def required(obj: JsonObject, key: str, at: str) -> JsonValue:
    """\`obj[key]\`, or InvalidRequestError naming the missing property's pointer."""
    if key not in obj:
        raise InvalidRequestError(f"{child(at, key)}: missing", details={"pointer": child(at, key)})
    return obj[key]


def read_str(value: JsonValue, at: str) -> str:
    """A JSON string."""
    if isinstance(value, str):
        return value
    raise _bad("a string", value, at)


def read_bool(value: JsonValue, at: str) -> bool:
    """true or false."""
    if isinstance(value, bool):
        return value
    raise _bad("a boolean", value, at)


def read_int(value: JsonValue, at: str) -> int:
    """A JSON number without fraction (\`2.0\` counts, as in JavaScript)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    raise _bad("an integer", value, at)


def read_float(value: JsonValue, at: str) -> float:
    """A finite JSON number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, float) and math.isfinite(value):
        return value
    raise _bad("a number", value, at)


def read_object(value: JsonValue, at: str) -> JsonObject:
    """A JSON object."""
    if isinstance(value, dict):
        return value
    raise _bad("an object", value, at)


def read_list(value: JsonValue, at: str) -> list[JsonValue]:
    """A JSON array."""
    if isinstance(value, list):
        return value
    raise _bad("an array", value, at)


def read_enum(cls: type[E], value: JsonValue, at: str) -> E:
    """One of the string values of \`cls\`."""
    if isinstance(value, str):
        try:
            return cls(value)
        except ValueError:
            pass
    allowed = ", ".join(repr(m.value) for m in cls)
    where = at or "(root)"
    raise InvalidRequestError(f"{where}: expected one of {allowed}", details={"pointer": at})


def payload_of(envelope: Envelope) -> JsonValue:
    """The envelope's payload (None when absent)."""
    return None if isinstance(envelope.payload, Absent) else envelope.payload


def new_event(event_type: str, payload: JsonValue) -> Envelope:
    """A new envelope of \`event_type\` (UUID v4 event_id, occurred_at now in UTC)."""
    now = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    return Envelope(
        spec_version=SPEC_VERSION,
        schema_version=1,
        event_id=str(uuid.uuid4()),
        event_type=event_type,
        occurred_at=now,
        payload=payload,
    )


@dataclass(frozen=True, slots=True)
class Started:
    """agent.response.started: the handler began."""

    meta: JsonObject | None
    envelope: Envelope


@dataclass(frozen=True, slots=True)
class Delta(Generic[D]):
    """One typed delta of a stream skill."""

    delta: D
    envelope: Envelope


@dataclass(frozen=True, slots=True)
class Final(Generic[Out]):
    """The typed output: the last frame of a stream skill."""

    output: Out
    envelope: Envelope


@dataclass(frozen=True, slots=True)
class Other:
    """Any other event sent on the stream (e.g. agent.tool.call)."""

    envelope: Envelope


SkillFrame: TypeAlias = "Started | Delta[D] | Final[Out] | Other"
"""One frame of a typed skill stream, in seq order."""

Reader: TypeAlias = Callable[[JsonValue, str], T]
"""Reads a JSON value (second argument: its JSON pointer) into a typed value."""


def _raise_error(envelope: Envelope) -> None:
    payload = payload_of(envelope)
    obj = payload if isinstance(payload, dict) else {}
    code = obj.get("code")
    message = obj.get("message")
    retryable = obj.get("retryable")
    raise error_for(
        code if isinstance(code, str) else "AGENT_UNAVAILABLE",
        message if isinstance(message, str) else "the agent answered with an error",
        retryable=retryable if isinstance(retryable, bool) else None,
    )


def _is_final(envelope: Envelope) -> bool:
    return envelope.event_type == "agent.response.final" or envelope.frame_type == "response.final"


async def typed_stream(
    frames: AsyncIterator[Envelope],
    delta_key: Literal["delta", "data"],
    read_delta: Reader[D],
    read_output: Reader[Out],
) -> AsyncIterator[SkillFrame[D, Out]]:
    """Reads the frames of a stream call as typed frames; an error frame raises its AcpError."""
    async for envelope in frames:
        payload = payload_of(envelope)
        if is_error(envelope):
            _raise_error(envelope)
        elif is_delta(envelope):
            obj = payload if isinstance(payload, dict) else {}
            at = f"/payload/{delta_key}"
            value = obj.get(delta_key, "" if delta_key == "delta" else {})
            yield Delta(read_delta(value, at), envelope)
        elif _is_final(envelope):
            yield Final(read_output(response_result(envelope.payload), "/payload/result"), envelope)
        elif envelope.event_type == "agent.response.started":
            meta = payload.get("meta") if isinstance(payload, dict) else None
            yield Started(meta if isinstance(meta, dict) else None, envelope)
        else:
            yield Other(envelope)


async def stream_output(
    frames: AsyncIterator[SkillFrame[D, Out]], on_delta: Callable[[D], None] | None = None
) -> Out:
    """Runs a typed stream to its output; raises CanceledError when it ends without one."""
    async for frame in frames:
        if isinstance(frame, Delta) and on_delta is not None:
            on_delta(frame.delta)
        elif isinstance(frame, Final):
            return frame.output
    raise CanceledError("the stream ended without an output")


class DeltaWriter(Protocol[D_contra]):
    """What a stream skill handler writes deltas with (its return value is the output)."""

    @property
    def canceled(self) -> bool:
        """True once the caller canceled the stream or the bus closed."""
        ...

    async def started(self, meta: JsonObject | None = None) -> None:
        """Sends agent.response.started (optional)."""
        ...

    async def delta(self, delta: D_contra) -> None:
        """Sends one delta."""
        ...


class TextDeltaWriter:
    """Writes text deltas (\`payload.delta\`)."""

    def __init__(self, writer: StreamWriter) -> None:
        self._writer = writer

    @property
    def canceled(self) -> bool:
        """True once the caller canceled the stream or the bus closed."""
        return self._writer.canceled

    async def started(self, meta: JsonObject | None = None) -> None:
        """Sends agent.response.started."""
        await self._writer.started(meta)

    async def delta(self, delta: str) -> None:
        """Sends one text piece."""
        await self._writer.delta(text=delta)


class DataDeltaWriter(Generic[D]):
    """Writes object deltas (\`payload.data\`) encoded by \`encode\`."""

    def __init__(self, writer: StreamWriter, encode: Callable[[D], JsonObject]) -> None:
        self._writer = writer
        self._encode = encode

    @property
    def canceled(self) -> bool:
        """True once the caller canceled the stream or the bus closed."""
        return self._writer.canceled

    async def started(self, meta: JsonObject | None = None) -> None:
        """Sends agent.response.started."""
        await self._writer.started(meta)

    async def delta(self, delta: D) -> None:
        """Sends one structured piece."""
        await self._writer.delta(data=self._encode(delta))


def skills(*items: SkillInfo) -> Mapping[str, SkillInfo]:
    """The skills of a contract by id."""
    return {s.id: s for s in items}
`;
}
