"""The tiny study submitted to a real SLURM cluster through Snakemake's SLURM executor.

Needs a running cluster with partition `debug` and account `default`, such as a local one-node
cluster (.ci/run starts one where it can). Skipped where none answers.
"""

import json
import re
import shutil
import subprocess
import sys
import time

import pytest
from conftest import LEVEL, ROOT, log_of, model_dir, study_config

from vaestudy_monitor.status import snapshot

pytestmark = [pytest.mark.slurm, pytest.mark.slow]


def _cluster_answers():
    if not shutil.which("sbatch") or not shutil.which("sacct"):
        return False
    try:
        ping = subprocess.run(["scontrol", "ping"], capture_output=True, text=True, timeout=10)
        acct = subprocess.run(["sacct", "-n", "-X"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "UP" in ping.stdout and acct.returncode == 0


@pytest.fixture(scope="module", autouse=True)
def cluster():
    if not _cluster_answers():
        pytest.skip("no SLURM cluster answers here (partition debug, account default)")


def submit(workdir, mnist_path, *extra, **config):
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(ROOT / "Snakefile"),
        "--directory",
        str(workdir),
        "--profile",
        str(ROOT / "profiles/slurm"),
        "--slurm-init-seconds-before-status-checks",
        "1",
        # the local test cluster's partition and account, as a user passes theirs
        "--default-resources",
        "slurm_partition=debug",
        "slurm_account=default",
        "mem_mb=1000",
        "runtime=30",
        *extra,
        *study_config("tiny", mnist_path, **config),
    ]
    return subprocess.Popen(
        command, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def sacct_states(job_ids):
    out = subprocess.run(
        ["sacct", "-n", "-X", "-P", "-o", "JobID,State", "-j", ",".join(job_ids)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(line.split("|") for line in out.split())


def training_job_ids(workdir):
    statuses = sorted(workdir.glob(f"results/models/{LEVEL}/seed0/c*/training.json"))
    return [json.loads(p.read_text())["slurm_job_id"] for p in statuses]


def _running_training_job(comment_part, deadline):
    while time.time() < deadline:
        out = subprocess.run(
            ["squeue", "-h", "-t", "R", "-o", "%i %k"], capture_output=True, text=True
        ).stdout
        for line in out.splitlines():
            job_id, _, comment = line.partition(" ")
            if comment_part in comment:
                return job_id
        time.sleep(0.2)
    return None


def test_a_study_on_slurm_survives_a_cancelled_job_and_completes(tmp_path, mnist_path):
    # no automatic retry, so the scancel is seen as the failure a user would meet; one model,
    # so the rerun has exactly the cancelled job to do
    config = {"coefficients": "[1]", "contender_seeds": 1}
    run = submit(tmp_path, mnist_path, "--retries", "0", **config)
    victim = _running_training_job("rule_train_vae_wildcards_mnist_2_sum_0_1", time.time() + 300)
    assert victim, "the training job for c=1 never ran"
    subprocess.run(["scancel", victim], check=True)
    output, _ = run.communicate(timeout=600)
    assert run.returncode != 0, output[-3000:]
    assert (tmp_path / "results/init/z2/seed0.weights.h5").is_file()
    assert not (model_dir(tmp_path, 1) / "training.json").exists()
    # what a user watching from the submit directory reads: the cancelled job and its log
    status = "\n".join(snapshot(tmp_path))
    assert status.startswith("failed: ") and ", 1 failed" in status, status
    assert re.search(rf"failed +train_vae +{log_of('train_vae', 1)}", status), status

    rerun = submit(tmp_path, mnist_path, "--retries", "0", **config)
    output, _ = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, output[-4000:]
    stats = output[output.index("Job stats:") :]
    assert re.search(r"train_vae +1\n", stats) and "initial_weights" not in stats
    # the model trained as a SLURM job of the rerun
    job_ids = training_job_ids(tmp_path)
    assert len(job_ids) == 1 and job_ids[0].isdigit() and victim not in job_ids
    assert set(sacct_states(job_ids).values()) == {"COMPLETED"}
    html = (tmp_path / "results/report.html").read_text()
    assert html.count("data:image/png;base64,") == 3 + 5 + 3
    saved = json.loads((tmp_path / "results/tables/conclusion.json").read_text())
    assert [c["best"] for c in saved["levels"][0]["criteria"]] == [None, None]  # one c: no curve
    done, total = re.match(r"completed: (\d+) of (\d+) jobs done", snapshot(tmp_path)[0]).groups()
    assert done == total
