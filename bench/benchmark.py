"""Benchmark: the project's training against a plain Keras `fit`, in one process, alternating.

Prints per-epoch medians, images/s, achieved GFLOP/s and the fraction of a float32 GEMM peak
measured here, the speed-up, the manifold timings (900 `predict` calls vs one batched call) and
peak RSS; writes them all to a JSON file. Not a test: it prints figures.

    .venv/bin/python bench/benchmark.py --mnist ../shared/data/mnist.npz --threads 2
"""

import argparse
import json
import platform
import resource
import statistics
import time
from pathlib import Path

from vaestudy.training import configure_tensorflow  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", required=True, help="MNIST npz (Keras layout)")
    parser.add_argument("--threads", type=int, default=2, help="TensorFlow threads")
    parser.add_argument("--epochs", type=int, default=4, help="epochs of each, alternating")
    parser.add_argument("--coefficient", type=float, default=1.0)
    parser.add_argument(
        "--precision",
        choices=["float32", "bfloat16"],
        default="float32",
        help="the project's model only; the plain fit baseline is always float32",
    )
    parser.add_argument("--out", default="results/benchmark.json")
    return parser.parse_args()


def flops_per_image(latent_dim=2, hidden=512, pixels=784):
    """FLOP of one training step per image: the forward matmuls, the weight gradients of all
    layers and the input gradients of all but the first (its input is the data, which needs
    none): 2 FLOP per multiply-add."""
    layers = [(pixels, hidden), (hidden, 2 * latent_dim), (latent_dim, hidden), (hidden, pixels)]
    forward = sum(a * b for a, b in layers)
    input_gradients = forward - pixels * hidden
    return 2 * (2 * forward + input_gradients)


def gemm_peak(tf, n=2048, repeats=10):
    """Achieved float32 GFLOP/s of one large matmul with this process's thread pools."""
    a, b = tf.random.normal((n, n), seed=1), tf.random.normal((n, n), seed=2)
    matmul = tf.function(lambda a, b: tf.matmul(a, b))
    matmul(a, b).numpy()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        matmul(a, b).numpy()
        times.append(time.perf_counter() - start)
    return 2 * n**3 / min(times) / 1e9


def time_call(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main():
    args = parse_args()
    configure_tensorflow(args.threads)
    import numpy as np
    import tensorflow as tf

    from vaestudy import evaluation, training
    from vaestudy.data import load_split
    from vaestudy.model import build_vae

    x_train, _ = load_split(args.mnist, "train")
    x_test, _ = load_split(args.mnist, "test")
    peak = gemm_peak(tf)
    baseline = build_vae(2, 512, args.coefficient, seed=0)
    project = build_vae(2, 512, args.coefficient, seed=0, precision=args.precision)
    step = training._compiled_step(project)
    x_tensor = tf.constant(x_train)
    times = {"baseline_fit": [], "project": []}
    for epoch in range(1, args.epochs + 1):
        times["baseline_fit"].append(
            time_call(
                lambda: baseline.fit(x_train, epochs=1, batch_size=128, shuffle=True, verbose=0)
            )
        )
        order = training.epoch_permutation(len(x_train), 0, epoch)
        times["project"].append(
            time_call(lambda order=order: training.train_epoch(step, x_tensor, 128, order))
        )
        print(
            f"epoch {epoch}: baseline fit {times['baseline_fit'][-1]:.2f} s, "
            f"project {times['project'][-1]:.2f} s",
            flush=True,
        )

    flops_epoch = flops_per_image() * len(x_train)
    result = {
        "machine": platform.processor() or platform.machine(),
        "threads": args.threads,
        "precision": args.precision,
        "epochs": args.epochs,
        "gemm_peak_gflops": peak,
        "per_epoch_seconds": times,
    }
    for name, series in times.items():
        median = statistics.median(series[1:] if len(series) > 1 else series)
        gflops = flops_epoch / median / 1e9
        result[name] = {
            "median_epoch_s": median,
            "images_per_s": len(x_train) / median,
            "gflops": gflops,
            "fraction_of_peak": gflops / peak,
        }
    result["speedup"] = (
        result["baseline_fit"]["median_epoch_s"] / result["project"]["median_epoch_s"]
    )

    for name, model in (("baseline_fit", baseline), ("project", project)):
        z_mean, z_log_var = evaluation.encode(model, x_test)
        rec, kl = evaluation.sampled_losses(model.decoder, x_test, z_mean, z_log_var)
        result[name]["test_reconstruction"] = float(np.mean(rec))
        result[name]["test_kl"] = float(np.mean(kl))

    grid = evaluation.manifold_grid()
    decoder = project.decoder
    decoder.predict(grid[:1], verbose=0)
    per_call = time_call(lambda: [decoder.predict(grid[i : i + 1], verbose=0) for i in range(900)])
    batched = min(time_call(lambda: evaluation.decode_manifold(decoder)) for _ in range(5))
    result["manifold"] = {
        "900_predict_calls_s": per_call,
        "one_batched_call_s": batched,
        "speedup": per_call / batched,
    }
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"\nfloat32 GEMM peak measured here ({args.threads} threads): {peak:.0f} GFLOP/s")
    for name in ("baseline_fit", "project"):
        r = result[name]
        print(
            f"{name:13s} median epoch {r['median_epoch_s']:.2f} s  {r['images_per_s']:.0f} "
            f"images/s  {r['gflops']:.0f} GFLOP/s ({r['fraction_of_peak']:.0%} of peak)  "
            f"test rec {r['test_reconstruction']:.2f} KL {r['test_kl']:.2f}"
        )
    print(f"speed-up over plain fit: {result['speedup']:.2f}x")
    m = result["manifold"]
    print(
        f"manifold: 900 predict calls {m['900_predict_calls_s']:.2f} s, one batched call "
        f"{m['one_batched_call_s'] * 1000:.1f} ms ({m['speedup']:.0f}x)"
    )
    print(f"peak RSS {result['peak_rss_mb']:.0f} MB")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
