"""Benchmark: training speed against this CPU's own matrix-multiply floor, and study throughput.

    .venv/bin/python bench/benchmark.py epoch --mnist /path/to/mnist.npz --threads 1
    .venv/bin/python bench/benchmark.py study --mnist /path/to/mnist.npz
    .venv/bin/python bench/benchmark.py time-left --mnist /path/to/mnist.npz
    .venv/bin/python bench/benchmark.py precisions --mnist /path/to/mnist.npz

`epoch`: in one process, round by round, the five large matrix products of one epoch alone (the
floor), the project's epoch, a plain Keras `fit` epoch of the published script's model
(bench/plain_fit.py) and Adam's update
alone; prints medians, the project's ratio to the floor, GFLOP/s and the fraction of a
square-GEMM peak measured in the same run, Adam's GB/s against NumPy's streaming rate (and so
the least ratio to the floor an epoch with Adam can have here), peak RSS, and where one more
epoch goes and which kernel runs each large product (bench/breakdown.py). `study`: the wall
time of `snakemake --cores 2` training two coefficients from scratch, against the training time
of bench/plain_fit.py (the published study's way: a plain `fit` per epoch, one coefficient after
the other) training the same two; and each
training job's peak RSS from its training.json, with PSS and USS from Snakemake's benchmark
files. `time-left`: a full default study run with `snakemake --cores 2`, its time left as
`vaestudy-status` estimates it sampled each minute, and each sample against the true time left
(known when the run ends), from the first finished training job on. `precisions`: the full
study in float32 and then in bfloat16 (bench/precisions.py): each run's wall time, training jobs,
answer and published check, and whether the two answers' intervals overlap. Not a test: it
prints figures and writes them as JSON.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import breakdown
import numpy as np
import pandas as pd
import precisions

from vaestudy.config import coefficient_label
from vaestudy.jobs import cpu_fields, peak_rss_mb

REPO = Path(__file__).resolve().parents[1]
STEPS, BATCH, PIXELS, HIDDEN = 469, 128, 784, 512


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    modes = parser.add_subparsers(dest="mode", required=True)
    epoch = modes.add_parser("epoch", help="one-thread epoch against the matmul floor")
    epoch.add_argument("--threads", type=int, default=1, help="TensorFlow threads")
    epoch.add_argument("--rounds", type=int, default=4, help="rounds; the first warms up")
    epoch.add_argument("--precision", choices=["float32", "bfloat16"], default="float32")
    breakdown.add_epoch_option(epoch)
    epoch.add_argument("--out", default="results/benchmark-epoch.json")
    study = modes.add_parser("study", help="snakemake --cores 2 against bench/plain_fit.py")
    study.add_argument("--epochs", type=int, default=10)
    study.add_argument("--coefficients", default="1,2")
    study.add_argument("--baseline", default=str(REPO / "bench/plain_fit.py"))
    study.add_argument("--out", default="results/benchmark-study.json")
    left = modes.add_parser("time-left", help="vaestudy-status's time left against the truth")
    left.add_argument("--interval", type=float, default=60.0, help="seconds between samples")
    left.add_argument("--cores", type=int, default=2)
    left.add_argument("--workdir", help="keep the study here (default: a temporary folder)")
    left.add_argument("--config", nargs="*", default=[], help="more --config settings")
    left.add_argument("--out", default="results/benchmark-time-left.json")
    both = modes.add_parser("precisions", help="the study in float32, then in bfloat16")
    both.add_argument("--cores", default="all", help="snakemake --cores (default: all)")
    both.add_argument("--workdir", help="keep both studies here (default: a temporary folder)")
    both.add_argument("--config", nargs="*", default=[], help="more --config settings")
    both.add_argument("--out", default="results/benchmark-precisions.json")
    for mode in (epoch, study, left, both):
        mode.add_argument("--mnist", required=True, help="MNIST npz (Keras layout)")
    return parser.parse_args()


def flops_per_image(latent_dim=2, hidden=HIDDEN, pixels=PIXELS):
    """FLOP of one training step per image: the forward products, the weight gradients of all
    layers and the input gradients of all but the first (its input is the data, which needs
    none); 2 FLOP per multiply-add."""
    layers = [(pixels, hidden), (hidden, 2 * latent_dim), (latent_dim, hidden), (hidden, pixels)]
    forward = sum(a * b for a, b in layers)
    input_gradients = forward - pixels * hidden
    return 2 * (2 * forward + input_gradients)


def machine():
    """The CPU (model name, family and model numbers, its widest vector instructions) and the
    cores this process may use, with the date of the run: the same model name covers CPUs of
    different speeds, so quote a figure with all of it."""
    info = {"cpu": platform.processor() or platform.machine()}
    fields = cpu_fields()
    if fields:
        flags = set(fields.get("flags", "").split())
        widest = [f for f in ("amx_tile", "avx512f", "avx2", "sse4_2") if f in flags][:1]
        info = {
            "cpu": fields.get("model name", info["cpu"]),
            "family": fields.get("cpu family"),
            "model": fields.get("model"),
            "vectors": widest[0] if widest else None,
        }
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if "ONEDNN_MAX_CPU_ISA" in os.environ:  # oneDNN held below this CPU, to stand in for another
        info["onednn_max_cpu_isa"] = os.environ["ONEDNN_MAX_CPU_ISA"]
    return {**info, "cores": cores, "date": time.strftime("%Y-%m-%d")}


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def five_products_epoch(tf):
    """A function running the five large products of a training step (encoder and decoder
    forward, the decoder's weight and input gradients, the encoder's weight gradient) 469
    times, with TensorFlow's own kernels (oneDNN here; they measured faster than XLA's)."""
    x, g = tf.random.uniform((BATCH, PIXELS), seed=1), tf.random.normal((BATCH, PIXELS), seed=2)
    h = tf.random.normal((BATCH, HIDDEN), seed=3)
    w1, w2 = tf.random.normal((PIXELS, HIDDEN), seed=4), tf.random.normal((HIDDEN, PIXELS), seed=5)

    @tf.function
    def products(x, w1, w2, h, g):
        encoder_forward = tf.matmul(x, w1)
        decoder_forward = tf.matmul(h, w2)
        decoder_weights = tf.matmul(h, g, transpose_a=True)
        decoder_input = tf.matmul(g, w2, transpose_b=True)
        encoder_weights = tf.matmul(x, decoder_input, transpose_a=True)
        outputs = (encoder_forward, decoder_forward, decoder_weights, encoder_weights)
        return sum(tf.reduce_sum(t) for t in outputs)  # every product used: none is pruned

    def epoch():
        for _ in range(STEPS):
            result = products(x, w1, w2, h, g)
        return result.numpy()

    return epoch


def optimiser_epoch(tf, model):
    """A function running the project's Adam update alone (fixed gradients, the model's
    0.8 M parameters) 469 times in one XLA loop, as the compiled epoch applies it."""
    variables = model.trainable_weights
    grads = [tf.random.normal(v.shape, stddev=1e-3, seed=8) for v in variables]

    def loop():
        def step(i):
            model.optimizer.apply(grads, variables)
            return (i + 1,)

        return tf.while_loop(lambda i: i < STEPS, step, (tf.constant(0),))[0]

    compiled = tf.function(loop, jit_compile=True, autograph=False)
    return lambda: compiled().numpy()


def stream_bandwidth(elements, repeats=50):
    """Best one-thread GB/s of a NumPy a = b + c on float32 arrays of `elements` (12 bytes
    moved per element): this CPU's streaming rate for data of Adam's size."""
    a, b, c = (np.ones(elements, np.float32) for _ in range(3))
    best = min(timed(lambda: np.add(b, c, out=a)) for _ in range(repeats))
    return 12 * elements / best / 1e9


def gemm_peak(tf, n=2048, repeats=5):
    """Achieved float32 GFLOP/s of one square matmul with this process's thread pools."""
    a, b = tf.random.normal((n, n), seed=6), tf.random.normal((n, n), seed=7)
    matmul = tf.function(lambda a, b: tf.reduce_sum(tf.matmul(a, b)))
    matmul(a, b).numpy()
    return 2 * n**3 / min(timed(lambda: matmul(a, b).numpy()) for _ in range(repeats)) / 1e9


