"""The workflow version and settings hash that every result names."""

import os
import subprocess

import pandas as pd
import pytest

from vaestudy import provenance
from vaestudy.report import trained_by


def git(folder, *args):
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


def committed_checkout(folder):
    """A checkout of one commit; its full commit id."""
    git(folder, "init", "-q", "-b", "main")
    (folder / "Snakefile").write_text("rule all:\n")
    git(folder, "add", "Snakefile")
    git(folder, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "x")
    return subprocess.run(
        ["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()


def test_a_clean_checkout_names_its_commit_and_a_changed_one_says_so(tmp_path):
    head = committed_checkout(tmp_path)
    clean = provenance.workflow_version(tmp_path)
    assert clean["commit"] == head and clean["dirty"] is False
    assert provenance.describe(clean) == f"commit {head[:12]} (clean)"
    (tmp_path / "Snakefile").write_text("rule all:\n    input: []\n")
    changed = provenance.workflow_version(tmp_path)
    assert changed["commit"] == head and changed["dirty"] is True
    assert provenance.describe(changed).endswith("(uncommitted changes)")


def test_outside_git_the_package_version_says_what_ran(tmp_path):
    version = provenance.workflow_version(tmp_path)
    assert version["commit"] is None and version["dirty"] is None
    assert provenance.describe(version) == f"vaestudy {version['package']} (not a git checkout)"


def test_the_commit_is_read_from_files_loose_packed_or_detached(tmp_path):
    head = committed_checkout(tmp_path)
    assert provenance.head_from_files(tmp_path) == head  # refs/heads/main, a loose ref
    git(tmp_path, "pack-refs", "--all")
    assert not (tmp_path / ".git/refs/heads/main").exists()
    assert provenance.head_from_files(tmp_path) == head  # packed-refs
    git(tmp_path, "checkout", "-q", "--detach")
    assert provenance.head_from_files(tmp_path) == head  # HEAD is the commit
    assert provenance.head_from_files(tmp_path / "nothing") is None


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a checkout to another user needs root")
def test_a_checkout_owned_by_another_user_still_names_its_commit(tmp_path):
    checkout = tmp_path / "workflow"
    checkout.mkdir()
    head = committed_checkout(checkout)
    for path in [checkout, *checkout.rglob("*")]:
        os.chown(path, 65534, 65534, follow_symlinks=False)  # nobody's, as an admin's would be
    refused = subprocess.run(["git", "-C", str(checkout), "status"], capture_output=True, text=True)
    assert refused.returncode != 0 and "dubious ownership" in refused.stderr
    version = provenance.workflow_version(checkout)
    assert version["commit"] == head and version["dirty"] is None
    assert provenance.describe(version) == f"commit {head[:12]} (uncommitted changes not checked)"
    table = pd.DataFrame(
        {"workflow_commit": [head], "workflow_dirty": [None], "workflow_package": ["0.1.0"]}
    )
    assert trained_by(table) == [f"commit {head[:12]} (uncommitted changes not checked)"]


def test_a_digest_follows_the_settings_not_their_order():
    a = provenance.digest({"epochs": 40, "seeds": [0]})
    assert a == provenance.digest({"seeds": [0], "epochs": 40})
    assert a != provenance.digest({"epochs": 41, "seeds": [0]})
    assert len(a) == 16


def test_the_report_lists_every_version_that_trained_a_model():
    metrics = pd.DataFrame(
        {
            "workflow_commit": ["a" * 40, "a" * 40, "b" * 40],
            "workflow_dirty": [False, False, True],
            "workflow_package": ["0.1.0"] * 3,
        }
    )
    assert trained_by(metrics) == [
        "commit aaaaaaaaaaaa (clean)",
        "commit bbbbbbbbbbbb (uncommitted changes)",
    ]
