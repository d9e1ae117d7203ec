"""Build-time: real news sentences for the benchmark corpus's background paragraphs.

Templates alone give the corpus a vocabulary of a few hundred words, and spaCy's tokenizer,
which caches per word, reads such text about four times faster per word than real wire copy:
the tokenizer-only baseline of ``meetwire bench`` would then be unrealistically cheap. These
sentences come from permissively licensed news corpora in ../shared/data/ner (see
stream/devtools/bench/data/README.md for sources and licences). Run from the repository root:

    .venv/bin/python scripts/gen_bench_filler.py
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NER = ROOT.parent / "shared" / "data" / "ner"
OUT = ROOT / "stream" / "bench" / "data"
MIN_WORDS = 8
MAX_SENTENCES = 800


def idner_sentences(path: Path) -> list[str]:
    """Sentences of the CoNLL file, detokenised (the corpus keeps only tokens)."""
    sentences, tokens = [], []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.strip():
            tokens.append(line.split(" ")[0])
            continue
        if len(tokens) >= MIN_WORDS:
            text = " ".join(tokens)
            text = re.sub(r" ([,.;:!?)\]%])", r"\1", text)
            text = re.sub(r"([(\[]) ", r"\1", text)
            sentences.append(text)
        tokens = []
    return sentences


def gum_news_sentences(folder: Path) -> list[str]:
    """The ``# text =`` lines of GUM's Wikinews documents (original spacing)."""
    out = []
    for path in sorted(folder.glob("GUM_news_*.conllu")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# text = ") and len(line.split()) - 3 >= MIN_WORDS:
                out.append(line.removeprefix("# text = ").strip())
    return out


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    pools = {
        "filler_id.txt": idner_sentences(NER / "idner-news-2k" / "train.txt"),
        "filler_en.txt": gum_news_sentences(NER / "gum" / "dep"),
    }
    for name, sentences in pools.items():
        (OUT / name).write_text("\n".join(sentences[:MAX_SENTENCES]) + "\n", encoding="utf-8")
        print(name, min(len(sentences), MAX_SENTENCES))


if __name__ == "__main__":
    main()
