"""The benchmark's pure parts: the epoch breakdown of bench/breakdown.py (each operation in its
part, and parts that add up to the epoch's wall time), the bfloat16 ceiling, and how
bench/precisions.py reads two runs (their answers' overlap, the published check)."""

import sys

import pandas as pd
import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import benchmark  # noqa: E402
import breakdown  # noqa: E402
import precisions  # noqa: E402

# operations as XLA's optimised HLO and TensorFlow's graph kernels name them
CASES = [
    ("while/encoder_1/encoder_hidden_1/MatMul", "dot", "five large products"),
    (
        "gradient_tape/while/decoder_1/decoder_output_1/MatMul/MatMul_1",
        "dot",
        "five large products",
    ),
    (
        "while/body/_1/while/encoder_1/encoder_hidden_1/Relu",
        "_MklNativeFusedMatMul",
        "five large products",
    ),
    ("gradient_tape/while/encoder_1/z_log_var_1/MatMul/MatMul_1", "dot", "other products"),
    ("while/adam/AssignSubVariableOp_8", "fusion", "Adam"),
    ("while/body/_1/while/adam/Square_8", "Square", "Adam"),
    ("while/GatherV2_1", "fusion", "batch gather"),
    ("while/batch/truediv", "fusion", "batch gather"),
    ("while/sampling_1/stateless_random_normal/StatelessRandomNormalV2", "fusion", "sampling"),
    ("while/body/_1/while/decoder_1/decoder_output_1/Cast/Cast", "Cast", "precision casts"),
    ("", "copy", "layout copies"),
    ("while/logistic_loss", "fusion", "element-wise"),
]


@pytest.mark.parametrize("op_name, kind, expected", CASES)
def test_each_operation_is_counted_in_its_part(op_name, kind, expected):
    assert breakdown.part(op_name, kind) == expected


def test_the_parts_add_up_to_the_wall_time_and_wrappers_are_not_counted():
    instructions = {
        "MatMul.100": ("while/encoder_1/encoder_hidden_1/MatMul", "dot", "f32[128,512]{1,0}"),
        "divide_subtract_fusion": ("while/adam/AssignSubVariableOp", "fusion", "f32[784,512]"),
    }
    seconds = {
        "MatMul.100": 0.5,
        "divide_subtract_fusion": 0.2,
        "ThunkExecutor::Execute": 0.9,  # the loop around them: not an operation
        "while/body/_1/while/logistic_loss/Exp:Exp": 0.1,
    }
    found = breakdown.breakdown(1.0, seconds, instructions, steps=10)["parts"]
    assert found["five large products"]["s"] == 0.5 and found["Adam"]["s"] == 0.2
    assert found["element-wise"]["s"] == 0.1
    assert found["loop overhead"]["s"] == pytest.approx(0.2)
    assert sum(p["share"] for p in found.values()) == pytest.approx(1.0)
    assert found["five large products"]["ms_per_step"] == pytest.approx(50.0)
    assert breakdown.xla_kernels(instructions) == {
        "while/encoder_1/encoder_hidden_1/MatMul": "XLA dot f32[128,512]"
    }


def test_onednn_kernels_are_read_per_product():
    # lines of ONEDNN_VERBOSE=1 (oneDNN 3): two products of one shape apart by their layouts,
    # float32's gemm_api (no implementation named, its own memory format), a small product,
    # another primitive
    line = "onednn_verbose,v1,primitive,exec,cpu,{},{},undef,{},attr-scratchpad:user,,{},0.5"
    memories = "src:bf16::blocked:{}::f0 wei:bf16::blocked:{}::f0 dst:bf16::blocked:ab::f0"
    gemm = "src_f32::blocked:ba:f0 wei_f32::blocked:ab:f0 dst_f32::blocked:ab:f0"
    log = "\n".join(
        [
            "onednn_verbose,v1,info,oneDNN v3.7.1",
            line.format(
                "matmul",
                "brg_matmul:avx512_core_bf16",
                memories.format("ab", "ab"),
                "128x784:784x512",
            ),
            line.format(
                "matmul",
                "brg_matmul:avx512_core_amx",
                memories.format("ab", "ba"),
                "128x784:784x512",
            ),
            line.format("gemm_api", "", gemm, "512x128:128x784"),
            line.format("matmul", "gemm:jit", memories.format("ab", "ab"), "128x512:512x2"),
            line.format("reorder", "jit:uni", memories.format("ab", "ba"), "784x512"),
        ]
    )
    assert breakdown.verbose_kernels(log) == {
        "matmul 128x784:784x512 (ab, ab)": "brg_matmul:avx512_core_bf16",
        "matmul 128x784:784x512 (ab, ba)": "brg_matmul:avx512_core_amx",
        "gemm_api 512x128:128x784 (ba, ab)": "gemm_api, not named",
    }


def test_the_function_around_the_kernels_and_the_executor_are_not_operations():
    seconds = {
        "__inference_full_batch_loop_987:__inference_full_batch_loop_987": 5.0,
        "ExecutorState::Process": 5.0,
        "EagerLocalExecute: __inference_full_batch_loop_987": 5.0,
        "while/body/_1/while/adam/Sqrt_1:Sqrt": 0.25,
    }
    assert breakdown.operations(seconds, {}) == [("while/body/_1/while/adam/Sqrt_1", "Sqrt", 0.25)]


