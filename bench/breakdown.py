"""Where one training epoch goes, and which kernel runs each large product.

TensorFlow's profiler records one epoch of the project: XLA's thunks (one compiled loop) or the
graph's kernels (bfloat16 on AMX or AVX512-BF16, training.graph_epoch). Each operation's
time goes to a part by the TensorFlow operation it comes from (XLA's optimised HLO names it
in its metadata; a fused kernel counts in the part of the operation at its root):

- the five large products (784 x 512 and 512 x 784: encoder and decoder forward, the decoder's
  input and weight gradients, the encoder's weight gradient);
- the other products (the 2-D latent heads and the decoder's first layer, and their gradients);
- Adam's update; the batch's gather and its conversion to [0, 1]; the sampling of z; casts
  between float32 and bfloat16; layout copies XLA adds; the rest of the element-wise work
  (loss, activations, gradients);
- the loop's overhead: the epoch's wall time less every operation's.

The kernels: XLA names its own dot; for TensorFlow's graph kernels, a few steps run again in a
child process with oneDNN's verbose log, which names each product's implementation and ISA.

    .venv/bin/python bench/breakdown.py --mnist /path/to/mnist.npz --precision bfloat16

prints both for one epoch; `bench/benchmark.py epoch` records them in its JSON.
"""

import argparse
import collections
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PARTS = (
    "five large products",
    "other products",
    "Adam",
    "batch gather",
    "sampling",
    "precision casts",
    "layout copies",
    "element-wise",
)
MEMORY_LAYOUT = re.compile(r"\b(src|wei)[_:]\w*::\w+:(\w+):")
LARGE = re.compile(r"(encoder_hidden|decoder_output)")
PRODUCT_TYPES = re.compile(r"MatMul")
GRAPH_KERNEL = re.compile(r"[\w/.\-]+:[A-Za-z_]\w*")


def dump_flags(directory):
    """XLA_FLAGS that dump the optimised HLO of the epoch's loop to `directory`; set before
    TensorFlow starts."""
    return (
        f"--xla_dump_to={directory} --xla_dump_hlo_as_text "
        "--xla_dump_hlo_module_re=.*full_batch_loop.*"
    )


def hlo_instructions(directory):
    """{instruction: (TensorFlow op_name, opcode, result type)} of the optimised HLO XLA
    dumped."""
    found = {}
    pattern = re.compile(r"^\s*(?:ROOT )?%?([\w.\-]+) = (\S+) ([\w\-]+)\(")
    for path in glob.glob(f"{directory}/*cpu_after_optimizations.txt"):
        for line in Path(path).read_text().splitlines():
            match = pattern.match(line)
            if match:
                op_name = re.search(r'op_name="([^"]*)"', line)
                name, type_, opcode = match.groups()
                found[name] = (op_name.group(1) if op_name else "", opcode, type_)
    return found


def profiled(tf, run):
    """Run `run` under TensorFlow's profiler: (its wall seconds, {event name: seconds} over the
    events of the threads that execute operations)."""
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    with tempfile.TemporaryDirectory() as logdir:
        tf.profiler.experimental.start(logdir)
        start = time.perf_counter()
        run()
        wall = time.perf_counter() - start
        tf.profiler.experimental.stop()
        path = sorted(glob.glob(f"{logdir}/plugins/profile/*/*.xplane.pb"))[-1]
        space = xplane_pb2.XSpace()
        space.ParseFromString(Path(path).read_bytes())
    seconds = collections.Counter()
    for plane in space.planes:
        names = {key: meta.name for key, meta in plane.event_metadata.items()}
        for line in plane.lines:  # XLA runs a thunk on the calling thread or on its pool's
            for event in line.events:
                seconds[names.get(event.metadata_id, "")] += event.duration_ps / 1e12
    return wall, seconds


def part(op_name, kind):
    """The part of the epoch an operation belongs to, from its TensorFlow op_name and its kind
    (XLA's opcode, or the graph kernel's type)."""
    if kind == "dot" or PRODUCT_TYPES.search(kind):
        return "five large products" if LARGE.search(op_name) else "other products"
    if "/adam/" in op_name or kind == "ResourceApplyAdam":
        return "Adam"
    if "/batch/" in op_name or "Gather" in op_name:
        return "batch gather"
    if "sampling" in op_name:
        return "sampling"
    if kind == "Cast" or (kind == "convert" and "Cast" in op_name):
        return "precision casts"
    if kind == "copy" and not op_name:
        return "layout copies"
    return "element-wise"


def operations(seconds, instructions):
    """[(op_name, kind, seconds)] of the profiled events that are operations: XLA's thunks
    (named as HLO instructions) or graph kernels ('node:Type'; not the function that runs
    them, '__inference_...:__inference_...')."""
    found = []
    for name, time_ in seconds.items():
        if name in instructions:
            found.append((*instructions[name][:2], time_))
        elif GRAPH_KERNEL.fullmatch(name) and not name.startswith("__"):
            node, kind = name.rsplit(":", 1)
            found.append((node, kind, time_))
    return found


