#!/usr/bin/env python3
"""The peer benchmark: chapter 7's and chapter 11's nets hand-written in numpy, one epoch each.

    python3 bench/peer_numpy.py [--rounds 5] [--csv bench/results/peer_numpy.csv] [--data-dir datasets/mnist]

What a user would write instead of the course's C++: float32, one BLAS thread
(OPENBLAS_NUM_THREADS=1, set before numpy is imported: Debian's numpy calls the
same OpenBLAS as Armadillo), examples as rows (numpy's habit; the products are the
same sizes as the course's, transposed), the same layer order and batch sizes:

  chapter 7:  784-64-16-10, sigmoid, tanh, softmax + cross-entropy, SGD (η = 0.1), batch 64
  chapter 11: 784-256-128-10, [Linear (no bias) → batch norm → ReLU → inverted dropout 0.2] × 2,
              Linear → softmax + cross-entropy, Adam (α = 10⁻³), batch 128

Each epoch: a new permutation, then for every mini-batch: gather, forward, cost,
backward, update. Both nets run interleaved for --rounds rounds (after a
warm-up epoch); each one's fastest epoch (CPU time, as the C++ benchmarks: one BLAS
thread) and the spread are printed and written to the CSV (variant, fastest, median,
slowest, rounds, fastest wall-clock) that bench/run.py tabulates.
Needs numpy (Debian: sudo apt-get install python3-numpy); PyTorch is not used.
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
F = np.float32


def load_mnist(data_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """The 60,000 training images as float32 rows in [0, 1] and their labels."""
    images = data_dir / "train-images-idx3-ubyte"
    labels = data_dir / "train-labels-idx1-ubyte"
    for path in (images, labels):
        if not path.exists():
            sys.exit(f"peer_numpy.py: {path} not found (./course fetch downloads MNIST)")
    X = np.frombuffer(images.read_bytes(), dtype=np.uint8, offset=16).reshape(-1, 784).astype(F) * F(1 / 255)
    y = np.frombuffer(labels.read_bytes(), dtype=np.uint8, offset=8)
    return X, y


def softmax_cross_entropy(Z: np.ndarray, Y: np.ndarray) -> tuple[float, np.ndarray]:
    """J = −(1/m) Σ Y ln softmax(Z) and dZ = (softmax(Z) − Y)/m."""
    Z = Z - Z.max(axis=1, keepdims=True)
    E = np.exp(Z)
    P = E / E.sum(axis=1, keepdims=True)
    m = Z.shape[0]
    cost = float(-(Y * np.log(np.maximum(P, F(1e-30)))).sum() / m)
    return cost, (P - Y) * F(1 / m)


class Ch07Net:
    """784-64-16-10, sigmoid, tanh, softmax; SGD."""

    def __init__(self, rng: np.random.Generator, lr: float = 0.1):
        sizes = [784, 64, 16, 10]
        # Xavier: U(±√(6/(n_in + n_out)))
        self.W = [rng.uniform(-1, 1, (a, b)).astype(F) * F(np.sqrt(6 / (a + b))) for a, b in zip(sizes, sizes[1:])]
        self.b = [np.zeros(b, F) for b in sizes[1:]]
        self.lr = F(lr)

    def step(self, X: np.ndarray, Y: np.ndarray) -> float:
        W, b = self.W, self.b
        A1 = 1 / (1 + np.exp(-(X @ W[0] + b[0])))       # σ
        A2 = np.tanh(A1 @ W[1] + b[1])
        cost, dZ3 = softmax_cross_entropy(A2 @ W[2] + b[2], Y)
        dZ2 = (dZ3 @ W[2].T) * (1 - A2 * A2)             # tanh' = 1 − a²
        dZ1 = (dZ2 @ W[1].T) * A1 * (1 - A1)             # σ' = a(1 − a)
        for W_l, b_l, A, dZ in ((W[2], b[2], A2, dZ3), (W[1], b[1], A1, dZ2), (W[0], b[0], X, dZ1)):
            W_l -= self.lr * (A.T @ dZ)
            b_l -= self.lr * dZ.sum(axis=0)
        return cost


class Adam:
    def __init__(self, params: list[np.ndarray], lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8):
        self.params, self.lr, self.b1, self.b2, self.eps, self.t = params, lr, beta1, beta2, eps, 0
        self.v = [np.zeros_like(p) for p in params]
        self.s = [np.zeros_like(p) for p in params]
        self.buf = [np.zeros_like(p) for p in params]

    def step(self, grads: list[np.ndarray]) -> None:
        self.t += 1
        c1, c2 = 1 - self.b1 ** self.t, 1 - self.b2 ** self.t        # bias corrections, in double
        step = F(self.lr * np.sqrt(c2) / c1)
        eps = F(self.eps * np.sqrt(c2))
        for p, g, v, s, buf in zip(self.params, grads, self.v, self.s, self.buf):   # in place: no temporaries
            v *= F(self.b1)
            np.multiply(g, F(1 - self.b1), out=buf)
            v += buf                                                  # v = β₁ v + (1 − β₁) g
            s *= F(self.b2)
            np.multiply(g, g, out=buf)
            buf *= F(1 - self.b2)
            s += buf                                                  # s = β₂ s + (1 − β₂) g²
            np.sqrt(s, out=buf)
            buf += eps
            np.divide(v, buf, out=buf)
            buf *= step
            p -= buf                                                  # W −= α' v / (√s + ε')


class Ch11Net:
    """784-256-128-10, [Linear (no bias) → BN → ReLU → dropout 0.2] × 2 → Linear → softmax; Adam."""

    def __init__(self, rng: np.random.Generator, keep_prob: float = 0.8):
        sizes = [784, 256, 128, 10]
        self.W = [(rng.standard_normal((a, b)) * np.sqrt(2 / a)).astype(F) for a, b in zip(sizes, sizes[1:])]  # He
        self.b3 = np.zeros(10, F)
        self.gamma = [np.ones(n, F) for n in sizes[1:3]]
        self.beta = [np.zeros(n, F) for n in sizes[1:3]]
        self.running = [[np.zeros(n, F), np.ones(n, F)] for n in sizes[1:3]]
        self.keep = keep_prob
        self.rng = rng
        self.adam = Adam(self.W + [self.b3] + self.gamma + self.beta)

    def step(self, X: np.ndarray, Y: np.ndarray) -> float:
        m = X.shape[0]
        cache = []
        A = X
        for l in range(2):                                # Linear → BN → ReLU → dropout
            Z = A @ self.W[l]
            mu = Z.mean(axis=0)
            Zc = Z - mu
            var = (Zc * Zc).mean(axis=0)
            inv_std = 1 / np.sqrt(var + F(1e-5))
            Zn = Zc * inv_std
            H = self.gamma[l] * Zn + self.beta[l]
            r = self.running[l]
            r[0] = F(0.9) * r[0] + F(0.1) * mu
            r[1] = F(0.9) * r[1] + F(0.1) * var
            mask = (self.rng.random(H.shape, dtype=F) < self.keep) * F(1 / self.keep)
            A_next = np.maximum(H, 0) * mask
            cache.append((A, Zn, inv_std, H, mask))
            A = A_next
        cost, dZ = softmax_cross_entropy(A @ self.W[2] + self.b3, Y)
        grads_W = [None, None, A.T @ dZ]
        db3 = dZ.sum(axis=0)
        dA = dZ @ self.W[2].T
        dgammas, dbetas = [None, None], [None, None]
        for l in (1, 0):
            A_prev, Zn, inv_std, H, mask = cache[l]
            dH = dA * mask * (H > 0)                       # dropout, then ReLU
            dbetas[l] = dH.sum(axis=0)
            dgammas[l] = (dH * Zn).sum(axis=0)
            dZ_l = (self.gamma[l] * inv_std) * (dH - dbetas[l] / m - Zn * (dgammas[l] / m))
            grads_W[l] = A_prev.T @ dZ_l
            if l > 0:
                dA = dZ_l @ self.W[l].T
        self.adam.step(grads_W + [db3] + dgammas + dbetas)
        return cost


def epoch(net, X: np.ndarray, Yall: np.ndarray, batch: int, rng: np.random.Generator) -> float:
    order = rng.permutation(X.shape[0])
    total = 0.0
    for first in range(0, X.shape[0], batch):
        idx = order[first:first + batch]
        total += net.step(X[idx], Yall[idx]) * len(idx)
    return total / X.shape[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--csv", type=Path, default=None)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "datasets" / "mnist")
    args = parser.parse_args()
    if args.rounds < 1:
        sys.exit("peer_numpy.py: --rounds must be at least 1")
    X, y = load_mnist(args.data_dir)
    Y = np.eye(10, dtype=F)[y]
    rng = np.random.default_rng(1)
    nets = {"numpy ch07 epoch": (Ch07Net(rng), 64), "numpy ch11 epoch": (Ch11Net(rng), 128)}
    times: dict[str, list[float]] = {name: [] for name in nets}
    walls: dict[str, list[float]] = {name: [] for name in nets}
    costs = {}
    for name, (net, batch) in nets.items():             # warm-up
        epoch(net, X, Y, batch, rng)
    for r in range(args.rounds):
        for name, (net, batch) in nets.items():
            start, wall = time.process_time(), time.perf_counter()
            costs[name] = epoch(net, X, Y, batch, rng)
            times[name].append(time.process_time() - start)   # CPU time, as the C++ side (one BLAS thread)
            walls[name].append(time.perf_counter() - wall)
        print(f"  round {r + 1} of {args.rounds} done", file=sys.stderr, flush=True)
    print(f"numpy {np.__version__}, float32, OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}, "
          f"{X.shape[0]} images, {args.rounds} rounds interleaved")
    print(f"  {'variant (CPU time, s)':<22} {'fastest':>9} {'median':>9} {'slowest':>9}  wall-clock fastest  running cost")
    rows = []
    for name, t in times.items():
        s = sorted(t)
        median = s[len(s) // 2] if len(s) % 2 else (s[len(s) // 2 - 1] + s[len(s) // 2]) / 2
        print(f"  {name:<22} {s[0]:9.3f} {median:9.3f} {s[-1]:9.3f}  {min(walls[name]):18.3f}  {costs[name]:.4f}")
        rows.append(f"{name},{s[0]:.6g},{median:.6g},{s[-1]:.6g},{len(s)},{min(walls[name]):.6g}")
    if args.csv:
        tmp = args.csv.with_suffix(".tmp")
        tmp.write_text("variant,fastest_s,median_s,slowest_s,rounds,fastest_wall_s\n" + "\n".join(rows) + "\n")
        tmp.replace(args.csv)


if __name__ == "__main__":
    main()