def plain_model():
    """The published script's VAE (bench/plain_fit.py), compiled for a plain `fit`."""
    import keras
    from plain_fit import PlainVAE, build_parts

    keras.utils.set_random_seed(0)
    model = PlainVAE(*build_parts(), 1.0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    return model


def round_ratios(numerators, denominators):
    """Each round's ratio: both timed in the same round, so a load on the machine that lasts
    the round cancels, and their spread shows what it did not."""
    return [n / d for n, d in zip(numerators, denominators, strict=True)]


def spread(ratios):
    """The rounds' range in words, printed beside their median."""
    return f"rounds {min(ratios):.2f}-{max(ratios):.2f}, {len(ratios)} of them"


def epoch_benchmark(args):
    from vaestudy.training import configure_tensorflow

    dump = tempfile.TemporaryDirectory()  # XLA's optimised HLO names each thunk's operation
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {breakdown.dump_flags(dump.name)}"
    graph = breakdown.graph_chosen(args)
    configure_tensorflow(args.threads, graph=graph)
    import tensorflow as tf

    from vaestudy import training
    from vaestudy.data import load_pixels
    from vaestudy.events import EPOCH_TAGS, EpochEvents
    from vaestudy.model import build_vae

    pixels, _ = load_pixels(args.mnist, "train")
    images = training.images_tensor(pixels)  # as train_vae holds them
    floats = pixels.astype("float32") / 255.0
    floor = five_products_epoch(tf)
    project = build_vae(2, HIDDEN, 1.0, seed=0, precision=args.precision)
    run_epoch = training.compiled_epoch(project, len(pixels), BATCH, graph=graph)
    plain = plain_model()
    fit = lambda: plain.fit(floats, epochs=1, batch_size=BATCH, shuffle=True, verbose=0)  # noqa: E731
    optimiser = optimiser_epoch(tf, build_vae(2, HIDDEN, 1.0, seed=0))
    event_dir = tempfile.TemporaryDirectory()
    write_events = EpochEvents(event_dir.name)  # what train_vae adds to each epoch
    times = {"floor": [], "project": [], "plain_fit": [], "adam_alone": [], "events": []}
    compare = args.precision != "float32"  # the float32 epoch in the same rounds, to compare
    if compare:
        float32 = build_vae(2, HIDDEN, 1.0, seed=0)
        float32_epoch = training.compiled_epoch(float32, len(pixels), BATCH)
        times["float32_project"] = []
    for round_ in range(args.rounds):
        order = training.epoch_permutation(len(pixels), 0, round_ + 1)
        times["floor"].append(timed(floor))
        times["project"].append(timed(lambda o=order: training.train_epoch(run_epoch, images, o)))
        if round_ == 0:  # the project's own program, before the float32 model's joins it
            instructions = breakdown.hlo_instructions(dump.name)
        if compare:
            epoch = lambda o=order: training.train_epoch(float32_epoch, images, o)  # noqa: E731
            times["float32_project"].append(timed(epoch))
        times["plain_fit"].append(timed(fit))
        times["adam_alone"].append(timed(optimiser))
        row = {"epoch": round_ + 1, **dict.fromkeys(EPOCH_TAGS, 1.0)}
        times["events"].append(timed(lambda r=row: write_events(r)))
        print(" ".join(f"{k} {v[-1]:.4f} s" for k, v in times.items()), flush=True)
    write_events.close()
    event_dir.cleanup()
    order = training.epoch_permutation(len(pixels), 0, args.rounds + 1)
    wall, seconds = breakdown.profiled(tf, lambda: training.train_epoch(run_epoch, images, order))
    dump.cleanup()
    parts = breakdown.breakdown(wall, seconds, instructions, STEPS)
    # XLA's dots, or the kernels of a graph (graph_epoch), which XLA's dump does not hold
    kernels = breakdown.xla_kernels(instructions) or breakdown.onednn_kernels(
        args.mnist, args.precision, graph
    )
    kept = slice(1, None) if args.rounds > 1 else slice(None)  # the first round warms up
    measured = {k: statistics.median(v[kept]) for k, v in times.items()}
    peak = gemm_peak(tf)
    result = {
        "machine": machine(),
        "threads": args.threads,
        "precision": args.precision,
        "epoch": "graph" if graph else "loop",
        "gemm_peak_gflops": peak,
        "seconds": times,
        "ratio_to_floor_rounds": round_ratios(times["project"][kept], times["floor"][kept]),
        "peak_rss_mb": peak_rss_mb(),
    }
    result["ratio_to_floor"] = statistics.median(result["ratio_to_floor_rounds"])
    print(f"\nsquare-GEMM peak here ({args.threads} thread(s)): {peak:.0f} GFLOP/s")
    flops = {"floor": 5 * 2 * BATCH * PIXELS * HIDDEN * STEPS}
    flops["project"] = flops["plain_fit"] = flops_per_image() * len(pixels)
    for name, gflop in flops.items():
        gflops = gflop / measured[name] / 1e9
        result[name] = {"median_s": measured[name], "gflops": gflops}
        result[name]["fraction_of_peak"] = gflops / peak
        print(
            f"{name:10s} median {measured[name]:.2f} s  {gflops:.0f} GFLOP/s "
            f"({gflops / peak:.0%} of peak)"
        )
    print(
        f"project / floor: {result['ratio_to_floor']:.2f} (median of the rounds' ratios; "
        f"{spread(result['ratio_to_floor_rounds'])})"
    )
    result["speedup_over_fit"] = measured["plain_fit"] / measured["project"]
    print(f"speed-up over the plain fit: {result['speedup_over_fit']:.2f}x")
    if compare:
        rounds = round_ratios(times["float32_project"][kept], times["project"][kept])
        result["speedup_over_float32_rounds"] = rounds
        result["speedup_over_float32"] = statistics.median(rounds)
        print(
            f"speed-up over the float32 epoch: {result['speedup_over_float32']:.2f}x "
            f"(median of the rounds' ratios; {spread(rounds)})"
        )
    result["events_share_of_epoch"] = measured["events"] / measured["project"]
    print(
        f"TensorBoard events per epoch: {measured['events'] * 1e3:.2f} ms, "
        f"{result['events_share_of_epoch']:.4%} of the project's epoch"
    )
    result["adam"] = adam_bound(project, measured)
    result["breakdown"] = {**parts, "kernels": kernels}
    if compare:
        result["speedup_ceiling"] = speedup_ceiling(
            measured["float32_project"], parts, result["adam"]
        )
    print(f"\none profiled epoch of the project, {wall:.2f} s:")
    for name, found in parts["parts"].items():
        print(f"  {name:20s} {found['s']:6.3f} s  {found['share']:6.1%}")
    for product, kernel in kernels.items():
        print(f"  kernel of {product}: {kernel}")
    print(
        f"peak RSS of this process (two models, both image copies): {result['peak_rss_mb']:.0f} MB"
    )
    return result


def speedup_ceiling(float32_s, parts, adam):
    """The most a bfloat16 epoch can gain over float32 on this CPU: the float32 epoch against
    the least any bfloat16 epoch can take, its five large products (as the profiled epoch ran
    them) and Adam's float32 memory traffic at the streaming rate, with everything else taking
    no time. Prints, and returns, both."""
    products = parts["parts"]["five large products"]["s"]
    least = products + adam["traffic_floor_s"]
    ceiling = {"least_epoch_s": least, "speedup": float32_s / least}
    print(
        f"bfloat16 can gain at most {ceiling['speedup']:.2f}x over float32 here: its five "
        f"products took {products:.2f} s of the profiled epoch and Adam's traffic needs "
        f"{adam['traffic_floor_s']:.2f} s, against float32's {float32_s:.2f} s epoch"
    )
    return ceiling


def adam_bound(model, measured):
    """Adam's update alone against the memory traffic it cannot avoid: each step reads the
    weights, gradients and both moments and writes weights and moments (28 bytes per
    parameter). Prints, and returns, the least epoch/floor ratio that leaves Adam any time."""
    parameters = sum(int(np.prod(v.shape)) for v in model.trainable_weights)
    gigabytes = 28 * parameters * STEPS / 1e9
    bandwidth = stream_bandwidth(parameters)
    bound = {
        "parameters": parameters,
        "median_s": measured["adam_alone"],
        "gb_per_s": gigabytes / measured["adam_alone"],
        "stream_gb_per_s": bandwidth,
        "traffic_floor_s": gigabytes / bandwidth,
    }
    bound["least_ratio_to_floor"] = 1 + bound["traffic_floor_s"] / measured["floor"]
    print(
        f"Adam alone (469 updates of {parameters:,} parameters): {bound['median_s']:.2f} s, "
        f"{bound['gb_per_s']:.0f} GB/s of {gigabytes:.1f} GB; NumPy streams {bandwidth:.0f} GB/s "
        f"at that size, so Adam needs at least {bound['traffic_floor_s']:.2f} s: an epoch that "
        f"updates with Adam in a pass of its own cannot be under "
        f"{bound['least_ratio_to_floor']:.2f} x the floor here"
    )
    return bound


def snakemake_command(directory, cores, config):
    """The workflow's snakemake command for a study in directory."""
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile")]
    return command + ["--directory", str(directory), "--cores", str(cores), "--config", *config]


def study_to_log(directory, cores, config):
    """Run a study in directory, its output in directory/snakemake.out; its wall seconds
    (exits, naming the log, if it fails)."""
    directory.mkdir(parents=True, exist_ok=True)
    log = directory / "snakemake.out"
    command = snakemake_command(directory, cores, config)
    with open(log, "w") as out:
        start = time.perf_counter()
        status = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT).returncode
        wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"the study failed (exit {status}): see {log}")
    return wall


