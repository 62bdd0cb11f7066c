# Per level, the refinement rounds and the IW K-sweep; the metrics table (one row per model of
# every level); the answer as data; the single self-contained HTML report.


# Round r reads the models so far (the configured ones and those added by the rounds before
# it) and adds models where the answer is decided: extra seeds for each criterion's best and
# its neighbours, then coefficients between them (vaestudy.refinement). The rounds end with
# one that adds nothing, or when refine_models models have been added.
checkpoint refine:
    input:
        metrics=model_files("metrics.json", before_round=True),
        paired=model_files("paired.npz", before_round=True),
    output:
        f"results/tables/refine/{LEVEL}/round{{round}}.json",
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


# How the IW bound moves with K on one model of each level, to show that K has converged.
rule iw_sweep:
    input:
        data=DATA,
        weights=swept_file("final.weights.h5"),
        latent=swept_file("latent.npz"),
    output:
        f"results/tables/iw_sweep/{LEVEL}.json",
    log:
        f"results/logs/iw_sweep/{LEVEL}.log",
    benchmark:
        f"results/benchmarks/iw_sweep/{LEVEL}.tsv"
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
        swept=[int(SWEPT[0]), SWEPT[1]],
    script:
        "../scripts/iw_sweep.py"


rule metrics_table:
    input:
        model_files("metrics.json", every_level=True),
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
        paired=model_files("paired.npz", every_level=True),
        rounds=round_files,
        sweeps=level_files(f"results/tables/iw_sweep/{LEVEL}.json"),
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
        levels=[(level.dataset, level.latent_dim) for level in LEVELS],
        settings=ANSWER_SETTINGS,
    script:
        "../scripts/conclude.py"


rule report:
    input:
        template=workflow.source_path("../../report/report.html.j2"),
        explorer_script=workflow.source_path("../../report/explorer.js"),
        published=workflow.source_path("../../report/published.yaml"),
        metrics="results/tables/metrics.csv",
        conclusion="results/tables/conclusion.json",
        data_info=expand("results/data/{dataset}.json", dataset=DATASETS),
        classifiers=expand(f"{JUDGE}/accuracy.json", dataset=DATASETS),
        prior="results/figures/prior.png",
        levels="results/figures/levels.png",
        answer=level_files(f"results/figures/{LEVEL}/answer.png"),
        rate_distortion=level_files(f"results/figures/{LEVEL}/rate_distortion.png"),
        training_curves=level_files(f"results/figures/{LEVEL}/training_curves.png"),
        metrics_vs_c=level_files(f"results/figures/{LEVEL}/metrics_vs_c.png"),
        encoder_comparison=level_files(f"results/figures/{LEVEL}/encoders.png"),
        manifold_comparison=level_files(f"results/figures/{LEVEL}/manifolds.png"),
        encoders=figure_files("encoder"),
        manifolds=figure_files("manifold"),
        classes=figure_files("classes"),
        explorer=level_files(
            f"results/explorer/{LEVEL}/seed{{seed}}/c{{coefficient}}.json",
            seed=SEEDS[0],
            coefficient=COEFFICIENTS,
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
        levels=[(level.dataset, level.latent_dim) for level in LEVELS],
        models=[
            (level.dataset, level.latent_dim, int(s), c)
            for level in LEVELS
            for s in SEEDS
            for c in COEFFICIENTS
        ],
        settings=STUDY_SETTINGS,
    script:
        "../scripts/report.py"
