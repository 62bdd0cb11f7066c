"""The study's single self-contained HTML report, rendered with jinja2."""

import base64
import datetime
import importlib.metadata
import json
import platform
from pathlib import Path

import jinja2
import markupsafe
import pandas as pd
import yaml

from vaestudy import registry, wording
from vaestudy.carryover import published_grid
from vaestudy.conclusion import by_metric
from vaestudy.evaluation import MANIFOLD_LIMIT, MANIFOLD_SIZE
from vaestudy.levels import Level
from vaestudy.losses import DEFAULT
from vaestudy.plots import ENCODER_ZOOM, LATENT_AXES, PLANE_AXES, PLANE_NOTE
from vaestudy.provenance import describe, digest
from vaestudy.reference import compare
from vaestudy.tables import (
    kl_dimension_columns,
    loss_table,
    moments_text,
    seed_spread_measured,
    summary_parts,
    template_table,
)

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
    "answer",
    "encoder_comparison",
    "manifold_comparison",
    "rate_distortion",
    "training_curves",
    "metrics_vs_c",
)
MODEL_FIGURES = ("encoder", "manifold", "classes")


def seed_counts(per_model):
    """'c = 1, 2: 3 seeds; c = 0, 0.02, 0.1: 1 seed' from the finished models."""
    finished = per_model[~per_model["diverged"].astype(bool)]
    counts = finished.groupby("coefficient")["seed"].nunique()
    groups = {}
    for c, n in counts.items():
        groups.setdefault(int(n), []).append(f"{c:g}")
    return "; ".join(
        f"c = {', '.join(cs)}: {n} seed{'s' if n > 1 else ''}"
        for n, cs in sorted(groups.items(), reverse=True)
    )


def trained_by(per_model):
    """The workflow versions that trained the models, from the metrics table (models
    without a recorded version left out)."""
    versions = set()
    for row in per_model.reindex(columns=TRAINED_BY).itertuples(index=False):
        commit, dirty, package = (None if pd.isna(v) else v for v in row)
        if commit or package:
            state = None if dirty is None else bool(dirty)
            versions.add(describe({"commit": commit, "dirty": state, "package": package}))
    return sorted(versions)


def epoch_programs(per_model):
    """How the models' epochs ran (training.graph_epoch), from the metrics table: {program:
    number of models}, with the models trained before the record as wording.EPOCH_PROGRAMS[None]
    (nothing at all where no model has it). More than one program means a bfloat16 study
    trained on CPUs with and without bfloat16 units, whose models round differently
    (bench/README.md)."""
    if "graph_epoch" not in per_model or per_model["graph_epoch"].isna().all():
        return {}
    recorded = per_model["graph_epoch"].dropna().astype(bool)
    counts = {
        wording.EPOCH_PROGRAMS[graph]: int(n)
        for graph, n in sorted(recorded.value_counts().items())
    }
    missing = len(per_model) - len(recorded)
    return {**counts, wording.EPOCH_PROGRAMS[None]: missing} if missing else counts


