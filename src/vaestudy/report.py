"""The study's single self-contained HTML report, rendered with jinja2."""

import base64
import datetime
import importlib.metadata
import platform
from pathlib import Path

import jinja2
import yaml

from vaestudy.conclusion import Thresholds, conclude
from vaestudy.evaluation import MANIFOLD_LIMIT, MANIFOLD_SIZE
from vaestudy.metrics import PROPOSAL_WIDTHS
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


STUDY_FIGURES = (
    "encoder_comparison",
    "manifold_comparison",
    "rate_distortion",
    "training_curves",
    "metrics_vs_c",
)
MODEL_FIGURES = ("encoder", "manifold", "classes")


def build_context(config, metrics, figures, data_info, classifier_info, published=None):
    """Everything the template shows. figures: "prior" and STUDY_FIGURES map to PNG paths,
    "models" maps (seed, coefficient) to that model's MODEL_FIGURES paths; published is the
    reference file's content (report/published.yaml), compared when the settings match."""
    conclusion = conclude(metrics, Thresholds.from_config(config))
    per_dim = kl_dimension_columns(metrics)
    moments = {
        (row["seed"], row["coefficient"]): moments_text(
            row["q_mean"], row["q_cov"], row[per_dim].tolist()
        )
        for _, row in metrics.iterrows()
    }
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
        "manifold": {"size": MANIFOLD_SIZE, "limit": MANIFOLD_LIMIT},
        "proposal_widths": [f"{w:g}" for w in PROPOSAL_WIDTHS],
        "mi_ceiling": float(metrics["mutual_information_max"].max()),
        "loose_iw": [f"{c:g}" for c in sorted(set(loose))],
        "judge_bias": judge_bias(classifier_info),
        "loss_table": loss_table_html(metrics),
        "rule": conclusion.rule,
        "summary": conclusion.summary,
        "recommended": conclusion.recommended,
        "verdicts": verdicts,
        "classifier": classifier_info,
        "config": config,
        "config_yaml": yaml.safe_dump(dict(config), sort_keys=True),
        "data": data_info,
        "versions": package_versions(),
        "generated": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
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
