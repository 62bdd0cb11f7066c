"""The monitor of a running study, apart from the study's science: the epochs of its training
jobs for snakesee (`epochs`, a snakesee plugin), and `vaestudy-status` (`status`), which prints
a run's jobs and its time left (`time_left`, scheduled from the run's `plan` and what Snakemake
records, `snakemake_log`).

snakesee is used through its documented interface only: the plugin base classes
(`snakesee.plugins.base`) and what the package `snakesee` exports (`parse_workflow_state`,
`TimeEstimator`, `WorkflowStatus`, `format_duration`). That interface does not give the jobs
Snakemake planned or has finished per rule, so `snakemake_log` reads them from Snakemake's log.
"""
