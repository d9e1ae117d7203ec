"""The performance benchmark behind ``meetwire bench``.

``corpus`` builds realistic wire items from templates; ``inprocess`` times the tokenizer and
the extractor; ``kafka_io`` and ``workers`` drive the real worker through a real local broker;
``runner`` runs every stage and returns the figures (it prints nothing: the CLI does).
"""

from __future__ import annotations

from stream.devtools.bench.runner import BenchOptions, BenchReport, BenchResult, bars, format_table, run_bench

__all__ = ["BenchOptions", "BenchReport", "BenchResult", "bars", "format_table", "run_bench"]
