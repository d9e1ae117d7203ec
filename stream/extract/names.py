"""A small statistical person-name tagger for names that no title introduces.

Rules (titles + gazetteers) are the backbone; this fills gaps such as "bertemu Franco Metaza".
The model is trained by ``scripts/train_ner.py`` and shipped in ``stream/models/ner-<lang>/``;
it runs only on the sentences that carry a meeting trigger.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

PERSON_LABEL = "PER"


class PersonTagger:
    """Person spans (token offsets) in a slice of a Doc made by the same pipeline."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self._ner = nlp.get_pipe("ner")

    def persons(self, doc: Doc, start: int, end: int) -> list[tuple[int, int]]:
        """PER entities found in ``doc[start:end]``, as Doc token offsets."""
        sub = doc[start:end].as_doc()
        tagged = self._ner(sub)
        return [(start + e.start, start + e.end) for e in tagged.ents if e.label_ == PERSON_LABEL]


def model_path(language: str) -> Path | None:
    """Where the shipped model for ``language`` lives, if there is one."""
    path = Path(str(resources.files("stream").joinpath("models", f"ner-{language}")))
    return path if (path / "meta.json").is_file() else None


def load_pipeline_with_ner(language: str) -> Language | None:
    """The shipped tokeniser + NER pipeline for ``language``, or ``None`` when none is shipped."""
    path = model_path(language)
    if path is None:
        return None
    return spacy.load(path)
