"""Lab 08's judge set: sentences held out of everything a student's kernel can read.

    python -m autograder.judging.held_out path/to/sentiment-labelled-sentences

cleans the UCI files (`labutils.data.clean`), holds out `JUDGE_SHARE` of each
(source, sentiment) group, drawn with a fixed seed, into `autograder/judging/data/judge_sentences.tsv`,
and writes the rest to `labutils/data/sentences.tsv`, the corpus students get. The
end-to-end judge scores a trained model on the held-out sentences, in the grader's
process: no kernel ever sees them or their labels, so no kernel can answer for them.

    judge_set("sentiment")  -> [(text, label), ...] in the file's order
"""
from __future__ import annotations

import functools
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from labutils.data import SENTENCES, TASKS, load_sentences
from labutils.data.clean import cleaned_lines, write_tsv

JUDGE_SET = Path(__file__).parent / "data" / "judge_sentences.tsv"
JUDGE_SHARE = 0.1
SEED = 331  # the UCI dataset's number


def hold_out(lines: list[str], share: float = JUDGE_SHARE, seed: int = SEED) -> tuple[list[str], list[str]]:
    """(kept, held out): `share` of each (source, sentiment) group held out, drawn with `seed`
    among the sentences that occur once (a duplicate stays with the students' copy, so no
    held-out text is one they have); both keep the input's order."""
    texts = Counter(line.split("\t")[0] for line in lines)
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, line in enumerate(lines):
        _, sentiment, source = line.split("\t")
        groups[(source, sentiment)].append(index)
    rng = np.random.default_rng(seed)
    held = set()
    for key in sorted(groups):
        unique = [i for i in groups[key] if texts[lines[i].split("\t")[0]] == 1]
        held.update(unique[i] for i in rng.permutation(len(unique))[:round(share * len(groups[key]))])
    return ([line for i, line in enumerate(lines) if i not in held],
            [line for i, line in enumerate(lines) if i in held])


def main(source_dir: str) -> None:
    kept, held = hold_out(cleaned_lines(source_dir))
    write_tsv(kept, SENTENCES)
    JUDGE_SET.parent.mkdir(parents=True, exist_ok=True)
    write_tsv(held, JUDGE_SET)
    print(f"wrote {len(kept)} sentences to {SENTENCES} and held {len(held)} out in {JUDGE_SET}")


@functools.cache
def judge_set(task: str) -> tuple[tuple[str, int], ...]:
    """The held-out (text, label) pairs of `task` ("sentiment" or "source")."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; the tasks are {', '.join(TASKS)}")
    return tuple((s.text, s.label(task)) for s in load_sentences(JUDGE_SET))


if __name__ == "__main__":
    main(sys.argv[1])
