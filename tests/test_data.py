"""Data validation and download: good file, wrong shapes and hash, broken downloads."""

import hashlib
import http.server
import threading
import zipfile

import numpy as np
import pytest
from conftest import ROOT, write_npz

from vaestudy import data, datasets
from vaestudy.data import DataError


def test_shared_copy_is_valid(mnist_path):
    assert data.validate_npz(mnist_path) == {"train": 60000, "test": 10000}
    x, y = data.load_split(mnist_path, "test", limit=100)
    assert x.shape == (100, 784) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() <= 1.0
    assert list(y[:10]) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"x_train": np.zeros((5, 28, 27), np.uint8)}, "x_train has shape"),
        ({"y_test": np.zeros(3, np.uint8)}, "y_test has shape"),
        ({"x_test": np.zeros((60, 28, 28), np.float32)}, "x_test has dtype float32"),
        ({"y_train": np.full(20, 11, np.uint8)}, "label 11"),
        ({"y_train": None}, "missing arrays ['y_train']"),
    ],
)
def test_malformed_files_are_rejected_with_the_reason(tmp_path, overrides, message):
    path = write_npz(tmp_path / "bad.npz", **overrides)
    with pytest.raises(DataError) as error:
        data.validate_npz(path)
    assert message in str(error.value)


@pytest.mark.parametrize("content", [b"not a zip at all", b"hello\n", b"PK\x03\x04truncated"])
def test_non_npz_and_truncated_files_are_rejected(tmp_path, content):
    path = tmp_path / "mnist.npz"
    path.write_bytes(content)
    with pytest.raises(DataError, match="is not (an|a readable) .npz file"):
        data.validate_npz(path)


def _npy(path):
    with open(path, "wb") as handle:  # a .npy array under an .npz name
        np.save(handle, np.zeros((3, 28, 28), np.uint8))
    return path


def _zip_without_arrays(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "no arrays here")
    return path


def _object_arrays(path):
    return write_npz(path, x_train=np.array([{"image": 1}] * 20, dtype=object))


def _corrupt_member(path):
    write_npz(path, n_train=200)
    raw = bytearray(path.read_bytes())
    raw[3000:3040] = b"\xff" * 40  # inside x_train's compressed bytes
    path.write_bytes(bytes(raw))
    return path


def _directory(path):
    path.mkdir()
    return path


