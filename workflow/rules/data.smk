# MNIST: downloaded with a sha256 check, or a validated local copy (config mnist_path).


rule get_mnist:
    output:
        npz=(
            "results/data/mnist.npz"
            if config["mnist_path"]
            else ensure("results/data/mnist.npz", sha256=config["mnist_sha256"])
        ),
        info="results/data/mnist.json",
    log:
        "results/logs/get_mnist.log",
    localrule: True
    conda:
        "../../envs/vae.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    params:
        url=config["mnist_url"],
        sha256=config["mnist_sha256"],
        local_path=config["mnist_path"],
    script:
        "../scripts/get_mnist.py"
