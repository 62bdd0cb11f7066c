# Per level, the contenders that get extra seeds; the metrics table (one row per model of every
# level); the single self-contained HTML report with its machine-readable conclusion.


# Round 0 reads the configured models; each later round also reads the extra seeds of the
# contenders named before it. The rounds end when one names no new contender, so every
# coefficient the final rule names (recommended and runner-up) has contender_seeds seeds.
checkpoint contenders:
    input:
        studied_files("metrics.json", before_round=True),
    output:
        f"results/tables/contenders/{LEVEL}/round{{round}}.json",
    log:
        f"results/logs/contenders/{LEVEL}/round{{round}}.log",
    localrule: True
    conda:
        "../../envs/vae.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        thresholds=THRESHOLDS,
        extra_seeds=[int(s) for s in EXTRA_SEEDS],
    script:
        "../scripts/contenders.py"


rule metrics_table:
    input:
        studied_files("metrics.json", every_level=True),
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


rule report:
    input:
        template=workflow.source_path("../../report/report.html.j2"),
        published=workflow.source_path("../../report/published.yaml"),
        metrics="results/tables/metrics.csv",
        data_info=expand("results/data/{dataset}.json", dataset=DATASETS),
        classifiers=expand(f"{JUDGE}/accuracy.json", dataset=DATASETS),
        prior="results/figures/prior.png",
        rate_distortion=level_files(f"results/figures/{LEVEL}/rate_distortion.png"),
        training_curves=level_files(f"results/figures/{LEVEL}/training_curves.png"),
        metrics_vs_c=level_files(f"results/figures/{LEVEL}/metrics_vs_c.png"),
        encoder_comparison=level_files(f"results/figures/{LEVEL}/encoders.png"),
        manifold_comparison=level_files(f"results/figures/{LEVEL}/manifolds.png"),
        encoders=figure_files("encoder"),
        manifolds=figure_files("manifold"),
        classes=figure_files("classes"),
    output:
        html="results/report.html",
        conclusion="results/tables/conclusion.json",
        levels=report(
            "results/figures/levels.png",
            caption="../../report/captions/levels.rst",
            category="Study",
        ),
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
