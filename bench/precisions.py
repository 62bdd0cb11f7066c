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
import sys
from pathlib import Path

import pandas as pd
import yaml

from vaestudy import wording
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


def read_run(results, extra):
    """What a finished study wrote in results, read for the comparison (extra: the
    command line's --config items)."""
    per_model = pd.read_csv(results / "tables/metrics.csv")
    return {
        "answers": answers(json.loads((results / "tables/conclusion.json").read_text())),
        "published": published_check(
            per_model, settings(extra), load_reference(REPO / "report/published.yaml")
        ),
        "jobs": jobs(results),
    }


def check_text(check):
    if not check["applies"]:
        return "does not apply (" + "; ".join(check["why_not"]) + ")"
    return "passes" if check["reproduces"] else f"misses c = {check['missed']}"


def refused(workdir, extra):
    """Why these runs must not start (None if they may): a --config that sets the precision
    each run sets itself, or a folder that already holds a run, whose wall time would not be
    a run's."""
    if any(item.partition("=")[0] == "precision" for item in extra):
        return "--config sets precision: leave it out, each run sets its own"
    for precision in PRECISIONS:
        if (workdir / precision / "results").exists():
            return f"{workdir / precision} already holds a study: give an empty --workdir"
    return None


def benchmark(workdir, extra, study):
    """Both runs, one after the other (study(directory, precision): the run's wall seconds),
    and whether their answers overlap; printed as well."""
    why = refused(workdir, extra)
    if why:
        sys.exit(why)
    runs = {}
    for precision in PRECISIONS:
        wall = study(workdir / precision, precision)
        runs[precision] = {"wall_s": wall, **read_run(workdir / precision / "results", extra)}
    result = {
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
                print(f"  {name}, {level}: {wording.headline(answer)}")
        for level, check in found["published"].items():
            print(f"  published check, {level}: {check_text(check)}")
    for name, levels in result["overlap"].items():
        for level, overlap in levels.items():
            print(f"intervals overlap, {name}, {level}: {overlap}")
    print(f"float32 wall / bfloat16 wall: {result['wall_ratio']:.2f}")
    return result
