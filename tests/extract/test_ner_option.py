"""The opt-in statistical name tagger (``MEETWIRE_EXTRACT_NER``) loads and keeps rule results."""

from __future__ import annotations

import pytest

from stream.extract import load_extractor
from stream.records import WireItem


@pytest.mark.parametrize(
    "text",
    [
        "JAKARTA (X) - Menteri Luar Negeri Indonesia Sari Handayani bertemu Menteri Luar Negeri Peru "
        "Lucia Ramos di Jakarta, Senin (4/3), untuk membahas kerja sama perdagangan.",
    ],
)
def test_ner_option_loads_and_keeps_titled_participants(text: str) -> None:
    extractor = load_extractor(use_ner=True)
    assert extractor.version_info["pipeline_id"] != "blank:id"
    events = extractor.extract(WireItem(id="ner-1", text=text, language="id", published_at="2024-03-05"))
    assert len(events) == 1
    assert sorted(p.name for p in events[0].participants) == ["Lucia Ramos", "Sari Handayani"]
