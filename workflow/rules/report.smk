# The contenders that get extra seeds, the metrics table (one row per model), and the single
# self-contained HTML report with its machine-readable conclusion.


checkpoint contenders:
    input:
        model_files("metrics.json"),
    output:
        "results/tables/contenders.json",
    log:
        "results/logs/contenders.log",
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
        studied_files("metrics.json"),
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
        data_info="results/data/mnist.json",
        classifier="results/classifier/accuracy.json",
        prior="results/figures/prior.png",
        rate_distortion="results/figures/rate_distortion.png",
        training_curves="results/figures/training_curves.png",
        metrics_vs_c="results/figures/metrics_vs_c.png",
        encoder_comparison="results/figures/encoders.png",
        manifold_comparison="results/figures/manifolds.png",
        encoders=figure_files("encoder"),
        manifolds=figure_files("manifold"),
        classes=figure_files("classes"),
    output:
        html="results/report.html",
        conclusion="results/tables/conclusion.json",
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
        models=[(int(s), c) for s in SEEDS for c in COEFFICIENTS],
        settings=STUDY_SETTINGS,
    script:
        "../scripts/report.py"
