# Test-set evaluation: one digit classifier per dataset, then every model's metrics.


rule train_classifier:
    input:
        data=DATA,
    output:
        weights=CLASSIFIER_WEIGHTS,
        record=CLASSIFIER_RECORD,
    log:
        "results/logs/train_classifier/{dataset}.log",
    benchmark:
        "results/benchmarks/train_classifier/{dataset}.tsv"
    conda:
        "../../envs/vae.yaml"
    threads: config["train_threads"]
    resources:
        mem_mb=1500,
        runtime=lambda wc, attempt: 10 * attempt,
    params:
        epochs=config["classifier_epochs"],
        train_limit=config["train_limit"],
        test_limit=config["test_limit"],
        distances=DISTANCES,
    script:
        "../scripts/train_classifier.py"


rule evaluate_vae:
    input:
        data=DATA,
        weights=f"{MODEL}/final.weights.h5",
        status=f"{MODEL}/training.json",
        classifier_weights=CLASSIFIER_WEIGHTS,
        classifier_record=CLASSIFIER_RECORD,
    output:
        metrics=f"{MODEL}/metrics.json",
        latent=f"{MODEL}/latent.npz",
        manifold=f"{MODEL}/manifold.npy",
        grid_classes=f"{MODEL}/grid_classes.npy",
        paired=f"{MODEL}/paired.npz",
        events=directory(f"{MODEL}/events/hparams"),
    log:
        f"results/logs/evaluate_vae/{LEVEL}/seed{{seed}}/c{{coefficient}}.log",
    benchmark:
        f"results/benchmarks/evaluate_vae/{LEVEL}/seed{{seed}}/c{{coefficient}}.tsv"
    conda:
        "../../envs/vae.yaml"
    threads: 1
    resources:
        mem_mb=1200,
        runtime=lambda wc, attempt: 10 * attempt,
    params:
        model=MODEL_SETTINGS,
        test_limit=config["test_limit"],
        evaluation={key: config[key] for key in EVALUATION_KEYS},
        distances=DISTANCES,
    script:
        "../scripts/evaluate_vae.py"
