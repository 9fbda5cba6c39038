"""Mistake catalogue of lab 01, matrix shapes."""
from autograder.judging.mistakes import Mistake

MISTAKES = [
    # --- matmul(A, B) -------------------------------------------------------------
    Mistake(
        "matmul", "transposed indexing",
        "Entry (i, j) of A B pairs row i of A with column j of B, summed over the inner index. The first "
        "index of an entry is its row: reading A down column i instead of along row i multiplies by A transposed.",
        """
        def matmul(A, B):
            m, n = A.shape
            n2, p = B.shape
            if n != n2:
                raise ValueError(f"cannot multiply {A.shape} by {B.shape}")
            C = np.zeros((m, p))
            for i in range(m):
                for j in range(p):
                    for k in range(n):
                        C[i, j] += A[k, i] * B[k, j]
            return C
        """),
    Mistake(
        "matmul", "no shape check",
        "Check that the columns of A match the rows of B before looping, and raise ValueError naming both "
        "shapes when they differ; otherwise the loops read past the end or silently ignore rows.",
        """
        def matmul(A, B):
            m, n = A.shape
            p = B.shape[1]
            C = np.zeros((m, p))
            for i in range(m):
                for j in range(p):
                    for k in range(n):
                        C[i, j] += A[i, k] * B[k, j]
            return C
        """),
    Mistake(
        "matmul", "off-by-one inner sum",
        "The inner sum must visit every one of the n values of the inner index, the first and the last "
        "included: a loop that stops one short, or starts one late, leaves a term out of every entry.",
        """
        def matmul(A, B):
            m, n = A.shape
            n2, p = B.shape
            if n != n2:
                raise ValueError(f"cannot multiply {A.shape} by {B.shape}")
            C = np.zeros((m, p))
            for i in range(m):
                for j in range(p):
                    for k in range(n - 1):
                        C[i, j] += A[i, k] * B[k, j]
            return C
        """),
    Mistake(
        "matmul", "result sized (n, p) instead of (m, p)",
        "(m x n)(n x p) -> (m x p): the result keeps the rows of A and the columns of B.",
        """
        def matmul(A, B):
            m, n = A.shape
            n2, p = B.shape
            if n != n2:
                raise ValueError(f"cannot multiply {A.shape} by {B.shape}")
            C = np.zeros((n, p))
            for i in range(m):
                for j in range(p):
                    for k in range(n):
                        C[i, j] += A[i, k] * B[k, j]
            return C
        """),
    Mistake(
        "matmul", "inner loop over the rows of A (right only for square A)",
        "The inner index k runs along a row of A and down a column of B: over A's columns, which are "
        "as many as A's rows only when A is square.",
        """
        def matmul(A, B):
            m, n = A.shape
            n2, p = B.shape
            if n != n2:
                raise ValueError(f"cannot multiply {A.shape} by {B.shape}")
            C = np.zeros((m, p))
            for i in range(m):
                for j in range(p):
                    for k in range(m):
                        C[i, j] += A[i, k] * B[k, j]
            return C
        """),
    # --- product_shape(shape_a, shape_b) ------------------------------------------
    Mistake(
        "product_shape", "rows of B instead of columns of B",
        "(m x n)(n x p) -> (m x p): keep the number of rows of A and the number of columns of B.",
        """
        def product_shape(shape_a, shape_b):
            if shape_a[1] != shape_b[0]:
                raise ValueError(f"cannot multiply {shape_a} by {shape_b}")
            return (shape_a[0], shape_b[0])
        """),
    Mistake(
        "product_shape", "no compatibility check",
        "A @ B exists only when the columns of A match the rows of B; raise ValueError otherwise.",
        """
        def product_shape(shape_a, shape_b):
            return (shape_a[0], shape_b[1])
        """),
    Mistake(
        "product_shape", "shape as a list",
        "A shape is a tuple, the type of an array's .shape: a list holding the same two numbers compares "
        "unequal to it.",
        """
        def product_shape(shape_a, shape_b):
            if shape_a[1] != shape_b[0]:
                raise ValueError(f"cannot multiply {shape_a} by {shape_b}")
            return [shape_a[0], shape_b[1]]
        """),
    # --- ffnn_forward(x, W2, b2, W3, g) -------------------------------------------
    Mistake(
        "ffnn_forward", "bias of shape (d_hidden, 1)",
        "In the row convention b2 is a row, (1, d_hidden) or (d_hidden,). A column bias "
        "broadcasts x W2 (1, d_hidden) into a (d_hidden, d_hidden) matrix without any error.",
        """
        def ffnn_forward(x, W2, b2, W3, g):
            h2 = g(x @ W2 + np.reshape(b2, (-1, 1)))
            return h2 @ W3
        """),
    Mistake(
        "ffnn_forward", "activation missing",
        "The hidden layer applies g to its whole pre-activation (the product with W2 plus the bias): "
        "without g the two layers collapse into one linear map.",
        """
        def ffnn_forward(x, W2, b2, W3, g):
            h2 = x @ W2 + b2
            return h2 @ W3
        """),
    Mistake(
        "ffnn_forward", "activation also applied to the output",
        "Only the hidden layer goes through g: y = h2 W3, with no g on top.",
        """
        def ffnn_forward(x, W2, b2, W3, g):
            h2 = g(x @ W2 + b2)
            return g(h2 @ W3)
        """),
    Mistake(
        "ffnn_forward", "bias missing",
        "The hidden layer's pre-activation is the product with W2 plus the bias b2; g comes after that sum.",
        """
        def ffnn_forward(x, W2, b2, W3, g):
            return g(x @ W2) @ W3
        """),
    Mistake(
        "ffnn_forward", "column convention where rows are asked",
        "Here examples are rows: x is (n, d_in) and the output (n, d_out). The column "
        "convention (W x + b) gives the transposed (d_out, n) result.",
        """
        def ffnn_forward(x, W2, b2, W3, g):
            h2 = g(W2.T @ x.T + np.reshape(b2, (-1, 1)))
            return W3.T @ h2
        """),
    Mistake(
        "ffnn_forward", "g ignored: tanh hard-coded",
        "g is an argument: apply the function the caller gives (it may be np.sin, np.arctan...), "
        "not the one of the notes' example.",
        """
        def ffnn_forward(x, W2, b2, W3, g):
            h2 = np.tanh(x @ W2 + b2)
            return h2 @ W3
        """),
    Mistake(
        "ffnn_forward", "bias added after the activation",
        "The bias is part of the pre-activation: add it to the product with W2 first, then apply g to the sum.",
        """
        def ffnn_forward(x, W2, b2, W3, g):
            h2 = g(x @ W2) + b2
            return h2 @ W3
        """),
]
