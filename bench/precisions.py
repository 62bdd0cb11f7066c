"""The same study in float32 and in bfloat16: each run's wall time, its answer and the
published check, and whether the two answers overlap.

`bench/benchmark.py precisions` runs `snakemake --cores N` once per precision, one after the
other, each in a folder of its own, and reads what each run wrote:

- the wall time, and each training job's time (`train_seconds`), peak RSS and epoch program
  (`graph_epoch`: the oneDNN graph on CPUs with bfloat16 units, else the XLA loop);
- each criterion's best c and interval, per level (conclusion.json);
- the published check of the first seed's test losses (report/published.yaml), where the run's
  settings are the published ones apart from the precision, which is the point of the run;
- per criterion and level, whether the two precisions' intervals overlap, which is what
  "bfloat16 gives the same answer" can mean with the noise the study measures.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import yaml

from vaestudy.levels import Level
from vaestudy.reference import compare, load_reference

REPO = Path(__file__).resolve().parents[1]
PRECISIONS = ("float32", "bfloat16")


def settings(extra):
    """The run's settings that the published check compares: config.yaml's, with the
    command line's key=value items (YAML values) over them."""
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    for item in extra:
        key, _, value = item.partition("=")
        config[key] = yaml.safe_load(value)
    return config


def answers(conclusion):
    """{criterion name: {level: {"best", "interval"}}} from a run's conclusion.json."""
    return {
        criterion["name"]: {
            row["level"]: {"best": row["best"], "interval": row["interval"]}
            for row in criterion["rows"]
        }
        for criterion in conclusion["across"]["criteria"]
    }


def overlaps(first, second):
    """Per criterion and level both answer: whether the two intervals overlap (None where
    either has none)."""
    found = {}
    for name, levels in first.items():
        for level, one in levels.items():
            other = second.get(name, {}).get(level)
            if other is None:
                continue
            a, b = one["interval"], other["interval"]
            found.setdefault(name, {})[level] = (
                None if not a or not b else bool(a[0] <= b[1] and b[0] <= a[1])
            )
    return found


def published_check(per_model, config, reference):
    """The published check of each level of a run, its precision taken as the reference's, as
    the report's: {level: {"applies", "reproduces", "missed" (coefficients outside the
    tolerance), "why_not"}}."""
    config = {**config, "precision": reference["settings"]["precision"]}
    found = {}
    for level in sorted({Level.of(row) for _, row in per_model.iterrows()}, key=str):
        check = compare({**config, **vars(level)}, level.rows(per_model), reference)
        found[level.label] = {
            "applies": check.applies,
            "reproduces": check.reproduces,
            "missed": check.missed,
            "why_not": check.differences,
        }
    return found


def jobs(results):
    """Each training job's record: its model's folder, seconds, peak RSS and epoch program."""
    found = []
    for path in sorted(results.glob("models/**/training.json")):
        record = json.loads(path.read_text())
        found.append(
            {
                "model": str(path.parent.relative_to(results / "models")),
                "train_seconds": record.get("train_seconds"),
                "peak_rss_mb": record.get("peak_rss_mb"),
                "graph_epoch": record.get("graph_epoch"),
            }
        )
    return found


def run(precision, workdir, mnist, cores, extra):
    """One study in workdir/precision; its figures as a dict."""
    directory = workdir / precision
    directory.mkdir(parents=True, exist_ok=True)
    config = [f"mnist_path={Path(mnist).resolve()}", f"precision={precision}", *extra]
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile")]
    command += ["--directory", str(directory), "--cores", str(cores), "--config", *config]
    log = directory / "snakemake.out"
    start = time.perf_counter()
    with open(log, "w") as out:
        status = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT).returncode
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"the {precision} study failed (exit {status}): see {log}")
    results = directory / "results"
    per_model = pd.read_csv(results / "tables/metrics.csv")
    return {
        "wall_s": wall,
        "answers": answers(json.loads((results / "tables/conclusion.json").read_text())),
        "published": published_check(
            per_model, settings(extra), load_reference(REPO / "report/published.yaml")
        ),
        "jobs": jobs(results),
    }


def interval_text(answer):
    interval = answer["interval"]
    best = f"{answer['best']:.2g}" if answer["best"] is not None else "-"
    return f"{best} ({interval[0]:.2g}-{interval[1]:.2g})" if interval else f"{best} (none)"


def check_text(check):
    if not check["applies"]:
        return "does not apply (" + "; ".join(check["why_not"]) + ")"
    return "passes" if check["reproduces"] else f"misses c = {check['missed']}"


def benchmark(workdir, mnist, cores, extra):
    """Both runs, one after the other, and whether their answers overlap; printed as well.
    A folder that already holds a run is refused: its wall time would not be a run's."""
    if any(item.partition("=")[0] == "precision" for item in extra):
        sys.exit("--config sets precision: leave it out, each run sets its own")
    for precision in PRECISIONS:
        if (workdir / precision / "results").exists():
            sys.exit(f"{workdir / precision} already holds a study: give an empty --workdir")
    runs = {p: run(p, workdir, mnist, cores, extra) for p in PRECISIONS}
    result = {
        "cores": cores,
        "config": extra,
        "runs": runs,
        "overlap": overlaps(*(runs[p]["answers"] for p in PRECISIONS)),
        "wall_ratio": runs["float32"]["wall_s"] / runs["bfloat16"]["wall_s"],
    }
    for precision, found in runs.items():
        seconds = [j["train_seconds"] for j in found["jobs"] if j["train_seconds"] is not None]
        rss = [j["peak_rss_mb"] for j in found["jobs"] if j["peak_rss_mb"] is not None]
        programs = sorted({str(j["graph_epoch"]) for j in found["jobs"]})
        print(
            f"{precision}: wall {found['wall_s'] / 60:.1f} min; {len(found['jobs'])} models, "
            f"training {min(seconds):.0f}-{max(seconds):.0f} s each, peak RSS "
            f"{min(rss)}-{max(rss)} MB, graph_epoch {', '.join(programs)}"
        )
        for name, levels in found["answers"].items():
            for level, answer in levels.items():
                print(f"  {name}, {level}: c = {interval_text(answer)}")
        for level, check in found["published"].items():
            print(f"  published check, {level}: {check_text(check)}")
    for name, levels in result["overlap"].items():
        for level, overlap in levels.items():
            print(f"intervals overlap, {name}, {level}: {overlap}")
    print(f"float32 wall / bfloat16 wall: {result['wall_ratio']:.2f}")
    return result