def run_baseline(args, workdir):
    """Training seconds of bench/plain_fit.py for the coefficients, one after the other."""
    out = workdir / "baseline"
    command = [sys.executable, args.baseline, args.mnist, str(out)]
    command += ["--epochs", str(args.epochs), "--coefs", args.coefficients]
    wall = timed(lambda: subprocess.run(command, check=True, capture_output=True))
    rows = json.loads((out / "results.json").read_text())
    return {"wall_s": wall, "train_s": sum(row["train_s"] for row in rows), "rows": rows}


def run_snakemake(args, workdir):
    """Wall time of snakemake --cores 2 training the coefficients, start-up included, and
    each training job's figures from its benchmark file."""
    coefficients = [float(c) for c in args.coefficients.split(",")]
    labels = [coefficient_label(c) for c in coefficients]
    targets = [f"results/models/mnist/z2/sum/seed0/c{label}/final.weights.h5" for label in labels]
    config = [f"mnist_path={Path(args.mnist).resolve()}", f"epochs={args.epochs}"]
    config.append(f"coefficients={json.dumps(coefficients)}")
    command = snakemake_command(workdir / "study", 2, config)
    # Snakemake's own start (a dry run): part of the wall, and long where an installed executor
    # plugin waits for a service it cannot reach (bench/README.md)
    start = timed(
        lambda: subprocess.run([*command, "-n", "--", *targets], check=True, capture_output=True)
    )
    wall = timed(
        lambda: subprocess.run([*command, "--", *targets], check=True, capture_output=True)
    )
    jobs = {}
    for label in labels:
        tsv = workdir / f"study/results/benchmarks/train_vae/mnist/z2/sum/seed0/c{label}.tsv"
        row = pd.read_csv(tsv, sep="\t").iloc[0]
        status = json.loads(
            (
                workdir / f"study/results/models/mnist/z2/sum/seed0/c{label}/training.json"
            ).read_text()
        )
        jobs[label] = {
            "seconds": float(row["s"]),
            "peak_rss_mb": status["peak_rss_mb"],  # the job's own high-water mark
            "max_pss_mb": float(row["max_pss"]),  # Snakemake's samples: shared pages split
            "max_uss_mb": float(row["max_uss"]),  # and pages this job alone holds
        }
    return {"wall_s": wall, "start_s": start, "jobs": jobs}


