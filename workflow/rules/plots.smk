# Figures: the N(0, I) reference, and per model its encoder scatter and decoder manifold.


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
