"""Capturing the router's OpenTelemetry output with the SDK's in-memory exporters.

``Captured`` holds a tracer provider (``InMemorySpanExporter``) and a meter provider
(``InMemoryMetricReader``, delta temporality: each read returns what was recorded since the
last one). ``captured()`` makes a private pair (pass them to ``OpenTelemetry(...)``);
``global_capture()`` installs one pair as the process's global providers, once, for tests
that turn telemetry on through the config switch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from opentelemetry.sdk.metrics import Counter, Histogram, MeterProvider
from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    InMemoryMetricReader,
)
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)


@dataclass(frozen=True)
class Point:
    """One metric data point: its attributes and value (a histogram: sum and count)."""

    attributes: dict[str, Any]
    value: float
    count: int = 1


@dataclass
class Captured:
    spans_out: InMemorySpanExporter = field(default_factory=InMemorySpanExporter)
    reader: InMemoryMetricReader = field(
        default_factory=lambda: InMemoryMetricReader(
            preferred_temporality={
                Counter: AggregationTemporality.DELTA,
                Histogram: AggregationTemporality.DELTA,
            }
        )
    )

    def __post_init__(self) -> None:
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.spans_out))
        self.meter_provider = MeterProvider(metric_readers=[self.reader])

    def clear(self) -> None:
        self.spans_out.clear()
        self.reader.get_metrics_data()  # delta: forget what was recorded so far

    def spans(self) -> list[ReadableSpan]:
        return list(self.spans_out.get_finished_spans())

    def metrics(self) -> dict[str, tuple[str, list[Point]]]:
        """``{metric name: (unit, points)}`` recorded by the ``tier_router`` meter since the
        last read."""
        out: dict[str, tuple[str, list[Point]]] = {}
        data = self.reader.get_metrics_data()
        for rm in data.resource_metrics if data else ():
            for sm in rm.scope_metrics:
                if sm.scope.name != "tier_router":
                    continue
                for m in sm.metrics:
                    points = []
                    for p in m.data.data_points:
                        attrs = dict(p.attributes or {})
                        if hasattr(p, "count"):
                            if p.count:
                                points.append(Point(attrs, p.sum, p.count))
                        elif p.value:
                            points.append(Point(attrs, p.value))
                    if points:
                        out[m.name] = (m.unit or "", points)
        return out


def captured() -> Captured:
    return Captured()


_GLOBAL: Captured | None = None


def global_capture() -> Captured:
    """The process's global providers, installed once, cleared for each caller."""
    global _GLOBAL
    if _GLOBAL is None:
        from opentelemetry import metrics, trace

        _GLOBAL = Captured()
        trace.set_tracer_provider(_GLOBAL.tracer_provider)
        metrics.set_meter_provider(_GLOBAL.meter_provider)
    _GLOBAL.clear()
    return _GLOBAL
