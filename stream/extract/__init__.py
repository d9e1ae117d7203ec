"""Pure extraction: wire item in, meeting events out. No Kafka, no I/O after loading.

``load_extractor()`` builds the language pipelines, matchers and gazetteers once (an explicit
factory: nothing is loaded at import time); ``MeetingExtractor.extract`` is then a pure,
deterministic function of its arguments, and ``extract_many`` batches tokenisation with
``nlp.pipe``.
"""

from __future__ import annotations

from stream.extract.extractor import SUPPORTED_LANGUAGES, MeetingExtractor, load_extractor

__all__ = ["SUPPORTED_LANGUAGES", "MeetingExtractor", "load_extractor"]