def breakdown(wall, seconds, instructions, steps):
    """The epoch's parts: seconds, share of the wall time and milliseconds per step; the
    loop's overhead is what no operation accounts for."""
    totals = dict.fromkeys(PARTS, 0.0)
    for op_name, kind, time_ in operations(seconds, instructions):
        totals[part(op_name, kind)] += time_
    totals["loop overhead"] = max(0.0, wall - sum(totals.values()))
    return {
        "wall_s": wall,
        "parts": {
            name: {"s": s, "share": s / wall, "ms_per_step": 1e3 * s / steps}
            for name, s in totals.items()
        },
    }


def xla_kernels(instructions):
    """{TensorFlow op_name: kernel} of the large products in XLA's program: XLA's own dot
    and its result's type."""
    return {
        op_name: f"XLA {opcode} {type_.split('{')[0]}"
        for op_name, opcode, type_ in instructions.values()
        if opcode == "dot" and LARGE.search(op_name)
    }


def onednn_kernels(mnist, precision, graph, steps=5):
    """{product: oneDNN implementation} of the large products over a few training steps of a
    child process with ONEDNN_VERBOSE=1 (TensorFlow's graph kernels only)."""
    env = {**os.environ, "ONEDNN_VERBOSE": "1"}
    command = [sys.executable, __file__, "--mnist", str(mnist), "--precision", precision]
    command += ["--epoch", "graph" if graph else "loop", "--steps-only", str(steps)]
    log = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    return verbose_kernels(log)


def verbose_kernels(log):
    """{"kind shape (src layout, weights layout)": implementation} of the large products in
    oneDNN's verbose log; the layouts tell apart two products of one shape (the encoder's
    forward product and the decoder's input gradient are both 128x784:784x512). oneDNN's
    gemm_api (float32's sgemm, as TensorFlow's graph calls it) names no implementation: it is
    recorded as such. Other primitives (reorders) are left out."""
    found = {}
    for line in log.splitlines():
        fields = line.split(",")
        if len(fields) > 8 and fields[:4] == ["onednn_verbose", "v1", "primitive", "exec"]:
            shape, kind, implementation = fields[-2], fields[5], fields[6]
            product = kind in ("matmul", "inner_product", "gemm_api")
            if product and "784" in shape and "512" in shape:
                # a memory reads src:bf16::blocked:ab::f0 (primitives) or src_f32::blocked:ab:f0
                layouts = dict(MEMORY_LAYOUT.findall(fields[8]))
                order = ", ".join(layouts.get(arg, "?") for arg in ("src", "wei"))
                found[f"{kind} {shape} ({order})"] = implementation or f"{kind}, not named"
    return found


def add_epoch_option(parser):
    """--epoch graph|loop, the project's epoch to time (benchmark.py epoch and this script)."""
    parser.add_argument(
        "--epoch",
        choices=["graph", "loop"],
        help="the project's epoch as a TensorFlow graph or one XLA loop (default: as training "
        "runs it on this CPU, training.graph_epoch)",
    )


def graph_chosen(args):
    """Whether the project's epoch runs as a TensorFlow graph: as --epoch says, else as
    training runs it on this CPU."""
    from vaestudy.training import graph_epoch

    return graph_epoch(args.precision) if args.epoch is None else args.epoch == "graph"


def epoch_setup(mnist, precision, graph, images=None):
    """(tf, a function running one epoch of the project, steps per epoch); graph: the epoch
    as a TensorFlow graph, else one XLA loop."""
    from vaestudy.training import configure_tensorflow

    configure_tensorflow(1, graph=graph)
    import tensorflow as tf

    from vaestudy import training
    from vaestudy.data import load_pixels
    from vaestudy.model import build_vae

    pixels, _ = load_pixels(mnist, "train", images or 0)
    tensor = training.images_tensor(pixels)
    model = build_vae(2, 512, 1.0, seed=0, precision=precision)
    run_epoch = training.compiled_epoch(model, len(pixels), 128, graph=graph)
    rounds = iter(range(1, 1000))

    def epoch():
        order = training.epoch_permutation(len(pixels), 0, next(rounds))
        training.train_epoch(run_epoch, tensor, order)

    return tf, epoch, len(pixels) // 128


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", required=True, type=Path)
    parser.add_argument("--precision", choices=["float32", "bfloat16"], default="float32")
    add_epoch_option(parser)
    parser.add_argument("--steps-only", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    graph = graph_chosen(args)
    if args.steps_only:  # the child of onednn_kernels: a few steps, nothing printed
        _, epoch, _ = epoch_setup(args.mnist, args.precision, graph, 128 * args.steps_only)
        epoch()
        return
    with tempfile.TemporaryDirectory() as dump:
        os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {dump_flags(dump)}"
        tf, epoch, steps = epoch_setup(args.mnist, args.precision, graph)
        epoch()  # traced and compiled
        wall, seconds = profiled(tf, epoch)
        instructions = hlo_instructions(dump)
    result = breakdown(wall, seconds, instructions, steps)
    result["kernels"] = xla_kernels(instructions) or onednn_kernels(
        args.mnist, args.precision, graph
    )
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
