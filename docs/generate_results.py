"""Write docs/results.md from a finished run's results, so that its numbers are never retyped.

.venv/bin/python docs/generate_results.py results --run "a full default run" > docs/results.md
"""

import argparse
import json
from pathlib import Path

import pandas as pd

from vaestudy import wording
from vaestudy.conclusion import by_metric, read_units
from vaestudy.levels import CLASSIFIER_RECORD, MODEL, Level, every
from vaestudy.provenance import describe
from vaestudy.reference import load_reference
from vaestudy.report import answer_rows, budget_rows, losses_context, seed_counts, trained_by
from vaestudy.tables import summary_parts


def markdown_table(frame):
    rows = [list(frame.columns), ["---"] * len(frame.columns)]
    rows += [[str(value) for value in row] for row in frame.itertuples(index=False)]
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def yardstick_tables(metrics, latent_dim, units, classifier):
    return "\n\n".join(
        f"### {title}\n\n{markdown_table(frame)}"
        for title, frame in summary_parts(metrics, latent_dim, by_metric(units), classifier)
    )


def answer_markdown(level):
    """Per coefficient its seeds and, per criterion, value ± error and verdict."""
    head = ["c", "seeds"]
    for criterion in level["criteria"]:
        head += [criterion["name"], f"within {criterion['margin']:g} of the best?"]
    rows = [
        [row["c"] + (" (refined)" if row["refined"] else ""), row["seeds"]]
        + [part for cell in row["cells"] for part in (cell["value"], cell["words"])]
        for row in answer_rows(level)
    ]
    return markdown_table(pd.DataFrame(rows, columns=head))


def budget_markdown(level):
    rows = [[r["budget"], r["range"]] for r in budget_rows(level["budgets"])]
    if not rows:
        return wording.budget_sentence(level["budget"], level["definition"]["density"])
    return markdown_table(
        pd.DataFrame(rows, columns=["reconstruction budget", "largest c (range)"])
    )


def rounds_markdown(level):
    lines = []
    for r in level["rounds"]:
        added = "; ".join(
            f"c = {a['coefficient']:g}, seeds {', '.join(map(str, a['seeds']))} ({a['why']})"
            for a in r["add"]
        )
        left = "; ".join(f"c = {a['coefficient']:g}" for a in r["left_out"])
        ended = f"nothing more to add ({r.get('status') or 'ended'})"
        lines.append(
            f"- round {r['round']} (from {r['models']} models): {added or ended}"
            + (f"; left out by the budget: {left}" if left else "")
        )
    return "\n".join(lines)


def sweeps_markdown(sweeps):
    return "\n\n".join(sweep_markdown(sweep) for sweep in sweeps) or "No K-sweep."


def sweep_markdown(sweep):
    if not sweep["rows"]:
        return f"No K-sweep at c = {sweep['coefficient']:g} (the model did not finish)."
    rows = [
        [
            row["k"],
            wording.estimate(row["iw_nll"], row["iw_nll_se"], 2),
            wording.estimate(row["excess_over_largest_k"], row["excess_over_largest_k_se"], 3),
            f"{row['ess_fraction']:.3f}",
        ]
        for row in sweep["rows"]
    ]
    head = ["K", "IW NLL", f"excess over K = {sweep['largest_k']}", "ESS / K"]
    return (
        f"IW NLL of c = {sweep['coefficient']:g}, seed {sweep['seed']}, on {sweep['images']} "
        f"test images. {wording.sweep_sentence(sweep)}\n\n"
        + markdown_table(pd.DataFrame(rows, columns=head))
    )


def warnings(level):
    notes = []
    if level["loose_iw"]:
        notes.append(wording.loose_sentence(level["loose_iw"]))
    if level["near_ceiling"]:
        notes.append(wording.ceiling_sentence(level["near_ceiling"]))
    return "\n\n".join(notes)


def level_section(results, metrics, level, heading, units):
    """One level's answer, budget view, K-sweep and yardsticks, its headings at `heading`."""
    rows = Level.of(level).rows(metrics)
    record = CLASSIFIER_RECORD.removeprefix("results/").format(**level)
    classifier = json.loads((results / record).read_text())
    headlines = "\n".join(
        f"- **{c['name']}**: {wording.both_units(c, level['definition'])}"
        for c in level["criteria"]
    )
    floor = (
        " Its held-out training digits, scored as a decoder's images are, give the row *real "
        "digits* of the generation table: the floor of KID, density and coverage."
        if "floor_kid" in classifier
        else ""
    )
    return f"""{heading} The answer

{headlines}

{wording.level_summary(level)}

Seeds: {seed_counts(rows)}. The classifier reached {classifier["test_accuracy"]:.2%} test accuracy
(temperature {classifier["temperature"]:.2f}).{floor}

{answer_markdown(level)}

{warnings(level)}

{heading} Where more training went

{rounds_markdown(level)}

{heading} The criteria beside the reconstruction budget

{budget_markdown(level)}

{heading} Has the IW bound converged in K?

{sweeps_markdown(level["iw_sweeps"])}

{heading} Every yardstick

{yardstick_tables(rows, level["latent_dim"], units, classifier).replace("### ", heading + "# ")}
"""


