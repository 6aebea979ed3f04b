#!/usr/bin/env python3
"""Makes the embedded MNIST sample in datasets/sample/ from the full MNIST files.

    python3 datasets/make_sample.py [--mnist datasets/mnist] [--out datasets/sample]

The sample is balanced: 500 training digits of each class (5,000) taken from the
60,000 of train-images-idx3-ubyte, and 100 test digits of each class (1,000) from
the 10,000 of t10k-images-idx3-ubyte. Within each class the digits are those with
the smallest key splitmix64(SEED * 2^32 + index), a fixed hash, so the choice
depends on nothing but SEED and the files (no library's random generator, whose
sequence could change between versions). The chosen digits keep their original
order. Output: the four files as gzip IDX (compressed with mtime 0, so the same
input always gives the same bytes), and indices.txt listing the chosen indices.

Standard library only. The inputs are checked against datasets/SHA256SUMS first.
"""
import argparse
import gzip
import hashlib
import os
import struct
import sys

SEED = 2024
TRAIN_PER_CLASS = 500
TEST_PER_CLASS = 100
MASK = (1 << 64) - 1
HERE = os.path.dirname(os.path.abspath(__file__))


def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def read_raw(folder, name):
    for path in (os.path.join(folder, name), os.path.join(folder, name + ".gz")):
        if os.path.isfile(path):
            opener = gzip.open if path.endswith(".gz") else open
            with opener(path, "rb") as f:
                return path, f.read()
    sys.exit(f"make_sample: {name}[.gz] not found in {folder}: run ./course fetch first")


def expected_sums():
    sums = {}
    with open(os.path.join(HERE, "SHA256SUMS")) as f:
        for line in f:
            if line.strip():
                digest, name = line.split()
                sums[name.lstrip("*")] = digest
    return sums


def choose(labels, per_class):
    chosen = []
    for digit in range(10):
        members = [i for i, label in enumerate(labels) if label == digit]
        if len(members) < per_class:
            sys.exit(f"make_sample: only {len(members)} examples of {digit}, {per_class} wanted")
        members.sort(key=lambda i: splitmix64((SEED << 32) + i))
        chosen.extend(members[:per_class])
    return sorted(chosen)


def write_gzip(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=raw, mtime=0) as gz:
            gz.write(data)
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mnist", default=os.environ.get("COURSE_DATA_DIR") or os.path.join(HERE, "mnist"))
    parser.add_argument("--out", default=os.path.join(HERE, "sample"))
    args = parser.parse_args()
    sums = expected_sums()
    os.makedirs(args.out, exist_ok=True)
    listing = [f"# MNIST sample made by datasets/make_sample.py (SEED = {SEED}): 0-based indices into the full files"]

    for part, per_class in (("train", TRAIN_PER_CLASS), ("t10k", TEST_PER_CLASS)):
        images_name, labels_name = f"{part}-images-idx3-ubyte", f"{part}-labels-idx1-ubyte"
        data = {}
        for name in (images_name, labels_name):
            path, content = read_raw(args.mnist, name)
            digest = hashlib.sha256(content).hexdigest()
            if digest != sums[name]:
                sys.exit(f"make_sample: {path}: expected SHA-256 {sums[name]}, found {digest}")
            data[name] = content
        magic, n_labels = struct.unpack(">II", data[labels_name][:8])
        assert magic == 0x801
        labels = data[labels_name][8:]
        magic, n_images, rows, cols = struct.unpack(">IIII", data[images_name][:16])
        assert magic == 0x803 and n_images == n_labels == len(labels)
        size = rows * cols
        pixels = data[images_name][16:]

        chosen = choose(labels, per_class)
        out_images = struct.pack(">IIII", 0x803, len(chosen), rows, cols) + b"".join(
            pixels[i * size:(i + 1) * size] for i in chosen)
        out_labels = struct.pack(">II", 0x801, len(chosen)) + bytes(labels[i] for i in chosen)
        write_gzip(os.path.join(args.out, images_name + ".gz"), out_images)
        write_gzip(os.path.join(args.out, labels_name + ".gz"), out_labels)
        listing.append(f"{images_name} / {labels_name}: {len(chosen)} of {n_images}")
        listing.append(" ".join(str(i) for i in chosen))
        counts = [sum(1 for i in chosen if labels[i] == d) for d in range(10)]
        print(f"{part}: {len(chosen)} digits, per class {counts}")

    with open(os.path.join(args.out, "indices.txt"), "w") as f:
        f.write("\n".join(listing) + "\n")
    for name in sorted(os.listdir(args.out)):
        print(f"  {name}: {os.path.getsize(os.path.join(args.out, name))} bytes")


if __name__ == "__main__":
    main()
