"""Clean the original UCI files into one TSV (see DATA_CARD.md for the rules).

    python -m labutils.data.clean path/to/sentiment-labelled-sentences OUT.tsv

Reads amazon_cells_labelled.txt, imdb_labelled.txt (Latin-1) and yelp_labelled.txt,
cleans each sentence and writes one UTF-8 TSV: sentence, sentiment, source (all 2990).
The course's `sentences.tsv` is this corpus less the sentences it holds out for grading:
the instructor's `python -m autograder.judging.held_out SOURCE_DIR` writes both.
"""
from __future__ import annotations

import sys
from pathlib import Path

SOURCES = {  # file -> (source site, encoding)
    "amazon_cells_labelled.txt": ("amazon", "utf-8"),
    "imdb_labelled.txt": ("imdb", "latin-1"),
    "yelp_labelled.txt": ("yelp", "utf-8"),
}
HEADER = "sentence\tsentiment\tsource"


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


def cleaned_lines(source_dir: Path | str) -> list[str]:
    """The corpus's TSV lines (without the header), in the files' order."""
    return [f"{sentence}\t{label}\t{site}"
            for name, (site, encoding) in SOURCES.items()
            for sentence, label in read_source(Path(source_dir) / name, encoding)]


def write_tsv(lines: list[str], path: Path | str) -> None:
    Path(path).write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")


def main(source_dir: str, output: str) -> None:
    lines = cleaned_lines(source_dir)
    write_tsv(lines, output)
    print(f"wrote {len(lines)} sentences to {output}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
