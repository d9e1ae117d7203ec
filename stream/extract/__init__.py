"""Pure extraction: wire item in, meeting events out. No Kafka, no I/O after loading.

``load_extractor()`` builds the language pipelines (spaCy pipelines from ``configs/<lang>.cfg``
whose components, in ``components.py``, annotate the Doc step by step), matchers and gazetteers
once (an explicit factory: nothing is loaded at import time); ``MeetingExtractor.extract`` is
then a pure, deterministic function of its arguments, and ``extract_many`` runs ``nlp.pipe``
over the items and converts the meetings it leaves on each Doc to meeting events.
"""

from __future__ import annotations

from stream.extract.extractor import SUPPORTED_LANGUAGES, MeetingExtractor, load_extractor

__all__ = ["SUPPORTED_LANGUAGES", "MeetingExtractor", "load_extractor"]