def test_a_load_lasting_a_round_cancels_in_its_ratio():
    floor = [2.0, 4.0, 2.0]  # the second round ran at half speed throughout
    project = [2.6, 5.2, 3.0]  # the third had a load during the project's epoch only
    ratios = benchmark.round_ratios(project, floor)
    assert ratios == pytest.approx([1.3, 1.3, 1.5])
    with pytest.raises(ValueError):
        benchmark.round_ratios(project, floor[:2])


def test_the_bfloat16_ceiling_counts_only_the_products_and_adams_traffic():
    seconds = {  # a profiled graph epoch: two large products, Adam, element-wise work
        "while/body/_1/while/encoder_1/encoder_hidden_1/MatMul:_MklMatMul": 0.5,
        "while/body/_1/while/decoder_1/decoder_output_1/MatMul:_MklMatMul": 0.7,
        "while/body/_1/while/ResourceApplyAdam:ResourceApplyAdam": 0.6,
        "cluster_0_1/xla_run:_XlaRun": 0.4,
    }
    parts = breakdown.breakdown(2.5, seconds, {}, 469)
    ceiling = benchmark.speedup_ceiling(3.0, parts, {"traffic_floor_s": 0.3})
    assert ceiling["least_epoch_s"] == pytest.approx(1.5)
    assert ceiling["speedup"] == pytest.approx(2.0)
    assert ceiling["speedup"] > 3.0 / parts["wall_s"]  # the epoch as profiled gains less


@pytest.mark.parametrize("units", [True, False])
def test_the_benchmarked_epoch_is_the_one_training_runs_unless_told(monkeypatch, units):
    from vaestudy import training

    monkeypatch.setattr(training, "bfloat16_units", lambda: units)

    def chosen(*options):
        monkeypatch.setattr(sys, "argv", ["benchmark.py", "epoch", "--mnist", "m.npz", *options])
        return breakdown.graph_chosen(benchmark.parse_args())

    assert chosen("--precision", "bfloat16") is units
    assert chosen("--precision", "float32") is False
    assert chosen("--precision", "bfloat16", "--epoch", "loop") is False
    assert chosen("--precision", "float32", "--epoch", "graph") is True


def answer(best, interval, level="mnist, 2-D latent, sum loss"):
    return {
        "name": "held-out likelihood",
        "rows": [{"level": level, "best": best, "interval": interval}],
    }


def test_two_precisions_answers_overlap_only_where_their_intervals_do():
    f32 = precisions.answers({"across": {"criteria": [answer(1.0, [0.5, 2.0])]}})
    assert f32 == {
        "held-out likelihood": {
            "mnist, 2-D latent, sum loss": {"best": 1.0, "interval": [0.5, 2.0]}
        }
    }
    level = "mnist, 2-D latent, sum loss"
    for interval, expected in [
        ([2.0, 4.0], True),
        ([2.1, 4.0], False),
        ([0.1, 0.4], False),
        (None, None),
    ]:
        bf16 = precisions.answers({"across": {"criteria": [answer(3.0, interval)]}})
        assert precisions.overlaps(f32, bf16) == {"held-out likelihood": {level: expected}}
    other = precisions.answers(
        {"across": {"criteria": [answer(3.0, [0.5, 2.0], "mnist, 8-D latent, sum loss")]}}
    )
    assert precisions.overlaps(f32, other) == {}


def test_a_bfloat16_run_is_checked_against_the_published_losses_as_float32_would_be():
    reference = {
        "settings": {
            "dataset": "mnist",
            "latent_dim": 2,
            "loss": "sum",
            "epochs": 40,
            "precision": "float32",
        },
        "losses": {1: [144.17, 6.21], 20: [189.72, 0.68]},
        "tolerance": {"reconstruction": 0.03, "kl": 0.15},
    }
    rows = [(1.0, 0, 145.2, 6.1), (1.0, 1, 150.0, 9.0), (20.0, 0, 189.9, 0.80)]
    per_model = pd.DataFrame(rows, columns=["coefficient", "seed", "reconstruction", "kl"])
    per_model = per_model.assign(dataset="mnist", latent_dim=2, loss="sum", diverged=False)
    config = precisions.settings(["precision=bfloat16"]) | {"epochs": 40}
    (check,) = precisions.published_check(per_model, config, reference).values()
    # seed 0 only: c = 1 within both tolerances, c = 20's KL 18 % off
    assert check == {"applies": True, "reproduces": False, "missed": [20.0], "why_not": []}
    (check,) = precisions.published_check(per_model, config | {"epochs": 2}, reference).values()
    assert not check["applies"] and check["why_not"] == ["epochs 2 (published: 40)"]


def test_the_command_lines_settings_are_read_as_yaml_over_the_config():
    found = precisions.settings(["epochs=2", "coefficients=[0, 1]", "precision=bfloat16"])
    assert (found["epochs"], found["coefficients"], found["precision"]) == (2, [0, 1], "bfloat16")
    assert found["batch_size"] == 128  # config.yaml's


def test_a_folder_that_holds_a_run_or_a_set_precision_is_refused_before_any_work(tmp_path):
    (tmp_path / "bfloat16/results").mkdir(parents=True)

    def study(directory, precision):
        pytest.fail("a study ran")

    with pytest.raises(SystemExit, match="already holds a study"):
        precisions.benchmark(tmp_path, [], study)
    with pytest.raises(SystemExit, match="leave it out"):
        precisions.benchmark(tmp_path / "empty", ["precision=float32"], study)