def study_benchmark(args):
    with tempfile.TemporaryDirectory(prefix="vae-bench-") as tmp:
        workdir = Path(tmp)
        snakemake = run_snakemake(args, workdir)
        baseline = run_baseline(args, workdir)
    result = {
        "machine": machine(),
        "epochs": args.epochs,
        "coefficients": args.coefficients,
        "snakemake": snakemake,
        "plain_fit": baseline,
        "throughput_ratio": baseline["train_s"] / snakemake["wall_s"],
    }
    print(
        f"plain fit, {args.coefficients} one after the other: {baseline['train_s']:.1f} s training"
    )
    print(
        f"snakemake --cores 2, whole wall from start-up: {snakemake['wall_s']:.1f} s "
        f"(of which Snakemake's own start, timed as a dry run: {snakemake['start_s']:.1f} s)"
    )
    print(f"throughput ratio: {result['throughput_ratio']:.2f}x")
    for label, job in snakemake["jobs"].items():
        print(
            f"train_vae c={label}: {job['seconds']:.1f} s, peak RSS {job['peak_rss_mb']:.0f} MB "
            f"(sampled: PSS {job['max_pss_mb']:.0f} MB, USS {job['max_uss_mb']:.0f} MB)"
        )
    return result


def sample_time_left(workdir, started):
    """One sample of a running study: seconds since it started, the estimate's range (None
    before it has one), its line, and how many models have finished training."""
    from snakesee import parse_workflow_state

    from vaestudy_monitor.status import time_left, time_left_estimate

    state = parse_workflow_state(workdir)
    left = time_left_estimate(workdir, state)
    return {
        "seconds": time.time() - started,
        "low": left.low if left else None,
        "high": left.high if left else None,
        "line": time_left(workdir, state),
        "trained": len(list((workdir / "results/models").rglob("training.json"))),
    }