BAD_FILES = {
    "npy": (_npy, "holds a single array (.npy)"),
    "zip": (_zip_without_arrays, "missing arrays"),
    "pickle": (_object_arrays, "x_train holds Python objects (pickle)"),
    "corrupt": (_corrupt_member, "is corrupt"),
    "directory": (_directory, "is a directory"),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_every_unusable_local_file_is_one_line_naming_the_key_and_file(tmp_path, kind):
    make, words = BAD_FILES[kind]
    path = make(tmp_path / "mnist.npz")
    with pytest.raises(DataError) as error:
        datasets.Dataset("mnist", str(path)).sizes()
    message = str(error.value)
    assert message.startswith("config key 'mnist_path': ") and str(path) in message
    assert words in message and "\n" not in message


def test_truncated_real_npz_is_rejected(tmp_path, small_npz):
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(small_npz.read_bytes()[:2000])
    with pytest.raises(DataError):
        data.validate_npz(truncated)


def test_limits_larger_than_the_data_are_rejected():
    with pytest.raises(DataError, match="train_limit.*only 60000"):
        datasets.Dataset("mnist").check_limits({"train": 60000, "test": 10000}, 70000, 0)
    datasets.Dataset("mnist").check_limits({"train": 60000, "test": 10000}, 60000, 10000)


class _Server:
    """A local HTTP server serving `body`, optionally cutting the connection mid-way."""

    def __init__(self, body, cut_after=None):
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body if cut_after is None else body[:cut_after])
                if cut_after is not None:
                    self.connection.close()

            def log_message(self, *args):
                pass

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/mnist.npz"
        self.thread = threading.Thread(target=outer.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def no_keras_cache(monkeypatch, tmp_path):
    monkeypatch.setattr(data, "KERAS_CACHE", tmp_path / "no-cache" / "mnist.npz")


def test_download_with_the_right_hash(tmp_path, small_npz, no_keras_cache):
    body = small_npz.read_bytes()
    sha = hashlib.sha256(body).hexdigest()
    dest = tmp_path / "out" / "mnist.npz"
    with _Server(body) as server:
        info = data.fetch_dataset(dest, server.url, sha)
    assert info == {"source": server.url, "sha256": sha, "sizes": {"train": 20, "test": 60}}
    assert dest.read_bytes() == body


def test_download_with_a_wrong_hash_leaves_nothing(tmp_path, small_npz, no_keras_cache):
    dest = tmp_path / "out" / "mnist.npz"
    with _Server(small_npz.read_bytes()) as server:
        with pytest.raises(DataError, match="has sha256 .* expected 0000"):
            data.fetch_dataset(dest, server.url, "0" * 64)
    assert list(dest.parent.iterdir()) == []


def test_download_broken_mid_way_leaves_nothing(tmp_path, small_npz, no_keras_cache):
    body = small_npz.read_bytes()
    dest = tmp_path / "out" / "mnist.npz"
    with _Server(body, cut_after=len(body) // 2) as server:
        with pytest.raises(DataError, match="could not download"):
            data.fetch_dataset(dest, server.url, hashlib.sha256(body).hexdigest())
    assert list(dest.parent.iterdir()) == []


def test_offline_says_how_to_use_a_local_file(tmp_path, no_keras_cache):
    # port 9 on loopback: nothing listens, the connection is refused at once
    with pytest.raises(DataError, match="mnist_path"):
        data.fetch_dataset(tmp_path / "mnist.npz", "http://127.0.0.1:9/mnist.npz", "0" * 64)
    assert not (tmp_path / "mnist.npz").exists()


def test_a_bad_keras_cache_file_is_not_copied(tmp_path, monkeypatch):
    bad = write_npz(tmp_path / "cached.npz", y_test=np.full(60, 12, np.uint8))
    monkeypatch.setattr(data, "KERAS_CACHE", bad)
    dest = tmp_path / "results" / "mnist.npz"
    with pytest.raises(DataError, match="label 12"):
        data.fetch_dataset(dest, "http://127.0.0.1:9/x", data.sha256_of(bad))
    assert not dest.exists() and not list(dest.parent.iterdir())


def test_keras_cache_with_the_right_hash_is_used(tmp_path, small_npz, monkeypatch):
    monkeypatch.setattr(data, "KERAS_CACHE", small_npz)
    info = data.fetch_dataset(
        tmp_path / "out.npz", "http://127.0.0.1:9/x", data.sha256_of(small_npz)
    )
    assert info["source"].startswith("Keras cache")


def test_local_file_is_validated_before_it_is_copied(tmp_path):
    bad = write_npz(tmp_path / "bad.npz", y_test=np.full(60, 12, np.uint8))
    dest = tmp_path / "results" / "mnist.npz"
    with pytest.raises(DataError, match="label 12"):
        data.fetch_dataset(dest, "unused", "0" * 64, local_path=str(bad))
    assert not dest.exists()


def level_config(tmp_path, *entries, **settings):
    """A validated config whose datasets are mnist (a small local copy) and `entries`."""
    from vaestudy.config import load_schema, validate_config

    schema = load_schema(ROOT / "workflow/schemas/config.schema.yaml")
    mnist = write_npz(tmp_path / "mnist.npz")
    config = {"mnist_path": str(mnist), "datasets": ["mnist", *entries], **settings}
    return validate_config(config, schema)


def check_local_files(config):
    """What the workflow checks before any job."""
    found = datasets.configured(config)
    datasets.check_local_files(found, config["train_limit"], config["test_limit"])


def test_every_local_dataset_is_checked_before_any_job(tmp_path):
    bad = write_npz(tmp_path / "bad.npz", x_train=np.zeros((20, 28, 27), np.uint8))
    config = level_config(tmp_path, {"name": "bad", "path": str(bad)})
    with pytest.raises(DataError) as error:
        check_local_files(config)
    message = str(error.value)
    assert message.startswith("config key 'datasets': dataset 'bad': ") and "\n" not in message
    assert "x_train has shape (20, 28, 27)" in message


def test_two_datasets_that_are_the_same_file_are_refused(tmp_path):
    config = level_config(tmp_path)
    copy = tmp_path / "copy.npz"
    copy.write_bytes((tmp_path / "mnist.npz").read_bytes())
    config["datasets"].append({"name": "copy", "path": str(copy)})
    with pytest.raises(DataError, match="dataset 'copy' is the same file as 'mnist'"):
        check_local_files(config)


def test_image_limits_are_checked_against_every_dataset(tmp_path):
    small = write_npz(tmp_path / "small.npz", n_train=12)
    config = level_config(tmp_path, {"name": "small", "path": str(small)}, train_limit=15)
    with pytest.raises(DataError, match="'train_limit': got 15, but dataset 'small' has only 12"):
        check_local_files(config)


def test_a_dataset_to_download_is_fetched_checked_and_limited(tmp_path, no_keras_cache):
    body = write_npz(tmp_path / "served.npz", n_train=12).read_bytes()
    sha = hashlib.sha256(body).hexdigest()
    with _Server(body) as server:
        fashion = datasets.Dataset("fashion", url=server.url, sha256=sha)
        info = fashion.fetch(tmp_path / "out/fashion.npz", 0, 0)
        assert info["sha256"] == sha and info["sizes"]["train"] == 12
        with pytest.raises(DataError, match="but dataset 'fashion' has only 12 train images"):
            fashion.fetch(tmp_path / "again/fashion.npz", 20, 0)
    offline = datasets.Dataset("fashion", url="http://127.0.0.1:9/f.npz", sha256=sha)
    with pytest.raises(DataError) as error:
        offline.fetch(tmp_path / "none/fashion.npz", 0, 0)
    assert "could not download dataset 'fashion'" in str(error.value)
    assert "{name: fashion, path: /path/to/file.npz}" in str(error.value)
