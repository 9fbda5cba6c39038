"""Rebuild `sentences.tsv` from the original UCI files (see DATA_CARD.md for the rules).

    python -m labutils.data.clean path/to/sentiment-labelled-sentences

Reads amazon_cells_labelled.txt, imdb_labelled.txt (Latin-1) and yelp_labelled.txt,
cleans each sentence and writes one UTF-8 TSV: sentence, sentiment, source.
"""
from __future__ import annotations

import sys
from pathlib import Path

SOURCES = {  # file -> (source site, encoding)
    "amazon_cells_labelled.txt": ("amazon", "utf-8"),
    "imdb_labelled.txt": ("imdb", "latin-1"),
    "yelp_labelled.txt": ("yelp", "utf-8"),
}
OUTPUT = Path(__file__).parent / "sentences.tsv"


def clean_sentence(raw: str) -> str:
    """Undo the mirror's CSV quoting: outer quotes, doubled inner quotes, a stray closing
    quote, and the spaces left inside the quotes."""
    text = raw.strip()
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        text = text[1:-1].replace('""', '"')
    elif text.endswith('"') and text.count('"') % 2 == 1:
        text = text[:-1]
    return " ".join(text.split())


def read_source(path: Path, encoding: str) -> list[tuple[str, int]]:
    rows = []
    for number, line in enumerate(path.read_bytes().decode(encoding).split("\r\n"), start=1):
        if not line.strip():
            continue
        sentence, separator, label = line.rpartition("\t")
        if not separator or label.strip() not in ("0", "1"):
            raise ValueError(f"{path}, line {number}: expected 'sentence<TAB>0 or 1', got {line[:60]!r}")
        rows.append((clean_sentence(sentence), int(label)))
    return rows


def main(source_dir: str) -> None:
    lines = ["sentence\tsentiment\tsource"]
    for name, (site, encoding) in SOURCES.items():
        for sentence, label in read_source(Path(source_dir) / name, encoding):
            lines.append(f"{sentence}\t{label}\t{site}")
    OUTPUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines) - 1} sentences to {OUTPUT}")


if __name__ == "__main__":
    main(sys.argv[1])