def miss(sample, truth):
    """How far the range misses the truth, as a share of it (0 when it contains it)."""
    if sample["low"] is None:
        return None
    if sample["low"] <= truth <= sample["high"]:
        return 0.0
    return min(abs(sample["low"] - truth), abs(sample["high"] - truth)) / truth


def time_left_run(args, workdir):
    config = [f"mnist_path={Path(args.mnist).resolve()}", *args.config]
    command = snakemake_command(workdir, args.cores, config)
    workdir.mkdir(parents=True, exist_ok=True)
    samples, started = [], time.time()
    with open(workdir / "snakemake.out", "w") as out:
        run = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        while run.poll() is None:
            time.sleep(args.interval - (time.time() - started) % args.interval)
            if run.poll() is None and (workdir / ".snakemake/log").is_dir():
                samples.append(sample_time_left(workdir, started))
                print(f"{samples[-1]['seconds'] / 60:5.1f} min  {samples[-1]['line']}", flush=True)
    if run.returncode != 0:
        sys.exit(f"the study failed (exit {run.returncode}): see {workdir / 'snakemake.out'}")
    return samples, time.time() - started


def time_left_benchmark(args):
    if args.workdir:
        samples, wall = time_left_run(args, Path(args.workdir).resolve())
    else:
        with tempfile.TemporaryDirectory(prefix="vae-time-left-") as tmp:
            samples, wall = time_left_run(args, Path(tmp))
    rows = []
    for sample in samples:
        truth = wall - sample["seconds"]
        rows.append({**sample, "truth": truth, "miss": miss(sample, truth)})
    judged = [row for row in rows if row["trained"] > 0]
    print(f"\nwall {wall / 60:.1f} min; from the first finished training job on:")
    print("  min | low  | high | true | miss")
    for row in judged:
        low, high = (
            f"{row[k] / 60:4.1f}" if row[k] is not None else "  - " for k in ("low", "high")
        )
        shown = f"{row['miss']:.0%}" if row["miss"] is not None else "no estimate"
        print(f"{row['seconds'] / 60:5.1f} | {low} | {high} | {row['truth'] / 60:4.1f} | {shown}")
    misses = [row["miss"] for row in judged]
    worst = max((m for m in misses if m is not None), default=None)
    print(
        f"{sum(m == 0 for m in misses)} of {len(misses)} samples contain the truth; "
        f"{sum(m is None for m in misses)} have no estimate; worst miss "
        + (f"{worst:.0%}" if worst is not None else "-")
    )
    return {"machine": machine(), "cores": args.cores, "wall_s": wall, "samples": rows}


def precisions_benchmark(args):
    config = [f"mnist_path={Path(args.mnist).resolve()}", *args.config]

    def study(directory, precision):
        return study_to_log(directory, args.cores, [*config, f"precision={precision}"])

    if args.workdir:
        found = precisions.benchmark(Path(args.workdir).resolve(), args.config, study)
    else:
        with tempfile.TemporaryDirectory(prefix="vae-precisions-") as tmp:
            found = precisions.benchmark(Path(tmp), args.config, study)
    return {"machine": machine(), "cores": args.cores, **found}


def main():
    args = parse_args()
    modes = {
        "epoch": epoch_benchmark,
        "study": study_benchmark,
        "time-left": time_left_benchmark,
        "precisions": precisions_benchmark,
    }
    result = modes[args.mode](args)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
