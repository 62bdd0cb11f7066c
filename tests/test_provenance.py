"""The workflow version and settings hash that every result names."""

import subprocess

import pandas as pd

from vaestudy import provenance
from vaestudy.report import trained_by


def git(folder, *args):
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


def test_a_clean_checkout_names_its_commit_and_a_changed_one_says_so(tmp_path):
    git(tmp_path, "init", "-q")
    (tmp_path / "Snakefile").write_text("rule all:\n")
    git(tmp_path, "add", "Snakefile")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "x")
    head = subprocess.run(
        ["git", "-C", str(tmp_path), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
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


def test_the_settings_hash_follows_the_settings_not_their_order():
    a = provenance.settings_hash({"epochs": 40, "seeds": [0]})
    assert a == provenance.settings_hash({"seeds": [0], "epochs": 40})
    assert a != provenance.settings_hash({"epochs": 41, "seeds": [0]})
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
