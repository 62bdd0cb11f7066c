"""The study's single self-contained HTML report, rendered with jinja2."""

import base64
import datetime
import importlib.metadata
import platform
from pathlib import Path

import jinja2
import pandas as pd
import yaml

from vaestudy import yardsticks
from vaestudy.conclusion import Thresholds, conclude, record, sensitivity
from vaestudy.evaluation import MANIFOLD_LIMIT, MANIFOLD_SIZE
from vaestudy.provenance import describe, settings_hash
from vaestudy.reference import compare
from vaestudy.tables import kl_dimension_columns, loss_table_html, moments_text, summary_html

PACKAGES = ("snakemake", "tensorflow", "keras", "numpy", "matplotlib", "pandas", "jinja2")


def data_uri(path):
    """A PNG as a data: URI, so the report is one file."""
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def package_versions():
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    versions["python"] = platform.python_version()
    return versions


TRAINED_BY = ("workflow_commit", "workflow_dirty", "workflow_package")
STUDY_FIGURES = (
    "encoder_comparison",
    "manifold_comparison",
    "rate_distortion",
    "training_curves",
    "metrics_vs_c",
)
MODEL_FIGURES = ("encoder", "manifold", "classes")


def seed_counts(metrics):
    """'c = 1, 2: 3 seeds; c = 0, 0.02, 0.1: 1 seed' from the finished models."""
    finished = metrics[~metrics["diverged"].astype(bool)]
    counts = finished.groupby("coefficient")["seed"].nunique()
    groups = {}
    for c, n in counts.items():
        groups.setdefault(int(n), []).append(f"{c:g}")
    return "; ".join(
        f"c = {', '.join(cs)}: {n} seed{'s' if n > 1 else ''}"
        for n, cs in sorted(groups.items(), reverse=True)
    )


def trained_by(metrics):
    """The workflow versions that trained the models, from the metrics table (models
    without a recorded version left out)."""
    versions = set()
    for row in metrics.reindex(columns=TRAINED_BY).itertuples(index=False):
        commit, dirty, package = (None if pd.isna(v) else v for v in row)
        if commit or package:
            versions.add(describe({"commit": commit, "dirty": bool(dirty), "package": package}))
    return sorted(versions)


def build_context(
    config, metrics, figures, data_info, classifier_info, published=None, workflow=None
):
    """Everything the template shows. config: the study's settings; figures: "prior" and
    STUDY_FIGURES map to PNG paths, "models" maps (seed, coefficient) to that model's
    MODEL_FIGURES paths; published is the reference file's content
    (report/published.yaml), compared when the settings match; workflow is the
    provenance.workflow_version that renders the report."""
    thresholds = Thresholds.from_settings(config)
    conclusion = conclude(metrics, thresholds)
    grid = sensitivity(metrics, thresholds)
    classifier_info = {
        **classifier_info,
        "required_accuracy": config["classifier_accuracy"],
        "meets_requirement": classifier_info["test_accuracy"] >= config["classifier_accuracy"],
    }
    per_dim = kl_dimension_columns(metrics)
    moments = {
        (row["seed"], row["coefficient"]): moments_text(
            row["q_mean"], row["q_cov"], row[per_dim].tolist()
        )
        for _, row in metrics.iterrows()
    }
    mi_ceiling = float(metrics["mutual_information_max"].max())
    values = yardsticks.definition_values(config, mi_ceiling, MANIFOLD_SIZE**2)
    loose = metrics.loc[metrics["iw_ess_low"].fillna(False).astype(bool), "coefficient"]
    models = [
        {
            "seed": seed,
            "coefficient": c,
            "moments": moments.get((seed, c), ""),
            **{k: data_uri(paths[k]) for k in MODEL_FIGURES},
        }
        for (seed, c), paths in sorted(figures["models"].items())
    ]
    verdicts = [
        {"coefficient": c, "recommended": c in conclusion.recommended, "reason": reason}
        for c, reason in sorted(conclusion.reasons.items())
    ]
    reference = compare(config, metrics, published, conclusion.recommended) if published else None
    return {
        "title": "How the KL coefficient shapes a VAE",
        "reference": reference,
        "reference_source": published["source"] if published else "",
        "prior": data_uri(figures["prior"]),
        **{name: data_uri(figures[name]) for name in STUDY_FIGURES},
        "models": models,
        "seeds": sorted(set(metrics["seed"])),
        "summary_table": summary_html(metrics, config["latent_dim"]),
        "one_seed": len(set(metrics["seed"])) == 1,
        "mixed_seeds": metrics.groupby("coefficient")["seed"].nunique().nunique() > 1,
        "manifold": {"size": MANIFOLD_SIZE, "limit": MANIFOLD_LIMIT},
        "definitions": yardsticks.definitions(values),
        "loose_iw": [f"{c:g}" for c in sorted(set(loose))],
        "judge_bias": judge_bias(classifier_info),
        "loss_table": loss_table_html(metrics),
        "rule": conclusion.rule,
        "conclusion": record(conclusion, grid, thresholds),
        "sensitivity": sensitivity_table(grid),
        "seed_counts": seed_counts(metrics),
        "contender_seeds": config["contender_seeds"],
        "summary": conclusion.summary,
        "recommended": conclusion.recommended,
        "verdicts": verdicts,
        "classifier": classifier_info,
        "config": config,
        "config_yaml": yaml.safe_dump(dict(config), sort_keys=True),
        "data": data_info,
        "versions": package_versions(),
        "workflow": describe(workflow) if workflow else "unknown",
        "trained_by": trained_by(metrics),
        "settings_hash": settings_hash(config),
        "generated": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def sensitivity_table(grid):
    """The recommendation over the threshold grid: margins as rows, coverage thresholds as
    columns, each cell the recommended coefficients."""
    margins = sorted({p["margin"] for p in grid})
    gaps = sorted({p["max_gap"] for p in grid})
    cells = {(p["margin"], p["max_gap"]): p["recommended"] for p in grid}
    return {
        "gaps": [f"{g:.3g}" for g in gaps],
        "rows": [
            {
                "margin": f"{m:.0%}",
                "cells": [", ".join(f"{c:g}" for c in cells[(m, g)]) or "–" for g in gaps],
            }
            for m in margins
        ],
    }


def judge_bias(classifier_info):
    """The digit the judge over-reads most in blurred test digits, and by how much: e.g.
    {"digit": 8, "blurred": 0.296, "labels": 0.097}; {} when not measured."""
    if "blurred_shares" not in classifier_info:
        return {}
    excess = [
        b - t
        for b, t in zip(
            classifier_info["blurred_shares"], classifier_info["label_shares"], strict=True
        )
    ]
    digit = max(range(len(excess)), key=excess.__getitem__)
    return {
        "digit": digit,
        "blurred": classifier_info["blurred_shares"][digit],
        "labels": classifier_info["label_shares"][digit],
    }


def render(template_path, context):
    """Render with autoescaping, so paths and names from the config are HTML-escaped."""
    template_path = Path(template_path)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_path.parent),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template(template_path.name).render(**context)