def build_context(
    config,
    per_model,
    figures,
    data_info,
    classifier_info,
    conclusion,
    published=None,
    workflow=None,
    units=None,
):
    """Everything the template shows. config: the study's settings; per_model: one row per
    model of every level; figures: "prior" and "levels" map to PNG paths, "studies" maps a
    Level to its STUDY_FIGURES paths, "models" maps (Level, seed, coefficient) to that
    model's MODEL_FIGURES paths, "explorers" (optional) a Level to its embedded decoders;
    data_info and classifier_info map each dataset to its provenance and its classifier;
    conclusion is results/tables/conclusion.json; published is the reference file's content
    (report/published.yaml), compared at the levels whose settings match; workflow is the
    provenance.workflow_version that renders the report; units maps a Level to
    its models' values per evaluation unit (conclusion.read_units), so that the yardstick
    tables' errors are the answer's."""
    records = conclusion["levels"]
    levels = [Level.of(record) for record in records]
    several = len(records) > 1
    classifiers = {name: classifier_context(info, config) for name, info in classifier_info.items()}
    level_contexts = [
        level_context(
            config,
            level,
            level.rows(per_model),
            figures,
            record,
            classifiers[level.dataset],
            published,
            several,
            (units or {}).get(level),
        )
        for level, record in zip(levels, records, strict=True)
    ]
    programs = epoch_programs(per_model)
    ceilings = sorted(set(per_model["mutual_information_max"].dropna().round(2)))
    values = registry.definition_values(config, ceilings, MANIFOLD_SIZE**2)
    return {
        "title": "How the KL coefficient shapes a VAE",
        "levels": level_contexts,
        "scope": wording.scope(levels),
        "across": across_context(conclusion["across"]) if several else None,
        "loss_definitions": losses_context(conclusion, published),
        "levels_figure": data_uri(figures["levels"]),
        "prior": data_uri(figures["prior"]),
        "reference_source": published["source"] if published else "",
        "manifold": {"size": MANIFOLD_SIZE, "limit": MANIFOLD_LIMIT},
        "zoom": ENCODER_ZOOM,
        "definitions": registry.definitions(values),
        "contender_seeds": config["contender_seeds"],
        "config_yaml": yaml.safe_dump(dict(config), sort_keys=True),
        "datasets": [
            {"name": name, **data_info[name], "classifier": classifiers[name]} for name in data_info
        ],
        "versions": package_versions(),
        "workflow": describe(workflow) if workflow else "unknown",
        "trained_by": trained_by(per_model),
        "epoch_programs": programs,
        "mixed_programs": len(set(programs) - {wording.EPOCH_PROGRAMS[None]}) > 1,
        "settings_hash": digest(config),
        "generated": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def across_context(across):
    """The comparison across levels, each level's row of a criterion with its table cells."""
    criteria = [
        {**c, "rows": [{**row, "cells": wording.cells(row)} for row in c["rows"]]}
        for c in across["criteria"]
    ]
    return {**across, "criteria": criteria, "caveat": wording.OVERLAP_CAVEAT}


def losses_context(conclusion, published=None):
    """The loss definitions compared (carryover.py), in words and table cells; None where
    every level has the published definition."""
    losses, records = conclusion["losses"], conclusion["levels"]
    if all(record["loss"] == DEFAULT for record in records):
        return None
    grid = published_grid(records, published["losses"]) if published else []
    dims = list(losses["conversion"][0]["factors"]) if losses["conversion"] else []
    return {
        "levels": [
            {
                "level": record["level"],
                "loss": record["loss"],
                "factor": wording.factor_text(record["definition"]["factor"]),
                "criteria": [
                    {"typed": wording.headline(c["typed"]), "canonical": wording.headline(c)}
                    for c in record["criteria"]
                ],
            }
            for record in records
        ],
        "criteria": [c["name"] for c in records[0]["criteria"]],
        "dims": dims,
        "conversion": [
            {**row, "cells": [wording.factor_text(row["factors"][d]) for d in dims]}
            for row in losses["conversion"]
        ],
        "rescaled": [wording.rescaled_sentence(row) for row in losses["rescaled"]],
        "calibrated": [wording.calibrated_sentence(row) for row in losses["calibrated"]],
        "published": [wording.published_sentence(row) for row in grid if row["loss"] != DEFAULT],
        "families": sorted({record["definition"]["likelihood"] for record in records}),
    }


def classifier_context(classifier_info, config):
    """A dataset's classifier, with whether it meets the required accuracy and its bias."""
    info = {
        **classifier_info,
        "required_accuracy": config["classifier_accuracy"],
        "meets_requirement": classifier_info["test_accuracy"] >= config["classifier_accuracy"],
    }
    return {**info, "bias": classifier_bias(info)}


def level_context(
    config, level, per_model, figures, record, classifier, published, several=False, units=None
):
    """What the template shows of one level: its answer (the conclusion record), figures,
    tables and models. Among several levels, its label names its sections and its anchor
    prefixes their ids."""
    per_dim = kl_dimension_columns(per_model)
    moments = {
        (row["seed"], row["coefficient"]): moments_text(
            row["q_mean"], row["q_cov"], row[per_dim].dropna().tolist()
        )
        for _, row in per_model.iterrows()
    }
    models = [
        {
            "seed": seed,
            "coefficient": c,
            "moments": moments.get((seed, c), ""),
            **{k: data_uri(paths[k]) for k in MODEL_FIGURES},
        }
        for (at, seed, c), paths in sorted(figures["models"].items(), key=_model_order)
        if at == level
    ]
    settings = {**config, **vars(level)}
    intervals = {c["name"]: c["interval"] for c in record["criteria"]}
    reference = compare(settings, per_model, published, intervals) if published else None
    return {
        "level": level,
        "label": level.label if several else "",
        "anchor": f"{level.anchor}-" if several else "",
        "record": record,
        "criteria": [
            {
                **c,
                "headline": wording.both_units(c, record["definition"]),
                "sentence": wording.criterion_sentence(c),
            }
            for c in record["criteria"]
        ],
        "budget_sentence": wording.budget_sentence(
            record["budget"], record["definition"]["density"]
        ),
        "agreement": wording.agreement_sentence(record["criteria"], record["budget"]),
        "answer_rows": answer_rows(record),
        "mean_clause": wording.mean_clause(record["criteria"]),
        "budget_rows": budget_rows(record["budgets"]),
        "sweeps": [
            {**sweep, "sentence": wording.sweep_sentence(sweep)}
            for sweep in record["iw_sweeps"]
            if sweep["rows"]
        ],
        "reference": reference,
        "reference_sentence": wording.reference_sentence(reference)
        if reference and reference.applies
        else "",
        **{name: data_uri(figures["studies"][level][name]) for name in STUDY_FIGURES},
        "models": models,
        "seeds": sorted(set(per_model["seed"])),
        "summary": [
            template_table(*part)
            for part in summary_parts(
                per_model, level.latent_dim, by_metric(units or {}), floor=classifier
            )
        ],
        "spread_measured": seed_spread_measured(per_model),
        "plane_note": PLANE_NOTE if level.latent_dim > 2 else "",
        "loose_iw": [f"{c:g}" for c in record["loose_iw"]],
        "loose_sentence": wording.loose_sentence(record["loose_iw"]),
        "near_ceiling": [f"{c:g}" for c in record["near_ceiling"]],
        "ceiling_sentence": wording.ceiling_sentence(record["near_ceiling"]),
        "classifier": classifier,
        "losses": loss_table(per_model),
        "seed_counts": seed_counts(per_model),
        **explorer_context(figures.get("explorers", {}).get(level, []), level.latent_dim),
    }


def explorer_context(records, latent_dim):
    """The latent explorer of one level: its data, its models and the largest pixel
    difference any of them shows from its trained decoder."""
    embedded = [r for r in records if r["decoder"]]
    return {
        "explorer": explorer_data(records, latent_dim),
        "explorer_models": [
            {"coefficient": r["coefficient"], "decoder": bool(r["decoder"])} for r in records
        ],
        "explorer_difference": max((r["largest_difference"] for r in embedded), default=0.0),
    }


def explorer_data(records, latent_dim):
    """A level's embedded decoders (rule explorer_decoder's records, in the order of c) as
    JSON for the page's latent explorer, safe inside a script element; "" with none."""
    if not records:
        return ""
    names = LATENT_AXES if latent_dim == 2 else PLANE_AXES
    text = json.dumps({"limit": MANIFOLD_LIMIT, "axes": list(names), "models": records})
    return text.replace("</", "<\\/")


def answer_rows(record):
    """One row per coefficient: its seeds, whether the refinement added it, and per
    criterion its value ± error and verdict, as text."""
    rows = {}
    for criterion in record["criteria"]:
        for p in criterion["points"]:
            row = rows.setdefault(
                p["coefficient"],
                {"c": f"{p['coefficient']:g}", "refined": p["refined"], "cells": [], "seeds": 0},
            )
            row["seeds"] = max(row["seeds"], len(p["seeds"]))
            decimals = registry.by_key()[criterion["criterion"]].decimals
            value = wording.estimate(p["value"], p["se"], decimals)
            row["cells"].append(
                {"value": value, "verdict": p["verdict"], "words": wording.VERDICTS[p["verdict"]]}
            )
    return [rows[c] for c in sorted(rows)]


def budget_rows(views):
    """The budget view at every budget, as text."""
    return [{"budget": f"{v['budget']:.0%}", "range": wording.budget_range(v)} for v in views]


def _model_order(item):
    (level, seed, c), _ = item
    return (seed, c)


def classifier_bias(classifier_info):
    """The digit the classifier over-reads most in blurred test digits, and by how much: e.g.
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
    env.filters.update(estimate=wording.estimate, number=wording.number, bars=stacked_bars)
    return env.get_template(template_path.name).render(**context)


def stacked_bars(cell):
    """A table's cell, HTML-escaped, with an error cut at a bound (wording.CUT: 10.0
    +0.0/−0.8) set as its bars are printed, the upper above the lower, as narrow as the
    wider of the two."""
    return markupsafe.Markup(
        wording.CUT.sub(
            r'<span class="bars"><sup>+\1</sup><sub>−\2</sub></span>', str(markupsafe.escape(cell))
        )
    )
