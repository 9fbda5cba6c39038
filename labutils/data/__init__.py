"""The course's text dataset: UCI "Sentiment Labelled Sentences", cleaned (DATA_CARD.md).

    sentences = load_sentences()                  # 2691 Sentence(text, sentiment, source)
    train, dev, test = split("sentiment")         # lists of (text, label), fixed and stratified,
                                                  # each text once (2674: 17 repeated texts kept once)
    train, dev, test = split("source")            # labels 0 amazon, 1 imdb, 2 yelp
    vectors = pretrained_vectors()                # {word: GloVe 50-d vector}, the corpus's words

A missing or malformed file raises `DataError` naming the file and the line.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

SENTENCES = Path(__file__).parent / "sentences.tsv"
PRETRAINED = Path(__file__).parent / "glove_6B_50d.npz"  # GloVe vectors of the corpus's words (DATA_CARD.md)
HEADER = ["sentence", "sentiment", "source"]
SOURCES = ("amazon", "imdb", "yelp")
TASKS = {  # task -> names of its classes, in label order
    "sentiment": ("negative", "positive"),
    "source": SOURCES,
}


class DataError(ValueError):
    """The dataset file is missing or malformed; the message names the file and line."""


@dataclass(frozen=True)
class Sentence:
    text: str
    sentiment: int  # 0 negative, 1 positive
    source: str     # "amazon", "imdb" or "yelp"

    def label(self, task: str) -> int:
        return self.sentiment if task == "sentiment" else SOURCES.index(self.source)


def load_sentences(path: Path | str = SENTENCES) -> list[Sentence]:
    """Read the TSV (header: sentence, sentiment, source) into `Sentence`s."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"{path}: no such file (the dataset ships in labutils/data/)") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    lines = text.splitlines()
    if not lines or lines[0].split("\t") != HEADER:
        raise DataError(f"{path}, line 1: expected the header {'<TAB>'.join(HEADER)!r}")
    sentences = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != 3:
            raise DataError(f"{path}, line {number}: expected 3 tab-separated fields, got {len(fields)}")
        sentence, sentiment, source = fields
        if sentiment not in ("0", "1") or source not in SOURCES or not sentence.strip():
            raise DataError(f"{path}, line {number}: expected a sentence, 0 or 1, and one of {SOURCES}; "
                            f"got {line[:60]!r}")
        sentences.append(Sentence(sentence, int(sentiment), source))
    return sentences


def unique_sentences(sentences: list[Sentence]) -> list[Sentence]:
    """`sentences` with each text kept once, at its first occurrence (a later copy is dropped, even
    with another label: the corpus's one such text, "Very disappointing.", is in amazon and imdb)."""
    seen: set[str] = set()
    kept = []
    for sentence in sentences:
        if sentence.text not in seen:
            seen.add(sentence.text)
            kept.append(sentence)
    return kept


def split(task: str, seed: int = 0, fractions: tuple[float, float, float] = (0.8, 0.1, 0.1),
          path: Path | str = SENTENCES) -> tuple[list, list, list]:
    """Fixed, stratified train / dev / test splits of (text, label) pairs for `task`.

    Each text is kept once (`unique_sentences`: the file's 17 repeated texts at their first
    occurrence), so no dev or test sentence is also a training sentence. Each class is then shuffled with `seed` and
    cut by `fractions`, so every split has the class proportions of the whole; the same seed
    always gives the same splits.
    """
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; the tasks are {', '.join(TASKS)}")
    sentences = unique_sentences(load_sentences(path))
    rng = np.random.default_rng(seed)
    parts: tuple[list, list, list] = ([], [], [])
    for label in range(len(TASKS[task])):
        members = [s for s in sentences if s.label(task) == label]
        order = rng.permutation(len(members))
        cut1 = round(fractions[0] * len(members))
        cut2 = cut1 + round(fractions[1] * len(members))
        for part, indices in zip(parts, (order[:cut1], order[cut1:cut2], order[cut2:])):
            part.extend((members[i].text, label) for i in indices)
    for part in parts:
        rng.shuffle(part)
    return parts


def pretrained_vectors(path: Path | str = PRETRAINED) -> dict[str, np.ndarray]:
    """GloVe 6B 50-d vectors (Pennington, Socher and Manning, 2014; PDDL 1.0) of the corpus's
    words that GloVe knows: {word: vector (50,) float32}. DATA_CARD.md says where they come from."""
    path = Path(path)
    try:
        with np.load(path) as stored:
            words, vectors = stored["words"], stored["vectors"]
    except FileNotFoundError:
        raise DataError(f"{path}: no such file (the vectors ship in labutils/data/)") from None
    except (KeyError, ValueError, OSError) as exc:
        raise DataError(f"{path}: not the vectors file of labutils ({exc})") from None
    if vectors.shape != (len(words), 50):
        raise DataError(f"{path}: {len(words)} words but vectors of shape {vectors.shape}")
    return dict(zip(words.tolist(), vectors))
