"""labutils.data and labutils.sentence_batches: the shipped corpus, its splits, tokens and batches."""
from collections import Counter

import numpy as np
import pytest
import torch

from autograder.judging.held_out import JUDGE_SET, hold_out, judge_set
from labutils.data import PRETRAINED, SENTENCES, DataError, load_sentences, pretrained_vectors, split
from labutils.sentence_batches import Batches, tokenize


def test_the_corpus_has_its_documented_counts():
    sentences = load_sentences()
    assert len(sentences) == 2691
    counts = Counter((s.source, s.sentiment) for s in sentences)
    assert counts == {("amazon", 0): 450, ("amazon", 1): 450, ("imdb", 0): 446, ("imdb", 1): 445,
                      ("yelp", 0): 450, ("yelp", 1): 450}
    card = (SENTENCES.parent / "DATA_CARD.md").read_text(encoding="utf-8")
    train, dev, test = split("sentiment")
    for stated in (f"{len(sentences)} English sentences", f"less {len(load_sentences(JUDGE_SET))} that",
                   f"{len(train)} / {len(dev)} / {len(test)} sentences",
                   f"| imdb | {counts['imdb', 0]} | {counts['imdb', 1]} |"):
        assert stated in card, stated


def test_the_judge_set_is_a_stratified_tenth_that_students_never_get():
    held, kept = load_sentences(JUDGE_SET), load_sentences()
    assert len(held) == 299 and len(held) + len(kept) == 2990
    assert not {s.text for s in held} & {s.text for s in kept}
    counts, all_counts = Counter((s.source, s.sentiment) for s in held), Counter((s.source, s.sentiment) for s in held + kept)
    assert all(abs(counts[group] - all_counts[group] / 10) <= 1 for group in all_counts)
    assert judge_set("sentiment") == tuple((s.text, s.sentiment) for s in held)


def test_holding_out_is_fixed_and_keeps_every_sentence_once():
    lines = [f"sentence {i}\t{i % 2}\t{('amazon', 'imdb', 'yelp')[i % 3]}" for i in range(600)]
    lines += ["a duplicate\t1\tyelp"] * 2
    kept, held = hold_out(lines)
    assert sorted(kept + held) == sorted(lines) and hold_out(lines) == (kept, held)
    assert len(held) == 60 and "a duplicate\t1\tyelp" not in held


def test_the_mirrors_quirks_are_cleaned():
    texts = [s.text for s in load_sentences()]
    assert not any(t.startswith('"') and t.endswith('"') for t in texts)
    assert not any('""' in t or t != t.strip() or "  " in t or "\r" in t for t in texts)
    assert any("é" in t for t in texts)  # Latin-1 decoded, stored as UTF-8
    assert SENTENCES.read_bytes().decode("utf-8")


@pytest.mark.parametrize("task, classes", [("sentiment", 2), ("source", 3)])
def test_splits_are_fixed_disjoint_and_stratified(task, classes):
    train, dev, test = split(task)
    assert (len(train), len(dev), len(test)) == (2139, 268, 267)
    assert split(task) == (train, dev, test)
    assert split(task, seed=1)[0] != train
    all_labels = Counter(label for _, label in train + dev + test)
    assert set(all_labels) == set(range(classes))
    for part in (train, dev, test):
        share = Counter(label for _, label in part)
        for label, count in share.items():
            assert abs(count / len(part) - all_labels[label] / 2674) < 0.01
    assert len({id(x) for x in train} & {id(x) for x in test}) == 0


@pytest.mark.parametrize("content, problem", [
    ("sentence\tsentiment\tsource\nfine\t1\tyelp\nbroken line\t1\n", "line 3: expected 3 tab-separated fields"),
    ("sentence\tsentiment\tsource\nfine\t1\tyelp\nwrong label\t7\tyelp\n", "line 3: expected a sentence, 0 or 1"),
    ("text\tlabel\nx\t1\n", "line 1: expected the header"),
])
def test_a_malformed_file_names_the_file_and_the_line(tmp_path, content, problem):
    path = tmp_path / "bad.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=problem) as error:
        load_sentences(path)
    assert str(path) in str(error.value)


def test_a_missing_file_says_so(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        load_sentences(tmp_path / "missing.tsv")


def test_tokenize_keeps_words_apostrophes_and_marks():
    assert tokenize("Don't buy it!! Worst phone EVER?") == ["don't", "buy", "it", "!", "!", "worst", "phone", "ever", "?"]
    assert tokenize("") == []


def test_batches_cover_every_sentence_once_per_epoch_in_a_new_order():
    encoded = [[i, i + 1] if i % 3 else [i] for i in range(10)]
    batches = Batches(encoded, list(range(10)), batch_size=4, seed=0)
    epochs = [[label for _, _, labels in batches for label in labels.tolist()] for _ in range(2)]
    assert sorted(epochs[0]) == sorted(epochs[1]) == list(range(10))
    assert epochs[0] != epochs[1]
    again = Batches(encoded, list(range(10)), batch_size=4, seed=0)
    assert [label for _, _, labels in again for label in labels.tolist()] == epochs[0]
    assert len(batches) == 3


def test_batch_offsets_mark_where_each_sentence_starts():
    tokens, offsets, labels = next(iter(Batches([[5, 6, 7], [8], [9, 10]], [0, 1, 0], batch_size=3, shuffle=False)))
    assert tokens.tolist() == [5, 6, 7, 8, 9, 10] and offsets.tolist() == [0, 3, 4]
    bag = torch.nn.EmbeddingBag(11, 1, mode="sum")
    torch.nn.init.constant_(bag.weight, 1.0)
    assert bag(tokens, offsets).squeeze(1).tolist() == [3.0, 1.0, 2.0]


def test_the_pretrained_vectors_are_glove_for_the_corpus_words_as_the_card_says():
    vectors = pretrained_vectors()
    corpus = {token for sentence in load_sentences() for token in tokenize(sentence.text)}
    assert set(vectors) <= corpus
    assert all(vector.shape == (50,) and vector.dtype == np.float32 for vector in vectors.values())
    card = (SENTENCES.parent / "DATA_CARD.md").read_text(encoding="utf-8")
    assert f"{len(vectors)} of its {len(corpus)} distinct tokens" in card
    assert "PDDL 1.0" in card and "Pennington" in card
    # GloVe 6B 50d's published vector for "the" begins 0.418 0.24968 -0.41242 (glove.6B.50d.txt, line 1)
    np.testing.assert_allclose(vectors["the"][:3], [0.418, 0.24968, -0.41242], rtol=1e-6)
    good, great, phone = (vectors[w] / np.linalg.norm(vectors[w]) for w in ("good", "great", "phone"))
    assert good @ great > good @ phone


def test_a_bad_vectors_file_gets_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        pretrained_vectors(tmp_path / "missing.npz")
    np.savez(tmp_path / "short.npz", words=np.array(["a", "b"]), vectors=np.zeros((2, 3), dtype=np.float32))
    with pytest.raises(DataError, match="vectors of shape"):
        pretrained_vectors(tmp_path / "short.npz")
    (tmp_path / "text.npz").write_text("not an archive")
    with pytest.raises(DataError, match="not the vectors file"):
        pretrained_vectors(tmp_path / "text.npz")
    assert PRETRAINED.exists()
