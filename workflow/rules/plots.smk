# Figures: the N(0, I) reference; per model its encoder scatter, decoder manifold and the
# classifier's reading of that manifold; for the whole study the comparison figures.


rule plot_prior:
    output:
        report(
            "results/figures/prior.png",
            caption="../../report/captions/prior.rst",
            category="Reference",
        ),
    log:
        "results/logs/plot_prior.log",
    conda:
        "../../envs/vae.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../scripts/plot_prior.py"


rule plot_model:
    input:
        latent=f"{MODEL}/latent.npz",
        manifold=f"{MODEL}/manifold.npy",
        grid_classes=f"{MODEL}/grid_classes.npy",
    output:
        encoder=report(
            "results/figures/seed{seed}/encoder_c{coefficient}.png",
            caption="../../report/captions/encoder.rst",
            category="Encoder",
            labels={"c": "{coefficient}", "seed": "{seed}"},
        ),
        manifold=report(
            "results/figures/seed{seed}/manifold_c{coefficient}.png",
            caption="../../report/captions/manifold.rst",
            category="Decoder manifold",
            labels={"c": "{coefficient}", "seed": "{seed}"},
        ),
        classes=report(
            "results/figures/seed{seed}/classes_c{coefficient}.png",
            caption="../../report/captions/classes.rst",
            category="Decoder coverage",
            labels={"c": "{coefficient}", "seed": "{seed}"},
        ),
    log:
        "results/logs/plot_model/seed{seed}/c{coefficient}.log",
    benchmark:
        "results/benchmarks/plot_model/seed{seed}/c{coefficient}.tsv"
    conda:
        "../../envs/vae.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../scripts/plot_model.py"


rule plot_study:
    input:
        metrics="results/tables/metrics.csv",
        histories=studied_files("history.csv"),
    output:
        rate_distortion=report(
            "results/figures/rate_distortion.png",
            caption="../../report/captions/rate_distortion.rst",
            category="Study",
        ),
        training_curves=report(
            "results/figures/training_curves.png",
            caption="../../report/captions/training_curves.rst",
            category="Study",
        ),
        metrics_vs_c=report(
            "results/figures/metrics_vs_c.png",
            caption="../../report/captions/metrics_vs_c.rst",
            category="Study",
        ),
    log:
        "results/logs/plot_study.log",
    benchmark:
        "results/benchmarks/plot_study.tsv"
    conda:
        "../../envs/vae.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        models=lambda wildcards, input: models_of(input.histories),
    script:
        "../scripts/plot_study.py"


rule plot_comparison:
    input:
        latents=expand(f"{MODEL}/latent.npz", seed=SEEDS[0], coefficient=COEFFICIENTS),
        manifolds=expand(
            f"{MODEL}/manifold.npy", seed=SEEDS[0], coefficient=COEFFICIENTS
        ),
    output:
        encoders=report(
            "results/figures/encoders.png",
            caption="../../report/captions/encoders.rst",
            category="Study",
        ),
        manifolds=report(
            "results/figures/manifolds.png",
            caption="../../report/captions/manifolds.rst",
            category="Study",
        ),
    log:
        "results/logs/plot_comparison.log",
    benchmark:
        "results/benchmarks/plot_comparison.tsv"
    conda:
        "../../envs/vae.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        coefficients=COEFFICIENTS,
    script:
        "../scripts/plot_comparison.py"
