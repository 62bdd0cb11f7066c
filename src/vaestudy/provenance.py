"""What made a result: the workflow's own version and a hash of the settings it ran with."""

import hashlib
import importlib.metadata
import json
import subprocess
from pathlib import Path


def _git(root, *args):
    return subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=20, check=True
    ).stdout


def package_version():
    try:
        return importlib.metadata.version("vaestudy")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def head_from_files(root):
    """The commit HEAD names, read from the checkout's files without running git, or None.

    git refuses a checkout another user owns ("dubious ownership"), and trusting it would
    let that checkout's configuration run commands; the commit itself is in plain files."""
    git_dir = Path(root) / ".git"
    try:
        if git_dir.is_file():  # a worktree or submodule: "gitdir: <path>"
            git_dir = (Path(root) / git_dir.read_text().split(":", 1)[1].strip()).resolve()
        head = (git_dir / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head or None  # a detached HEAD is the commit itself
        ref = head[len("ref: ") :]
        common = git_dir / "commondir"
        base = (git_dir / common.read_text().strip()).resolve() if common.exists() else git_dir
        for folder in (git_dir, base):
            if (folder / ref).is_file():
                return (folder / ref).read_text().strip()
        for line in (base / "packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return line.split()[0]
    except OSError:
        return None
    return None


def workflow_version(root):
    """{"commit", "dirty", "package"}: the git commit of the workflow checkout at `root` and
    whether it had uncommitted changes (tracked files, or untracked ones git does not ignore).

    Where git cannot read the checkout (another user's, or git missing), the commit comes from
    its files and dirty is None: not checked. Outside a checkout both are None, and the
    package's version says what ran."""
    version = {"commit": None, "dirty": None, "package": package_version()}
    try:
        commit = _git(root, "rev-parse", "HEAD").strip()
        changes = _git(root, "status", "--porcelain").strip()
    except (OSError, subprocess.SubprocessError):
        return {**version, "commit": head_from_files(root)}
    return {**version, "commit": commit, "dirty": bool(changes)}


def script_root(smk):
    """The workflow's top folder, from a script job's snakemake object (workflow/scripts)."""
    return Path(smk.scriptdir).resolve().parents[1]


def digest(value):
    """A short sha256 of a JSON-able value as canonical JSON: equal values, equal digest.

    Two digests are recorded: a run's `settings_hash` (every setting that changes a result,
    the config less how jobs run), in the report; and a model's
    `training_hash` (its settings, data, initial weights and library versions: the
    checkpoint's fingerprint), in its training.json and the metrics table."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def describe(version):
    """'commit 1a2b3c4d5e6f (uncommitted changes)', or the package version outside git."""
    if not version.get("commit"):
        return f"vaestudy {version['package']} (not a git checkout)"
    if version.get("dirty") is None:
        return f"commit {version['commit'][:12]} (uncommitted changes not checked)"
    state = "uncommitted changes" if version["dirty"] else "clean"
    return f"commit {version['commit'][:12]} ({state})"
