# One shared set of initial weights per latent dimension and seed, then one VAE per level,
# coefficient and seed.


rule initial_weights:
    output:
        INIT,
    log:
        "results/logs/initial_weights/z{latent_dim}/seed{seed}.log",
    benchmark:
        "results/benchmarks/initial_weights/z{latent_dim}/seed{seed}.tsv"
    conda:
        "../../envs/vae.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        model=INITIAL_SETTINGS,
    script:
        "../scripts/initial_weights.py"


rule train_vae:
    input:
        data=DATA,
        init=INIT,
    output:
        weights=f"{MODEL}/final.weights.h5",
        history=f"{MODEL}/history.csv",
        status=f"{MODEL}/training.json",
    log:
        f"results/logs/train_vae/{LEVEL}/seed{{seed}}/c{{coefficient}}.log",
    benchmark:
        f"results/benchmarks/train_vae/{LEVEL}/seed{{seed}}/c{{coefficient}}.tsv"
    conda:
        "../../envs/vae.yaml"
    threads: config["train_threads"]
    resources:
        mem_mb=1200,
        runtime=lambda wc, attempt: 10 + config["epochs"] * 0.25 * attempt,
    params:
        checkpoint=CHECKPOINT,
        # not an output: a killed job's partial events must not block its resume
        events=f"{MODEL}/events/train",
        model=MODEL_SETTINGS,
        epochs=config["epochs"],
        batch_size=config["batch_size"],
        train_limit=config["train_limit"],
    script:
        "../scripts/train_vae.py"
