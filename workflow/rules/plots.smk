# Figures: the N(0, I) reference; per model its encoder scatter, decoder manifold and the
# classifier's reading of that manifold; per level the comparison figures and the answer;
# the verdicts at every level.
LEVEL_LABELS = {
    "dataset": "{dataset}",
    "latent dimensions": "{latent_dim}",
    "loss": "{loss}",
}
MODEL_LABELS = {**LEVEL_LABELS, "c": "{coefficient}", "seed": "{seed}"}


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
            f"{MODEL_FIGURES}/encoder_c{{coefficient}}.png",
            caption="../../report/captions/encoder.rst",
            category="Encoder",
            labels=MODEL_LABELS,
        ),
        manifold=report(
            f"{MODEL_FIGURES}/manifold_c{{coefficient}}.png",
            caption="../../report/captions/manifold.rst",
            category="Decoder manifold",
            labels=MODEL_LABELS,
        ),
        classes=report(
            f"{MODEL_FIGURES}/classes_c{{coefficient}}.png",
            caption="../../report/captions/classes.rst",
            category="Decoder coverage",
            labels=MODEL_LABELS,
        ),
    log:
        f"results/logs/plot_model/{LEVEL}/seed{{seed}}/c{{coefficient}}.log",
    benchmark:
        f"results/benchmarks/plot_model/{LEVEL}/seed{{seed}}/c{{coefficient}}.tsv"
    conda:
        "../../envs/vae.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../scripts/plot_model.py"


# One model's decoder, compact (vaestudy.explorer), for the report to decode in the page.
rule explorer_decoder:
    input:
        weights=f"{MODEL}/final.weights.h5",
        latent=f"{MODEL}/latent.npz",
    output:
        EXPLORER,
    log:
        f"results/logs/explorer_decoder/{LEVEL}/seed{{seed}}/c{{coefficient}}.log",
    benchmark:
        f"results/benchmarks/explorer_decoder/{LEVEL}/seed{{seed}}/c{{coefficient}}.tsv"
    conda:
        "../../envs/vae.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        model=MODEL_SETTINGS,
    script:
        "../scripts/explorer_decoder.py"


rule plot_study:
    input:
        metrics=level_model_files("metrics.json"),
        paired=level_model_files("paired.npz"),
        histories=level_model_files("history.csv"),
    output:
        rate_distortion=report(
            level_figure("rate_distortion"),
            caption="../../report/captions/rate_distortion.rst",
            category="Study",
            labels=LEVEL_LABELS,
        ),
        training_curves=report(
            level_figure("training_curves"),
            caption="../../report/captions/training_curves.rst",
            category="Study",
            labels=LEVEL_LABELS,
        ),
        metrics_vs_c=report(
            level_figure("metrics_vs_c"),
            caption="../../report/captions/metrics_vs_c.rst",
            category="Study",
            labels=LEVEL_LABELS,
        ),
    log:
        f"results/logs/plot_study/{LEVEL}.log",
    benchmark:
        f"results/benchmarks/plot_study/{LEVEL}.tsv"
    conda:
        "../../envs/vae.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        models=lambda wildcards: [
            (int(m.seed), m.coefficient) for m in level_models(wildcards).itertuples()
        ],
    script:
        "../scripts/plot_study.py"


rule plot_comparison:
    input:
        latents=shown_model_files("latent.npz"),
        manifolds=shown_model_files("manifold.npy"),
    output:
        encoders=report(
            level_figure("encoders"),
            caption="../../report/captions/encoders.rst",
            category="Study",
            labels=LEVEL_LABELS,
        ),
        manifolds=report(
            level_figure("manifolds"),
            caption="../../report/captions/manifolds.rst",
            category="Study",
            labels=LEVEL_LABELS,
        ),
    log:
        f"results/logs/plot_comparison/{LEVEL}.log",
    benchmark:
        f"results/benchmarks/plot_comparison/{LEVEL}.tsv"
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


rule plot_answer:
    input:
        "results/tables/conclusion.json",
    output:
        report(
            level_figure("answer"),
            caption="../../report/captions/answer.rst",
            category="Study",
            labels=LEVEL_LABELS,
        ),
    log:
        f"results/logs/plot_answer/{LEVEL}.log",
    conda:
        "../../envs/vae.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../scripts/plot_answer.py"


rule plot_levels:
    input:
        "results/tables/conclusion.json",
    output:
        report(
            "results/figures/levels.png",
            caption="../../report/captions/levels.rst",
            category="Study",
        ),
    log:
        "results/logs/plot_levels.log",
    conda:
        "../../envs/vae.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../scripts/plot_levels.py"
