"""The reference solutions agree with PyTorch, the oracle, on random inputs (float64)."""
import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograder.judging.reference import reference_function

finite = st.floats(-50, 50, allow_nan=False)
wide = st.floats(-1e4, 1e4, allow_nan=False)
vectors = hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), elements=finite)
wide_vectors = hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=5), elements=wide)


def ref(lab, name):
    return reference_function(lab, name)


def close(a, b, tol=1e-9):
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


@given(wide_vectors)
def test_activations_match_torch(x):
    t = torch.tensor(x)
    close(ref("02_activations", "sigmoid")(x), torch.sigmoid(t).numpy())
    close(ref("02_activations", "tanh")(x), torch.tanh(t).numpy())
    close(ref("02_activations", "hard_tanh")(x), F.hardtanh(t).numpy())
    close(ref("02_activations", "relu")(x), F.relu(t).numpy())


@given(vectors)
def test_activation_derivatives_match_autograd(x):
    for name, fn in [("sigmoid_grad", torch.sigmoid), ("tanh_grad", torch.tanh), ("relu_grad", F.relu)]:
        t = torch.tensor(x, requires_grad=True)
        fn(t).sum().backward()
        close(ref("02_activations", name)(x), t.grad.numpy())


@given(wide_vectors, st.integers(0, 1))
def test_softmax_family_matches_torch(z, axis_choice):
    axis = -1 if axis_choice == 0 or z.ndim == 1 else 0
    t = torch.tensor(z)
    close(ref("03_softmax", "softmax")(z, axis=axis), F.softmax(t, dim=axis).numpy())
    close(ref("03_softmax", "log_softmax")(z, axis=axis), F.log_softmax(t, dim=axis).numpy(), 1e-7)
    close(ref("03_softmax", "logsumexp")(z, axis=axis), torch.logsumexp(t, dim=axis).numpy(), 1e-7)


@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(2, 5)), elements=wide),
       st.data())
def test_losses_from_logits_match_torch(Z, data):
    y = np.array(data.draw(st.lists(st.integers(0, Z.shape[1] - 1), min_size=len(Z), max_size=len(Z))))
    close(ref("04_cross_entropy", "cross_entropy_from_logits")(Z, y),
          F.cross_entropy(torch.tensor(Z), torch.tensor(y)).item(), 1e-7)
    P = F.softmax(torch.tensor(Z / 100), dim=1)
    close(ref("04_cross_entropy", "cross_entropy")(P.numpy(), y),
          F.nll_loss(torch.log(P), torch.tensor(y)).item(), 1e-7)


@given(hnp.arrays(np.float64, st.integers(1, 8), elements=wide), st.data())
def test_binary_losses_match_torch(z, data):
    y = np.array(data.draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=len(z), max_size=len(z))))
    close(ref("04_cross_entropy", "bce_with_logits")(z, y),
          F.binary_cross_entropy_with_logits(torch.tensor(z), torch.tensor(y)).item(), 1e-7)
    p = np.clip(1 / (1 + np.exp(-np.clip(z, -30, 30))), 1e-6, 1 - 1e-6)
    close(ref("04_cross_entropy", "binary_cross_entropy")(p, y),
          F.binary_cross_entropy(torch.tensor(p), torch.tensor(y)).item(), 1e-7)


def test_quality_mean_is_exp_of_minus_cross_entropy():
    rng = np.random.default_rng(0)
    P = F.softmax(torch.tensor(rng.normal(size=(50, 4))), dim=1).numpy()
    y = rng.integers(0, 4, size=50)
    close(ref("04_cross_entropy", "quality_mean")(P, y), np.exp(-ref("04_cross_entropy", "cross_entropy")(P, y)))


gradient_sequences = hnp.arrays(np.float64, st.tuples(st.integers(1, 12), st.integers(1, 4)),
                                 elements=st.floats(-10, 10, allow_nan=False))


def descent_on_given_gradients(update, w0, gradients, config):
    """The weights after each step of `update` fed `gradients` in turn (not computed from w)."""
    w, trajectory = w0, []
    for g in gradients:
        w, config = update(w, g, config)
        trajectory.append(w)
    return np.array(trajectory)


def torch_descent_on_given_gradients(make_optimizer, w0, gradients):
    w = torch.tensor(w0, requires_grad=True)
    optimizer, trajectory = make_optimizer([w]), []
    for g in gradients:
        w.grad = torch.tensor(g)
        optimizer.step()
        trajectory.append(w.detach().numpy().copy())
    return np.array(trajectory)


