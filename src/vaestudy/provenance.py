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


def workflow_version(root):
    """{"commit", "dirty", "package"}: the git commit of the workflow checkout at `root` and
    whether it had uncommitted changes (tracked files, or untracked ones git does not ignore);
    commit and dirty are None where `root` is not a git checkout (or git is missing), and
    the package's version then says what ran."""
    version = {"commit": None, "dirty": None, "package": package_version()}
    try:
        commit = _git(root, "rev-parse", "HEAD").strip()
        changes = _git(root, "status", "--porcelain").strip()
    except (OSError, subprocess.SubprocessError):
        return version
    return {**version, "commit": commit, "dirty": bool(changes)}


def script_root(smk):
    """The workflow's top folder, from a script job's snakemake object (workflow/scripts)."""
    return Path(smk.scriptdir).resolve().parents[1]


def settings_hash(settings):
    """A short sha256 of the settings as canonical JSON: equal settings, equal hash."""
    text = json.dumps(settings, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def describe(version):
    """'commit 1a2b3c4d5e6f (uncommitted changes)', or the package version outside git."""
    if not version.get("commit"):
        return f"vaestudy {version['package']} (not a git checkout)"
    state = "uncommitted changes" if version["dirty"] else "clean"
    return f"commit {version['commit'][:12]} ({state})"
