# The datasets: downloaded with a sha256 check, or a validated copy of a local file (mnist_path,
# or a dataset given by path), which must then be the file's exact copy.


rule get_data:
    output:
        npz=ensure(DATA, sha256=expected_sha256),
        info=DATA_INFO,
    log:
        "results/logs/get_data/{dataset}.log",
    localrule: True
    conda:
        "../../envs/vae.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    params:
        dataset=lambda wildcards: DATASETS[wildcards.dataset].params(),
        train_limit=config["train_limit"],
        test_limit=config["test_limit"],
    script:
        "../scripts/get_data.py"
