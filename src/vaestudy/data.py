"""MNIST in the Keras npz layout: download with a hash check, or validate a local copy."""

import hashlib
import http.client
import os
import shutil
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import numpy as np

SPLITS = {"train": ("x_train", "y_train"), "test": ("x_test", "y_test")}
CANONICAL_SIZES = {"train": 60000, "test": 10000}
KERAS_CACHE = Path("~/.keras/datasets/mnist.npz").expanduser()


class DataError(RuntimeError):
    """The data file is missing, unreachable or malformed; the message says what to do."""


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _open_npz(path):
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise DataError(f"{path} is not a readable .npz file ({error})") from error


def _check_split(npz, path, split):
    x_key, y_key = SPLITS[split]
    x, y = npz[x_key], npz[y_key]
    if x.ndim != 3 or x.shape[1:] != (28, 28) or x.shape[0] == 0:
        raise DataError(f"{path}: {x_key} has shape {x.shape}; expected (N, 28, 28)")
    if y.shape != (x.shape[0],):
        raise DataError(f"{path}: {y_key} has shape {y.shape}; expected ({x.shape[0]},)")
    for key, array in ((x_key, x), (y_key, y)):
        if array.dtype != np.uint8:
            raise DataError(f"{path}: {key} has dtype {array.dtype}; expected uint8")
    if y.max() > 9:
        raise DataError(f"{path}: {y_key} has label {int(y.max())}; labels must be 0-9")
    return x.shape[0]


def validate_mnist(path):
    """Check keys, shapes, dtypes and labels; return the number of images per split."""
    try:
        with _open_npz(path) as npz:
            missing = sorted({k for keys in SPLITS.values() for k in keys} - set(npz.files))
            if missing:
                raise DataError(
                    f"{path}: missing arrays {missing}; expected x_train, y_train, x_test, y_test"
                )
            return {split: _check_split(npz, path, split) for split in SPLITS}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        raise DataError(f"{path} is not a readable MNIST .npz file ({error})") from error


def download(url, dest, sha256, timeout=60):
    """Fetch url to dest through a temporary file; dest appears only with the right hash."""
    dest = Path(dest)
    partial = dest.with_name(dest.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(partial, "wb") as out:
            shutil.copyfileobj(response, out)
            expected = response.headers.get("Content-Length")
        if expected is not None and partial.stat().st_size != int(expected):
            raise OSError(f"connection closed after {partial.stat().st_size} of {expected} bytes")
    except (urllib.error.URLError, OSError, TimeoutError, http.client.HTTPException) as error:
        partial.unlink(missing_ok=True)
        raise DataError(
            f"could not download MNIST from {url} ({error}). On a machine without internet, "
            "set mnist_path to a local copy: snakemake --config mnist_path=/path/to/mnist.npz"
        ) from error
    actual = sha256_of(partial)
    if actual != sha256:
        partial.unlink()
        raise DataError(
            f"the file downloaded from {url} has sha256 {actual}, expected {sha256}; "
            "the download is corrupt or the URL serves another file"
        )
    os.replace(partial, dest)


def _copy_validated(source, dest):
    partial = Path(str(dest) + ".part")
    shutil.copyfile(source, partial)
    os.replace(partial, dest)


def fetch_mnist(dest, url, sha256, local_path=""):
    """Put a validated MNIST npz at dest; return its provenance (source, sha256, sizes)."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if local_path:
        source = str(Path(local_path).resolve())
        sizes = validate_mnist(local_path)
        _copy_validated(local_path, dest)
    elif KERAS_CACHE.is_file() and sha256_of(KERAS_CACHE) == sha256:
        source = f"Keras cache {KERAS_CACHE}"
        _copy_validated(KERAS_CACHE, dest)
        sizes = validate_mnist(dest)
    else:
        source = url
        download(url, dest, sha256)
        try:
            sizes = validate_mnist(dest)
        except DataError:
            dest.unlink(missing_ok=True)
            raise
    return {"source": source, "sha256": sha256_of(dest), "sizes": sizes}


def check_limits(sizes, train_limit, test_limit):
    """Reject slices larger than the data before any job starts."""
    for split, limit in (("train", train_limit), ("test", test_limit)):
        if limit > sizes[split]:
            raise DataError(
                f"config key '{split}_limit': got {limit}, but the data has only "
                f"{sizes[split]} {split} images; use 0 for all or a smaller number"
            )


def split_sizes(path):
    """Number of images per split, reading only the label arrays."""
    with _open_npz(path) as npz:
        return {split: len(npz[y_key]) for split, (_, y_key) in SPLITS.items()}


def load_split(path, split, limit=0):
    """Images as float32 in [0, 1], flattened to 784, and their labels; first `limit` only."""
    x_key, y_key = SPLITS[split]
    with np.load(path) as npz:
        x, y = npz[x_key], npz[y_key]
    if limit:
        x, y = x[:limit], y[:limit]
    return x.reshape(len(x), -1).astype("float32") / 255.0, y.astype("int64")
