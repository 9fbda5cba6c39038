"""Text helpers for lab 08: a tokenizer and mini-batches for `nn.EmbeddingBag`.

    tokenize("Don't buy it!!")  -> ["don't", "buy", "it", "!", "!"]
    batches = Batches(encoded, labels, batch_size=32, seed=0)
    for tokens, offsets, targets in batches:      # one epoch, in a new order every time
        logits = model(tokens, offsets)

Sentences have different lengths. Instead of padding them to a rectangle, each batch
puts all its token ids end to end in one 1-D tensor, `tokens`, and `offsets[i]` says
where sentence i starts: `nn.EmbeddingBag(..., mode="mean")` averages each sentence's
embeddings without ever seeing padding.
"""
from __future__ import annotations

import re
from typing import Iterator, Sequence

import numpy as np
import torch
# torch imports its compiler (torch._dynamo, about a second) the first time a process builds an
# optimizer; lab 08's setup cell imports this module, so that wait falls there, with the other
# imports, and not in the check of train_epoch.
import torch._dynamo  # noqa: F401

TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[!?]")


def tokenize(text: str) -> list[str]:
    """Lower-cased words (with their apostrophe, "don't") and the marks ! and ?."""
    return TOKEN.findall(text.lower())


class Batches:
    """Mini-batches of encoded sentences, shuffled anew at each epoch from one seed.

    encoded: one list of token ids per sentence; labels: one int per sentence.
    Iterating gives (tokens, offsets, labels) tensors: tokens 1-D (all the batch's ids),
    offsets (batch,) start of each sentence in tokens, labels (batch,). Each `for` over the
    object is one epoch; with shuffle=True its order comes from a generator seeded once,
    so epoch k has the same order in every run with the same seed, and a different order
    from epoch k - 1. The last batch may be smaller.
    """

    def __init__(self, encoded: Sequence[Sequence[int]], labels: Sequence[int], batch_size: int = 32,
                 seed: int = 0, shuffle: bool = True, device: str | torch.device = "cpu"):
        if len(encoded) != len(labels):
            raise ValueError(f"{len(encoded)} sentences but {len(labels)} labels")
        self.encoded = [list(ids) for ids in encoded]
        self.labels = list(labels)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.device = device
        self.rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        return -(-len(self.encoded) // self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
        n = len(self.encoded)
        order = self.rng.permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, n, self.batch_size):
            chosen = order[start:start + self.batch_size]
            lengths = [len(self.encoded[i]) for i in chosen]
            tokens = [token for i in chosen for token in self.encoded[i]]
            offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
            yield (torch.tensor(tokens, dtype=torch.long, device=self.device),
                   torch.tensor(offsets, dtype=torch.long, device=self.device),
                   torch.tensor([self.labels[i] for i in chosen], dtype=torch.long, device=self.device))


class BagOfWords(torch.nn.Module):
    """The smallest text classifier: mean of word embeddings, dropout, one linear layer.

    Judges and checks of lab 08 train it with the student's `train_epoch`, `evaluate`
    and `fit`. It records how it was called: `calls` holds, for every forward pass,
    (training mode, gradients enabled, a fingerprint of the batch's first sentence).
    """

    def __init__(self, vocab_size: int, n_classes: int, dropout: float = 0.2, embed_dim: int = 16):
        super().__init__()
        self.embedding = torch.nn.EmbeddingBag(vocab_size, embed_dim, mode="mean", padding_idx=0)
        self.dropout = torch.nn.Dropout(dropout)
        self.output = torch.nn.Linear(embed_dim, n_classes)
        self.calls: list[tuple[bool, bool, int]] = []

    def forward(self, tokens: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        first_end = int(offsets[1]) if len(offsets) > 1 else len(tokens)
        self.calls.append((self.training, torch.is_grad_enabled(), int(tokens[:first_end].sum())))
        return self.output(self.dropout(self.embedding(tokens, offsets)))
