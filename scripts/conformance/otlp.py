"""The app's OpenTelemetry SDK, and OTLP/JSON lines as the Collector's `file` exporter writes them."""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Sequence
from typing import Any, TextIO

from google.protobuf.json_format import MessageToDict
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.id_generator import IdGenerator

ID_FIELDS = ("traceId", "spanId", "parentSpanId")


class SeededIdGenerator(IdGenerator):
    """Random trace and span ids from a seeded generator, so that a re-recording has the same ids."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def generate_span_id(self) -> int:
        return self.rng.getrandbits(64) or 1

    def generate_trace_id(self) -> int:
        return self.rng.getrandbits(128) or 1


def setup_tracing(
    resource_attributes: dict[str, str], seed: int
) -> tuple[TracerProvider, InMemorySpanExporter]:
    """A global tracer provider whose finished spans wait in memory until the app exports a batch."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(
        resource=Resource.create(resource_attributes),
        id_generator=SeededIdGenerator(seed),
    )
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    return provider, exporter


def _hex_ids(node: Any) -> None:
    """The JSON mapping writes bytes as base64; the Collector writes trace and span ids as lowercase hex."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ID_FIELDS and isinstance(value, str):
                node[key] = base64.b64decode(value).hex()
            else:
                _hex_ids(value)
    elif isinstance(node, list):
        for item in node:
            _hex_ids(item)


def traces_data(spans: Sequence[ReadableSpan]) -> dict[str, Any]:
    """One `TracesData` in the protobuf JSON mapping (lowerCamelCase, int64 as strings, enums as integers)."""
    document = MessageToDict(encode_spans(spans), use_integers_for_enums=True)
    _hex_ids(document)
    return document


class BatchWriter:
    """Writes the spans finished so far as one OTLP/JSON line, as one export batch of the Collector."""

    def __init__(self, exporter: InMemorySpanExporter, out: TextIO) -> None:
        self.exporter = exporter
        self.out = out
        self.spans_written = 0

    def flush(self) -> None:
        spans = self.exporter.get_finished_spans()
        self.exporter.clear()
        if spans:
            self.out.write(json.dumps(traces_data(spans), separators=(",", ":")) + "\n")
            self.spans_written += len(spans)
