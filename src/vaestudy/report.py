"""The study's single self-contained HTML report, rendered with jinja2."""

import base64
import datetime
import importlib.metadata
import json
import platform
from pathlib import Path

import jinja2
import pandas as pd
import yaml

from vaestudy.conclusion import conclude

PACKAGES = ("snakemake", "tensorflow", "keras", "numpy", "matplotlib", "pandas", "jinja2")
TABLE_COLUMNS = {
    "coefficient": "c",
    "seed": "seed",
    "loss": "loss (rec + c·KL)",
    "reconstruction": "reconstruction",
    "kl": "KL",
    "prior_kl": "KL(q(z) ‖ N(0, I))",
    "epochs": "epochs",
    "train_seconds": "training time (s)",
    "status": "status",
}


def read_metrics(paths):
    """One row per model from the evaluation JSON files."""
    rows = [json.loads(Path(p).read_text()) for p in paths]
    columns = [
        "coefficient",
        "seed",
        "loss",
        "reconstruction",
        "kl",
        "prior_kl",
        "diverged",
        "epochs",
        "train_seconds",
    ]
    table = pd.DataFrame(rows)[columns]
    return table.sort_values(["coefficient", "seed"]).reset_index(drop=True)


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


def loss_table_html(losses):
    """The loss table for reading: rounded numbers, diverged models marked."""
    shown = losses.copy()
    shown["status"] = shown["diverged"].map({True: "diverged", False: "ok"})
    shown = shown[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS)
    formats = {
        "c": "{:g}".format,
        "loss (rec + c·KL)": "{:.2f}".format,
        "reconstruction": "{:.2f}".format,
        "KL": "{:.3f}".format,
        "KL(q(z) ‖ N(0, I))": "{:.3f}".format,
        "training time (s)": "{:.0f}".format,
    }
    return shown.to_html(index=False, formatters=formats, classes="losses", border=0, na_rep="–")


def build_context(config, losses, figures, data_info):
    """Everything the template shows; figures maps (seed, coefficient) to its PNG paths."""
    conclusion = conclude(losses, config["reconstruction_margin"])
    models = [
        {
            "seed": seed,
            "coefficient": c,
            "encoder": data_uri(paths["encoder"]),
            "manifold": data_uri(paths["manifold"]),
        }
        for (seed, c), paths in sorted(figures["models"].items())
    ]
    verdicts = [
        {"coefficient": c, "recommended": c in conclusion.recommended, "reason": reason}
        for c, reason in sorted(conclusion.reasons.items())
    ]
    return {
        "title": "How the KL coefficient shapes a VAE",
        "prior": data_uri(figures["prior"]),
        "models": models,
        "loss_table": loss_table_html(losses),
        "rule": conclusion.rule,
        "summary": conclusion.summary,
        "recommended": conclusion.recommended,
        "verdicts": verdicts,
        "config_yaml": yaml.safe_dump(dict(config), sort_keys=True),
        "data": data_info,
        "versions": package_versions(),
        "generated": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
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
