# Per level, the refinement rounds and the IW K-sweep; the metrics table (one row per model of
# every level); the answer as data; the single self-contained HTML report.


# Round r reads the models so far (the configured ones and those added by the rounds before
# it) and adds the models that narrow each criterion's interval for its optimum: a second seed
# near the optimum to measure the seed spread, then coefficients between the trained ones
# around each edge of the interval (vaestudy.refinement). The rounds end with one that adds
# nothing, or when refine_models models have been added.
checkpoint refine:
    input:
        metrics=earlier_model_files("metrics.json"),
        paired=earlier_model_files("paired.npz"),
    output:
        ROUND,
    log:
        f"results/logs/refine/{LEVEL}/round{{round}}.log",
    localrule: True
    conda:
        "../../envs/vae.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        confidence=config["confidence"],
        seeds=[int(s) for s in ANSWER_SEEDS],
        budget=config["refine_models"],
        configured=len(SEEDS) * len(COEFFICIENTS),
    script:
        "../scripts/refine.py"


# How the IW bound moves with K on two models of each level (SWEPT), to show whether K has
# converged where the bound is loosest and near c = 1.
rule iw_sweep:
    input:
        data=DATA,
        weights=swept_file("final.weights.h5"),
        latent=swept_file("latent.npz"),
    output:
        SWEEP,
    log:
        f"results/logs/iw_sweep/{LEVEL}/c{{coefficient}}.log",
    benchmark:
        f"results/benchmarks/iw_sweep/{LEVEL}/c{{coefficient}}.tsv"
    conda:
        "../../envs/vae.yaml"
    threads: 1
    resources:
        mem_mb=1200,
        runtime=lambda wc, attempt: 10 * attempt,
    params:
        model=MODEL_SETTINGS,
        test_limit=config["test_limit"],
        iw_samples=config["iw_samples"],
        iw_images=config["iw_images"],
        seed=int(SWEPT_SEED),
    script:
        "../scripts/iw_sweep.py"


rule metrics_table:
    input:
        studied_model_files("metrics.json"),
    output:
        report(
            "results/tables/metrics.csv",
            caption="../../report/captions/metrics.rst",
            category="Metrics",
        ),
    log:
        "results/logs/metrics_table.log",
    localrule: True
    conda:
        "../../envs/vae.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../scripts/metrics_table.py"


# The answer of every level and across them, as data.
rule conclude:
    input:
        metrics="results/tables/metrics.csv",
        paired=studied_model_files("paired.npz"),
        rounds=round_files,
        sweeps=SWEEPS,
    output:
        "results/tables/conclusion.json",
    log:
        "results/logs/conclude.log",
    localrule: True
    conda:
        "../../envs/vae.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        levels=[level.key for level in LEVELS],
        settings=ANSWER_SETTINGS,
    script:
        "../scripts/conclude.py"


rule report:
    input:
        template=workflow.source_path("../../report/report.html.j2"),
        explorer_script=workflow.source_path("../../report/explorer.js"),
        published=workflow.source_path("../../report/published.yaml"),
        metrics="results/tables/metrics.csv",
        paired=studied_model_files("paired.npz"),
        conclusion="results/tables/conclusion.json",
        data_info=expand(DATA_INFO, dataset=DATASETS),
        classifiers=expand(CLASSIFIER_RECORD, dataset=DATASETS),
        prior="results/figures/prior.png",
        levels="results/figures/levels.png",
        answer=paths(level_figure("answer"), LEVEL_TABLE),
        rate_distortion=paths(level_figure("rate_distortion"), LEVEL_TABLE),
        training_curves=paths(level_figure("training_curves"), LEVEL_TABLE),
        metrics_vs_c=paths(level_figure("metrics_vs_c"), LEVEL_TABLE),
        encoder_comparison=paths(level_figure("encoders"), LEVEL_TABLE),
        manifold_comparison=paths(level_figure("manifolds"), LEVEL_TABLE),
        encoders=paths(
            f"{MODEL_FIGURES}/encoder_c{{coefficient}}.png", CONFIGURED_MODELS
        ),
        manifolds=paths(
            f"{MODEL_FIGURES}/manifold_c{{coefficient}}.png", CONFIGURED_MODELS
        ),
        classes=paths(
            f"{MODEL_FIGURES}/classes_c{{coefficient}}.png", CONFIGURED_MODELS
        ),
        explorer=paths(
            EXPLORER,
            SHOWN_MODELS,
        ),
    output:
        html="results/report.html",
    log:
        "results/logs/report.log",
    localrule: True
    conda:
        "../../envs/vae.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        datasets=list(DATASETS),
        levels=[level.key for level in LEVELS],
        models=CONFIGURED_MODELS.to_dict("records"),
        settings=STUDY_SETTINGS,
    script:
        "../scripts/report.py"
