"""MNIST in the Keras npz layout: download with a hash check, or validate a local copy."""

import http.client
import shutil
import urllib.error
import urllib.request
import zipfile
import zlib
from pathlib import Path

import numpy as np

from vaestudy.files import sha256_of, write_durably

SPLITS = {"train": ("x_train", "y_train"), "test": ("x_test", "y_test")}
CANONICAL_SIZES = {"train": 60000, "test": 10000}
KERAS_CACHE = Path("~/.keras/datasets/mnist.npz").expanduser()


class DataError(RuntimeError):
    """The data file is missing, unreachable or malformed; the message says what to do."""


def _open_npz(path):
    """The file as an NpzFile, or a DataError that says what the file is instead."""
    path = Path(path)
    if path.is_dir():
        raise DataError(f"{path} is a directory, not an MNIST .npz file")
    if not path.is_file():
        raise DataError(f"{path} does not exist")
    try:
        npz = np.load(path, allow_pickle=False)
    except ValueError as error:  # numpy's pickle hint: neither a zip archive nor a .npy array
        raise DataError(f"{path} is not an .npz file (not a zip archive of arrays)") from error
    except (OSError, zipfile.BadZipFile, EOFError) as error:
        raise DataError(f"{path} is not a readable .npz file ({error})") from error
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise DataError(
            f"{path} holds a single array (.npy), not an .npz archive of x_train, y_train, "
            "x_test and y_test"
        )
    return npz


def _read(npz, path, key):
    """One array of the archive; a member that needs pickle or is corrupt is a DataError."""
    try:
        return npz[key]
    except ValueError as error:
        raise DataError(f"{path}: {key} holds Python objects (pickle), not numbers") from error
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as error:
        raise DataError(f"{path}: {key} is corrupt ({error})") from error


def _check_split(npz, path, split):
    x_key, y_key = SPLITS[split]
    x, y = _read(npz, path, x_key), _read(npz, path, y_key)
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


def validate_npz(path):
    """Check a dataset file in the Keras layout (x_train, y_train, x_test, y_test): keys,
    shapes, dtypes and labels; return the number of images per split."""
    with _open_npz(path) as npz:
        missing = sorted({k for keys in SPLITS.values() for k in keys} - set(npz.files))
        if missing:
            raise DataError(
                f"{path}: missing arrays {missing}; expected x_train, y_train, x_test, y_test"
            )
        return {split: _check_split(npz, path, split) for split in SPLITS}


def _fetch(url, partial, timeout):
    """Stream url into the file partial; a short read is an error."""
    with urllib.request.urlopen(url, timeout=timeout) as response, open(partial, "wb") as out:
        shutil.copyfileobj(response, out)
        expected = response.headers.get("Content-Length")
    if expected is not None and partial.stat().st_size != int(expected):
        raise OSError(f"connection closed after {partial.stat().st_size} of {expected} bytes")


MNIST_OFFLINE = "set mnist_path to a local copy: snakemake --config mnist_path=/path/to/mnist.npz"


def download(url, dest, sha256, timeout=60, offline=MNIST_OFFLINE, what="MNIST"):
    """Fetch url to dest; dest appears only complete and with the right hash. `offline` says
    what to do without internet."""

    def fetch_and_check(partial):
        try:
            _fetch(url, partial, timeout)
        except (
            urllib.error.URLError,
            OSError,
            TimeoutError,
            ValueError,
            http.client.HTTPException,
        ) as error:
            raise DataError(
                f"could not download {what} from {url} ({error}). On a machine without "
                f"internet, {offline}"
            ) from error
        actual = sha256_of(partial)
        if actual != sha256:
            raise DataError(
                f"the file downloaded from {url} has sha256 {actual}, expected {sha256}; "
                "the download is corrupt or the URL serves another file"
            )

    write_durably(fetch_and_check, dest)


def _copy_validated(source, dest):
    write_durably(lambda partial: shutil.copyfile(source, partial), dest)


def fetch_dataset(dest, url, sha256, local_path="", check=validate_npz, **offline):
    """Put a validated npz at dest, from local_path (checked by `check`) or downloaded from
    url (or the Keras cache) with its sha256 (`offline`: download's message arguments);
    return its provenance (source, sha256, sizes)."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if local_path:
        source = str(Path(local_path).resolve())
        sizes = check(local_path)
        _copy_validated(local_path, dest)
    elif KERAS_CACHE.is_file() and sha256_of(KERAS_CACHE) == sha256:
        source = f"Keras cache {KERAS_CACHE}"
        sizes = validate_npz(KERAS_CACHE)
        _copy_validated(KERAS_CACHE, dest)
    else:
        source = url
        download(url, dest, sha256, **offline)
        try:
            sizes = validate_npz(dest)
        except DataError:
            dest.unlink(missing_ok=True)
            raise
    return {"source": source, "sha256": sha256_of(dest), "sizes": sizes}


def load_pixels(path, split, limit=0):
    """Images as stored (uint8, 0-255), flattened to 784, and their labels; first `limit`
    only. A quarter of the memory of load_split's floats: training converts per batch."""
    x_key, y_key = SPLITS[split]
    with np.load(path) as npz:
        x, y = npz[x_key], npz[y_key]
    if limit:
        x, y = x[:limit], y[:limit]
    return x.reshape(len(x), -1), y.astype("int64")


def load_split(path, split, limit=0):
    """Images as float32 in [0, 1], flattened to 784, and their labels; first `limit` only."""
    x, y = load_pixels(path, split, limit)
    return x.astype("float32") / 255.0, y