def across_markdown(across):
    """Per level, each criterion's best and interval."""
    head = ["level"]
    for criterion in across["criteria"]:
        head += [f"{criterion['name']}: best", "interval"]
    table = []
    for i, first in enumerate(across["criteria"][0]["rows"]):
        line = [first["level"]]
        for criterion in across["criteria"]:
            row = criterion["rows"][i]
            line += wording.cells(row)
        table.append(line)
    return markdown_table(pd.DataFrame(table, columns=head))


def loss_markdown(context):
    """The loss definitions compared: each level's answer in both units, whether it carries
    over, where the published grid lands, and the conversion table."""
    head = ["level", "factor"]
    for name in context["criteria"]:
        head += [f"{name}: as typed", "canonical"]
    rows = [
        [row["level"], row["factor"]]
        + [part for c in row["criteria"] for part in (c["typed"], c["canonical"])]
        for row in context["levels"]
    ]
    conversion = [
        [f"`{row['loss']}`", row["words"], *row["cells"]] for row in context["conversion"]
    ]
    columns = ["loss", "as written", *(f"factor, {d}-D latent" for d in context["dims"])]
    sentences = "\n\n".join(context["rescaled"] + context["calibrated"])
    published = " ".join(context["published"])
    return f"""Every coefficient is canonical: the KL's weight against the per-image negative
log-likelihood in nats, both summed over pixels and latent dimensions. A level's answer as you
would type it is the canonical one divided by its factor.

{markdown_table(pd.DataFrame(rows, columns=head))}

{sentences}

Where the published grid lands: {published}

The IW NLL of each level is under its own likelihood ({", ".join(context["families"])}); NLLs of
different likelihood families are not compared, only where each one's optimum lies in c.

### If your loss is written another way

Multiply a coefficient as you type it by the factor to get the canonical c; divide an answer
here by it to get the c to type.

{markdown_table(pd.DataFrame(conversion, columns=columns))}
"""


def results_page(results, run):
    metrics = pd.read_csv(results / "tables/metrics.csv")
    conclusion = json.loads((results / "tables/conclusion.json").read_text())
    levels = conclusion["levels"]
    data = {
        level["dataset"]: json.loads((results / f"data/{level['dataset']}.json").read_text())
        for level in levels
    }
    hashes = "; ".join(f"{name} `{info['sha256']}`" for name, info in data.items())
    models = every(MODEL).removeprefix("results/")
    units = read_units(sorted(results.glob(f"{models}/paired.npz")))

    def section(level, heading):
        found = units.get(Level.of(level), {})
        return level_section(results, metrics, level, heading, found)

    page = f"""# Results of {run}

Generated by `docs/generate_results.py` from the results of {run}, trained by
{", ".join(trained_by(metrics))}, concluded by {describe(conclusion["provenance"]["workflow"])};
data sha256 {hashes}. ± is the standard error
with every source, from one model of coefficient and seed for every number: the seed-to-seed
spread (measured on the coefficients with several seeds, so that one-seed coefficients carry it
too) and the evaluation's own noise; an error that would reach past what the number can be
stops there (10.0 +0.0/−0.8: all 10 digit classes, possibly fewer). Each criterion's interval
holds its optimum at 95 % confidence ([method](method.md#the-conclusion)).

"""
    if len(levels) == 1:
        return page + section(levels[0], "##")
    page += (
        f"## Across the levels\n\n{conclusion['across']['sentence']} {wording.OVERLAP_CAVEAT}\n\n"
    )
    page += across_markdown(conclusion["across"]) + "\n\n"
    published = load_reference(Path(__file__).parents[1] / "report/published.yaml")
    losses = losses_context(conclusion, published)
    if losses:
        page += "## How the loss is defined: does the answer carry over?\n\n"
        page += loss_markdown(losses) + "\n"
    for level in levels:
        page += f"## {level['level']}\n\n" + section(level, "###") + "\n"
    return page.rstrip() + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, help="a finished run's results/ directory")
    parser.add_argument("--run", default="a run", help="which run it is, for the page's title")
    args = parser.parse_args()
    print(results_page(args.results, args.run), end="")


if __name__ == "__main__":
    main()
