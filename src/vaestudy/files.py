"""Files written so that a crash never leaves half of one, and their content hashes."""

import hashlib
import os
from pathlib import Path


def sha256_of(path):
    """The sha256 of a file's bytes, as hexadecimal."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_durably(write, dest):
    """write(partial) to dest + '.part', flushed to disk, then renamed onto dest: a crash
    leaves either the old dest or the new one, never half a file under its name."""
    dest = Path(dest)
    partial = dest.with_name(dest.name + ".part")
    try:
        write(partial)
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)
