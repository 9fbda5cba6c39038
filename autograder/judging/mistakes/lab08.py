"""Mistake catalogue of lab 08, the training loop."""
from autograder.judging.mistakes import Mistake, reference_with


def fit_with(right: str, wrong: str) -> str:
    """The solution's own fit with one line changed: the mistakes that differ from it in one step."""
    return reference_with("08_training_loop", "fit", right, wrong)


MISTAKES = [
    Mistake("build_vocab", "<pad> and <unk> missing",
            "Reserve index 0 for <pad> and 1 for <unk>; the words start at 2.",
            """
            def build_vocab(texts, min_freq=1):
                counts = Counter(token for text in texts for token in tokenize(text))
                kept = sorted((w for w, c in counts.items() if c >= min_freq), key=lambda w: (-counts[w], w))
                return {word: index for index, word in enumerate(kept)}
            """),
    Mistake("build_vocab", "min_freq ignored",
            "Leave out the words seen fewer than min_freq times: they will be encoded as <unk>.",
            """
            def build_vocab(texts, min_freq=1):
                counts = Counter(token for text in texts for token in tokenize(text))
                kept = sorted(counts, key=lambda w: (-counts[w], w))
                return {"<pad>": 0, "<unk>": 1, **{word: index for index, word in enumerate(kept, start=2)}}
            """),
    Mistake("build_vocab", "ties in order of first appearance",
            "Words seen equally often are ordered alphabetically, so that the same texts always give the "
            "same vocabulary whatever their order: sort on two keys, frequency first.",
            """
            def build_vocab(texts, min_freq=1):
                counts = Counter(token for text in texts for token in tokenize(text))
                kept = [w for w, c in counts.most_common() if c >= min_freq]
                return {"<pad>": 0, "<unk>": 1, **{word: index for index, word in enumerate(kept, start=2)}}
            """),
    Mistake("encode", "<unk> not used for unknown tokens",
            "A word missing from the vocabulary becomes <unk> (1), not nothing: the sentence keeps its length.",
            """
            def encode(text, vocab):
                return [vocab[token] for token in tokenize(text) if token in vocab]
            """),
    Mistake("encode", "split on spaces instead of tokenize",
            "Use labutils.sentence_batches.tokenize, as build_vocab does: 'Great,' and 'great' must be the same token.",
            """
            def encode(text, vocab):
                return [vocab.get(token, 1) for token in text.split()]
            """),
    Mistake("FFNN", "padding index counted in the mean",
            "Tell the embedding bag which index is padding: then <pad> is left out of the mean.",
            """
            class FFNN(nn.Module):
                def __init__(self, vocab_size, embed_dim, hidden_sizes, n_classes, activation="relu", dropout=0.0):
                    super().__init__()
                    self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, mode="mean")
                    make_activation = {"relu": nn.ReLU, "tanh": nn.Tanh}[activation]
                    layers, width = [], embed_dim
                    for size in hidden_sizes:
                        layers += [nn.Linear(width, size), make_activation(), nn.Dropout(dropout)]
                        width = size
                    layers.append(nn.Linear(width, n_classes))
                    self.layers = nn.Sequential(*layers)

                def forward(self, tokens, offsets):
                    return self.layers(self.embedding(tokens, offsets))
            """),
    Mistake("FFNN", "embedding bag under another name",
            "Other cells reach the embedding bag by its name, to load pretrained vectors into it: keep it "
            "under the name the exercise gives.",
            """
            class FFNN(nn.Module):
                def __init__(self, vocab_size, embed_dim, hidden_sizes, n_classes, activation="relu", dropout=0.0):
                    super().__init__()
                    self.bag = nn.EmbeddingBag(vocab_size, embed_dim, mode="mean", padding_idx=0)
                    make_activation = {"relu": nn.ReLU, "tanh": nn.Tanh}[activation]
                    layers, width = [], embed_dim
                    for size in hidden_sizes:
                        layers += [nn.Linear(width, size), make_activation(), nn.Dropout(dropout)]
                        width = size
                    layers.append(nn.Linear(width, n_classes))
                    self.layers = nn.Sequential(*layers)

                def forward(self, tokens, offsets):
                    return self.layers(self.bag(tokens, offsets))
            """),
    Mistake("FFNN", "dropout missing",
            "Each hidden layer ends with dropout, after its activation: without it the dropout argument does nothing.",
            """
            class FFNN(nn.Module):
                def __init__(self, vocab_size, embed_dim, hidden_sizes, n_classes, activation="relu", dropout=0.0):
                    super().__init__()
                    self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, mode="mean", padding_idx=0)
                    make_activation = {"relu": nn.ReLU, "tanh": nn.Tanh}[activation]
                    layers, width = [], embed_dim
                    for size in hidden_sizes:
                        layers += [nn.Linear(width, size), make_activation()]
                        width = size
                    layers.append(nn.Linear(width, n_classes))
                    self.layers = nn.Sequential(*layers)

                def forward(self, tokens, offsets):
                    return self.layers(self.embedding(tokens, offsets))
            """),
    Mistake("FFNN", "activation missing",
            "Without an activation between them the linear layers compose into a single linear map: each "
            "hidden layer applies its activation to its linear layer's output.",
            """
            class FFNN(nn.Module):
                def __init__(self, vocab_size, embed_dim, hidden_sizes, n_classes, activation="relu", dropout=0.0):
                    super().__init__()
                    self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, mode="mean", padding_idx=0)
                    layers, width = [], embed_dim
                    for size in hidden_sizes:
                        layers += [nn.Linear(width, size), nn.Dropout(dropout)]
                        width = size
                    layers.append(nn.Linear(width, n_classes))
                    self.layers = nn.Sequential(*layers)

                def forward(self, tokens, offsets):
                    return self.layers(self.embedding(tokens, offsets))
            """),
    Mistake("FFNN", "dropout before the activation",
            "Dropout acts on a hidden layer's output, after its activation: before a saturating activation "
            "such as tanh the scaled-up survivors are squashed, and the layer no longer averages to its "
            "value without dropout.",
            """
            class FFNN(nn.Module):
                def __init__(self, vocab_size, embed_dim, hidden_sizes, n_classes, activation="relu", dropout=0.0):
                    super().__init__()
                    self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, mode="mean", padding_idx=0)
                    make_activation = {"relu": nn.ReLU, "tanh": nn.Tanh}[activation]
                    layers, width = [], embed_dim
                    for size in hidden_sizes:
                        layers += [nn.Linear(width, size), nn.Dropout(dropout), make_activation()]
                        width = size
                    layers.append(nn.Linear(width, n_classes))
                    self.layers = nn.Sequential(*layers)

                def forward(self, tokens, offsets):
                    return self.layers(self.embedding(tokens, offsets))
            """),
    Mistake("train_epoch", "missing zero_grad",
            "Gradients add up across backward passes: clear the optimizer's gradients before each batch's backward pass.",
            """
            def train_epoch(model, batches, loss_fn, optimizer):
                model.train()
                total, count = 0.0, 0
                for tokens, offsets, labels in batches:
                    loss = loss_fn(model(tokens, offsets), labels)
                    loss.backward()
                    optimizer.step()
                    total += loss.item() * len(labels)
                    count += len(labels)
                return total / count
            """),
    Mistake("train_epoch", "model.train() missing",
            "An epoch may start right after an evaluation left the model in eval mode, where dropout "
            "is off: switch it back to training mode at the start of every epoch.",
            """
            def train_epoch(model, batches, loss_fn, optimizer):
                total, count = 0.0, 0
                for tokens, offsets, labels in batches:
                    optimizer.zero_grad()
                    loss = loss_fn(model(tokens, offsets), labels)
                    loss.backward()
                    optimizer.step()
                    total += loss.item() * len(labels)
                    count += len(labels)
                return total / count
            """),
    Mistake("train_epoch", "optimizer.step() before backward()",
            "The step uses the gradients: compute them from this batch's loss first, then step.",
            """
            def train_epoch(model, batches, loss_fn, optimizer):
                model.train()
                total, count = 0.0, 0
                for tokens, offsets, labels in batches:
                    optimizer.zero_grad()
                    loss = loss_fn(model(tokens, offsets), labels)
                    optimizer.step()
                    loss.backward()
                    total += loss.item() * len(labels)
                    count += len(labels)
                return total / count
            """),
    Mistake("train_epoch", "returned the summed loss, not the mean",
            "Divide the total by the number of examples: the mean loss per example.",
            """
            def train_epoch(model, batches, loss_fn, optimizer):
                model.train()
                total = 0.0
                for tokens, offsets, labels in batches:
                    optimizer.zero_grad()
                    loss = loss_fn(model(tokens, offsets), labels)
                    loss.backward()
                    optimizer.step()
                    total += loss.item() * len(labels)
                return total
            """),
    Mistake("train_epoch", "mean of the batch means",
            "The last batch may be smaller: averaging the batches' mean losses gives its examples more "
            "weight. Weight each batch's mean by its number of examples, then divide by the total.",
            """
            def train_epoch(model, batches, loss_fn, optimizer):
                model.train()
                losses = []
                for tokens, offsets, labels in batches:
                    optimizer.zero_grad()
                    loss = loss_fn(model(tokens, offsets), labels)
                    loss.backward()
                    optimizer.step()
                    losses.append(loss.item())
                return sum(losses) / len(losses)
            """),
    Mistake("evaluate", "missing model.eval()",
            "Without evaluation mode dropout stays on: the results change from one call to the next.",
            """
            def evaluate(model, batches, loss_fn):
                total, correct, count = 0.0, 0, 0
                with torch.no_grad():
                    for tokens, offsets, labels in batches:
                        logits = model(tokens, offsets)
                        total += loss_fn(logits, labels).item() * len(labels)
                        correct += (logits.argmax(dim=1) == labels).sum().item()
                        count += len(labels)
                return {"loss": total / count, "accuracy": correct / count}
            """),
    Mistake("evaluate", "evaluating with gradients on",
            "Evaluate inside PyTorch's no-grad context: no graph is needed, and it saves memory and time.",
            """
            def evaluate(model, batches, loss_fn):
                model.eval()
                total, correct, count = 0.0, 0, 0
                for tokens, offsets, labels in batches:
                    logits = model(tokens, offsets)
                    total += loss_fn(logits, labels).item() * len(labels)
                    correct += (logits.argmax(dim=1) == labels).sum().item()
                    count += len(labels)
                return {"loss": total / count, "accuracy": correct / count}
            """),
    Mistake("evaluate", "only the last batch counted",
            "The totals must run over every batch: a value set inside the loop and read after it is the "
            "last batch's alone.",
            """
            def evaluate(model, batches, loss_fn):
                model.eval()
                with torch.no_grad():
                    for tokens, offsets, labels in batches:
                        logits = model(tokens, offsets)
                        loss = loss_fn(logits, labels).item()
                        accuracy = (logits.argmax(dim=1) == labels).float().mean().item()
                return {"loss": loss, "accuracy": accuracy}
            """),
    Mistake("evaluate", "mean of the batch means",
            "The last batch may be smaller: averaging the batches' means gives its examples more weight. "
            "Count the examples, and weight each batch by its size.",
            """
            def evaluate(model, batches, loss_fn):
                model.eval()
                losses, accuracies = [], []
                with torch.no_grad():
                    for tokens, offsets, labels in batches:
                        logits = model(tokens, offsets)
                        losses.append(loss_fn(logits, labels).item())
                        accuracies.append((logits.argmax(dim=1) == labels).float().mean().item())
                return {"loss": sum(losses) / len(losses), "accuracy": sum(accuracies) / len(accuracies)}
            """),
    Mistake("fit", "early stopping keeps the last weights, not the best",
            "Keep a deep copy of the weights of the best dev epoch (a state dict refers to the live "
            "tensors) and load it back at the end.",
            """
            def fit(model, train_batches, dev_batches, loss_fn, optimizer, epochs, patience):
                history = {"train_loss": [], "dev_loss": [], "dev_accuracy": []}
                best_accuracy, waited = -1.0, 0
                for _ in range(epochs):
                    history["train_loss"].append(train_epoch(model, train_batches, loss_fn, optimizer))
                    result = evaluate(model, dev_batches, loss_fn)
                    history["dev_loss"].append(result["loss"])
                    history["dev_accuracy"].append(result["accuracy"])
                    if result["accuracy"] > best_accuracy:
                        best_accuracy, waited = result["accuracy"], 0
                    else:
                        waited += 1
                        if waited >= patience:
                            break
                return history
            """),
    Mistake("fit", "the patience count not started again after an improvement",
            "Patience counts the epochs without improvement since the last best one: an improvement "
            "starts that count again from zero.",
            fit_with('best_accuracy, best_state, waited = result["accuracy"], copy.deepcopy(model.state_dict()), 0',
                     'best_accuracy, best_state = result["accuracy"], copy.deepcopy(model.state_dict())')),
    Mistake("fit", "the untrained model kept as the best",
            "Early stopping chooses among the epochs trained: the first epoch is the first best, "
            "whatever the model scored before any training.",
            fit_with("best_accuracy, best_state, waited = -1.0, copy.deepcopy(model.state_dict()), 0",
                     'best_accuracy = evaluate(model, dev_batches, loss_fn)["accuracy"]\n'
                     "best_state, waited = copy.deepcopy(model.state_dict()), 0")),
    Mistake("fit", "a tie counted as an improvement",
            "An epoch that only equals the best dev accuracy is no improvement: keep the first best "
            "weights, and let the count of epochs without improvement go on.",
            """
            def fit(model, train_batches, dev_batches, loss_fn, optimizer, epochs, patience):
                history = {"train_loss": [], "dev_loss": [], "dev_accuracy": []}
                best_accuracy, best_state, waited = -1.0, copy.deepcopy(model.state_dict()), 0
                for _ in range(epochs):
                    history["train_loss"].append(train_epoch(model, train_batches, loss_fn, optimizer))
                    result = evaluate(model, dev_batches, loss_fn)
                    history["dev_loss"].append(result["loss"])
                    history["dev_accuracy"].append(result["accuracy"])
                    if result["accuracy"] >= best_accuracy:
                        best_accuracy, best_state, waited = result["accuracy"], copy.deepcopy(model.state_dict()), 0
                    else:
                        waited += 1
                        if waited >= patience:
                            break
                model.load_state_dict(best_state)
                return history
            """),
    Mistake("fit", "no shuffling between epochs",
            "Iterate over train_batches itself every epoch (it reshuffles each time); a list made once "
            "replays the same order.",
            """
            def fit(model, train_batches, dev_batches, loss_fn, optimizer, epochs, patience):
                train_batches = list(train_batches)
                history = {"train_loss": [], "dev_loss": [], "dev_accuracy": []}
                best_accuracy, best_state, waited = -1.0, copy.deepcopy(model.state_dict()), 0
                for _ in range(epochs):
                    history["train_loss"].append(train_epoch(model, train_batches, loss_fn, optimizer))
                    result = evaluate(model, dev_batches, loss_fn)
                    history["dev_loss"].append(result["loss"])
                    history["dev_accuracy"].append(result["accuracy"])
                    if result["accuracy"] > best_accuracy:
                        best_accuracy, best_state, waited = result["accuracy"], copy.deepcopy(model.state_dict()), 0
                    else:
                        waited += 1
                        if waited >= patience:
                            break
                model.load_state_dict(best_state)
                return history
            """),
    Mistake("fit", "trained on the dev set too",
            "The dev set decides when to stop and which weights to keep: a model that trains on it is "
            "judged on examples it has learned, and its dev accuracy says nothing about new sentences. "
            "Train on the training batches only.",
            """
            def fit(model, train_batches, dev_batches, loss_fn, optimizer, epochs, patience):
                history = {"train_loss": [], "dev_loss": [], "dev_accuracy": []}
                best_accuracy, best_state, waited = -1.0, copy.deepcopy(model.state_dict()), 0
                for _ in range(epochs):
                    history["train_loss"].append(train_epoch(model, train_batches, loss_fn, optimizer))
                    train_epoch(model, dev_batches, loss_fn, optimizer)
                    result = evaluate(model, dev_batches, loss_fn)
                    history["dev_loss"].append(result["loss"])
                    history["dev_accuracy"].append(result["accuracy"])
                    if result["accuracy"] > best_accuracy:
                        best_accuracy, best_state, waited = result["accuracy"], copy.deepcopy(model.state_dict()), 0
                    else:
                        waited += 1
                        if waited >= patience:
                            break
                model.load_state_dict(best_state)
                return history
            """),
]
