"""What OpenTelemetry costs per routed call: RoutedChatModel.invoke with telemetry off and on.

Same in-process inner model as ``langchain_overhead.py`` (no network), measured interleaved.
"On" is the OpenTelemetry SDK as a service would run it: a ``BatchSpanProcessor`` (spans are
exported off the call path; here to an exporter that drops them) and a ``MeterProvider``
whose reader is never collected during the run. Prints the median time of each and the
difference per call.

    .venv/bin/python benchmarks/otel_overhead.py [--n 3000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from langchain_core.messages import HumanMessage
from langchain_overhead import ConstantChat, ConstantClassifier, medians_us
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

from langchain_router import RoutedChatModel
from shared_core import Router, RouterConfig
from shared_core.otel import OpenTelemetry


class DropExporter(SpanExporter):
    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


def _routed(telemetry: Any) -> RoutedChatModel:
    config = RouterConfig.build(
        {
            "tiers": [
                {"name": "cheap", "model": "gpt-4o-mini", "max_tokens": 256},
                {"name": "strong", "model": "gpt-4o", "max_tokens": 1024},
            ],
            "classifier": {"type": "rules"},
        }
    )
    router = Router(
        config, classifier=ConstantClassifier().bind_labels(["cheap", "strong"]), telemetry=telemetry
    )
    return RoutedChatModel(
        tiers={"cheap": ConstantChat(model_name="gpt-4o-mini"), "strong": ConstantChat(model_name="gpt-4o")},
        router=router,
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(BatchSpanProcessor(DropExporter()))
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    off = _routed(False)
    on = _routed(OpenTelemetry(tracer_provider=tracer_provider, meter_provider=meter_provider))
    messages = [HumanMessage("What is the capital of France?")]
    runs = [
        medians_us({"off": lambda: off.invoke(messages), "on": lambda: on.invoke(messages)}, args.n)
        for _ in range(args.repeat)
    ]
    med = {k: statistics.median(r[k] for r in runs) for k in ("off", "on")}
    diffs = [r["on"] - r["off"] for r in runs]
    print(f"RoutedChatModel.invoke, median of {args.repeat} runs x {args.n} calls (interleaved)")
    print(f"  telemetry off: {med['off']:8.1f} us")
    print(f"  telemetry on : {med['on']:8.1f} us   (on / off = {med['on'] / med['off']:.2f})")
    print(f"  OpenTelemetry per call: {statistics.median(diffs):.1f} us "
          f"(runs: {', '.join(f'{d:.1f}' for d in diffs)})")
    tracer_provider.shutdown()
    meter_provider.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