@given(gradient_sequences, st.floats(0.01, 1.0), st.floats(0.0, 0.99))
def test_sgd_momentum_matches_torch(gradients, lr, momentum):
    """torch's SGD keeps u = momentum * u + g and steps by -lr * u: the same walk (v = -lr * u)."""
    w0 = np.linspace(-1, 1, gradients.shape[1])
    close(descent_on_given_gradients(ref("05_gradient_descent", "sgd_momentum"), w0, gradients,
                                     {"learning_rate": lr, "momentum": momentum}),
          torch_descent_on_given_gradients(lambda p: torch.optim.SGD(p, lr=lr, momentum=momentum), w0, gradients))


@given(gradient_sequences, st.floats(1e-3, 0.5), st.floats(0.5, 0.999))
def test_rmsprop_matches_torch(gradients, lr, decay_rate):
    w0 = np.linspace(-1, 1, gradients.shape[1])
    close(descent_on_given_gradients(ref("05_gradient_descent", "rmsprop"), w0, gradients,
                                     {"learning_rate": lr, "decay_rate": decay_rate}),
          torch_descent_on_given_gradients(lambda p: torch.optim.RMSprop(p, lr=lr, alpha=decay_rate), w0, gradients))


@given(gradient_sequences, st.floats(1e-3, 0.5), st.floats(0.0, 0.99), st.floats(0.5, 0.9999))
def test_adam_matches_torch(gradients, lr, beta1, beta2):
    w0 = np.linspace(-1, 1, gradients.shape[1])
    close(descent_on_given_gradients(ref("05_gradient_descent", "adam"), w0, gradients,
                                     {"learning_rate": lr, "beta1": beta1, "beta2": beta2}),
          torch_descent_on_given_gradients(lambda p: torch.optim.Adam(p, lr=lr, betas=(beta1, beta2)), w0, gradients))


def test_update_rules_default_to_torch_defaults():
    """With config None, RMSprop and Adam take torch.optim's defaults."""
    rng = np.random.default_rng(0)
    gradients, w0 = rng.normal(size=(5, 3)), rng.normal(size=3)
    for name, optimizer in [("rmsprop", torch.optim.RMSprop), ("adam", torch.optim.Adam)]:
        close(descent_on_given_gradients(ref("05_gradient_descent", name), w0, gradients, None),
              torch_descent_on_given_gradients(optimizer, w0, gradients))


@given(st.integers(150, 400), st.integers(150, 400), st.sampled_from(["xavier", "he"]), st.integers(0, 2**31))
def test_init_weights_match_torch_init(fan_in, fan_out, scheme, seed):
    """The reference's weights have the standard deviation of torch.nn.init's xavier_normal_ and
    kaiming_normal_ (ReLU, fan_in) on the same layer, within sampling error (22 500 or more
    draws: 3 %), and the mean 0. torch keeps a Linear's weight as (fan_out, fan_in)."""
    W = ref("06_backprop", "init_weights")([(fan_in, fan_out)], scheme, np.random.default_rng(seed))[0]
    torch.manual_seed(seed)
    oracle = torch.empty(fan_out, fan_in, dtype=torch.float64)
    if scheme == "xavier":
        torch.nn.init.xavier_normal_(oracle)
    else:
        torch.nn.init.kaiming_normal_(oracle, mode="fan_in", nonlinearity="relu")
    assert W.shape == (fan_in, fan_out)
    np.testing.assert_allclose(W.std(), oracle.std().item(), rtol=0.03)
    assert abs(W.mean()) < 5 * W.std() / np.sqrt(W.size)


def test_init_weights_zeros_match_torch():
    W = ref("06_backprop", "init_weights")([(3, 4)], "zeros", np.random.default_rng(0))[0]
    np.testing.assert_array_equal(W, torch.nn.init.zeros_(torch.empty(4, 3)).numpy().T)


@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 5)), elements=finite),
       hnp.arrays(np.float64, st.integers(1, 5), elements=finite), st.floats(0, 3))
def test_l2_penalty_matches_autograd(W, b, lam):
    """The penalty and its gradient are lam * sum(W**2) and what autograd makes of it; the bias is free."""
    penalty, grads = ref("07_dropout", "l2_penalty")({"W1": W, "b1": b}, lam)
    weight, bias = torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)
    oracle = lam * (weight ** 2).sum() + 0 * bias.sum()
    oracle.backward()
    close(penalty, oracle.item())
    close(grads["W1"], weight.grad.numpy())
    close(grads["b1"], bias.grad.numpy())
