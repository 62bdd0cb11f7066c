"""Why the study reports density and coverage rather than improved recall: on a finished run,
the k-nearest-neighbour balls of a decoder's images against those of real digits, per k.

    .venv/bin/python docs/neighbour_balls.py results --coefficients 0 1 10

For seed 0 at each coefficient, and for the classifier's held-out training digits, prints per k the
median squared radius of the image set's own balls and of the test digits' balls (features on
the unit sphere, the study's 10 blocks), improved recall (Kynkäänniemi et al., 2019: test
digits inside the image set's balls) and coverage (Naeem et al., 2020: test digits whose ball
holds an image). docs/method.md quotes its output.
"""

import argparse
import json
from pathlib import Path

import numpy as np
import yaml

from vaestudy import distances, evaluation, summaries
from vaestudy.classifier import load_classifier, split_held_out
from vaestudy.data import load_split
from vaestudy.levels import MODEL, Level
from vaestudy.model import job_vae

KS = (1, 3, 5, 10, 20)


def balls(images, real, k):
    """(recall, coverage, median radius of the images' balls, of the real digits') over the
    blocks: images and real are (blocks, m, d), scaled as the study scales them."""
    found = []
    for x, y in zip(images, real, strict=True):
        xx, yy, xy = distances.on_sphere(
            *(distances.gram(a, b) for a, b in ((x, x), (y, y), (x, y)))
        )
        own, theirs = distances.ball_radii(xx, k), distances.ball_radii(yy, k)
        recall = np.mean(np.any(distances.squared_distances(xy, xx, yy) <= own[:, None], axis=0))
        coverage = distances.density_coverage_from_grams(xx, yy, xy, k)[1]
        found.append((recall, coverage, np.median(own), np.median(theirs)))
    return np.mean(found, axis=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path)
    parser.add_argument("--coefficients", nargs="+", default=["0", "1", "10"])
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--latent-dim", default="2")
    parser.add_argument("--loss", default="sum")
    args = parser.parse_args()
    config = yaml.safe_load((args.results.parent / "config.yaml").read_text())
    classifier_dir = args.results / "classifier" / args.dataset
    temperature = json.loads((classifier_dir / "classifier.json").read_text())["temperature"]
    classifier = load_classifier(classifier_dir / "classifier.weights.h5", temperature)
    data = args.results / "data" / f"{args.dataset}.npz"
    x, _ = load_split(data, "test", config["test_limit"])
    _, test = classifier.read(x)
    rows, scale, _, _ = summaries.test_blocks(test, config["coverage_samples"])
    real = test[rows] / scale
    sets = {}
    (_, _), (held_out, _) = split_held_out(*load_split(data, "train", config["train_limit"]))
    other = classifier.read(held_out)[1]
    m = min(len(other) // distances.BLOCKS, rows.shape[1])
    sets["real digits"] = (other[: m * distances.BLOCKS] / scale, m)
    for c in args.coefficients:
        level = Level(args.dataset, int(args.latent_dim), args.loss)
        wildcards = {**vars(level), "coefficient": c, "seed": "0"}
        folder = args.results.parent / level.path(MODEL, seed=0, coefficient=c)
        vae, _ = job_vae(config, wildcards, folder / "final.weights.h5")
        z_mean, z_log_var = evaluation.encode(vae, x)
        prior_z = evaluation.prior_codes(config["coverage_samples"], int(args.latent_dim))
        prior = evaluation.decode_readings(vae.decoder, classifier, prior_z)[1]
        codes = evaluation.sampled_codes(z_mean, z_log_var)
        reconstructions = evaluation.decode_readings(vae.decoder, classifier, codes)[1]
        sets[f"c = {c}, N(0, I) decodes"] = (prior[: rows.size] / scale, None)
        # the reconstructions of test block j - 1 against test block j, as the study does
        shifted = reconstructions[np.roll(rows, 1, axis=0)].reshape(-1, test.shape[1])
        sets[f"c = {c}, reconstructions"] = (shifted / scale, None)
    print("| images | k | recall | coverage | median r² of their balls | of the test digits' |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, (features, block) in sets.items():
        block = block or rows.shape[1]
        images = features.reshape(distances.BLOCKS, block, -1)
        against = real[:, :block]
        for k in KS:
            recall, coverage, own, theirs = balls(images, against, k)
            print(f"| {name} | {k} | {recall:.3f} | {coverage:.3f} | {own:.4f} | {theirs:.4f} |")


if __name__ == "__main__":
    main()
