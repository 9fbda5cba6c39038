"""labutils.data.split keeps each text once: a sentence repeated in the corpus can no longer sit in
train and in dev or test at once (issue 31: 6 test and 3 dev sentences did)."""
from collections import Counter

import pytest

from labutils.data import SENTENCES, load_sentences, split, unique_sentences


def test_the_file_keeps_its_17_repeated_texts_and_the_splits_keep_each_once():
    sentences = load_sentences()
    repeated = [text for text, count in Counter(s.text for s in sentences).items() if count > 1]
    assert len(repeated) == 17
    unique = unique_sentences(sentences)
    assert len(unique) == len(sentences) - 17 == 2674
    assert len({s.text for s in unique}) == len(unique)
    card = (SENTENCES.parent / "DATA_CARD.md").read_text(encoding="utf-8")
    assert "17 sentences appear twice" in card and f"{len(unique)} sentences, the 17 later copies dropped" in card


@pytest.mark.parametrize("task", ["sentiment", "source"])
def test_no_dev_or_test_sentence_is_a_training_sentence(task):
    train, dev, test = split(task)
    texts = [text for text, _ in train + dev + test]
    assert len(texts) == len(set(texts)) == 2674
    assert not {t for t, _ in train} & {t for t, _ in dev + test}


def test_the_first_occurrence_is_kept_with_its_label(tmp_path):
    path = tmp_path / "s.tsv"
    path.write_text("sentence\tsentiment\tsource\nsame\t0\tamazon\nother\t1\tyelp\nsame\t0\timdb\n", encoding="utf-8")
    assert [(s.text, s.source) for s in unique_sentences(load_sentences(path))] == [("same", "amazon"), ("other", "yelp")]
