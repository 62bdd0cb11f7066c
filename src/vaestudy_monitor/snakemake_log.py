"""What Snakemake records of a run, read from its own files: the jobs it planned, finished and
timed, and how many it runs at a time. (snakesee's documented interface does not give these.)"""

import json
import re
from pathlib import Path

PROVIDED = re.compile(r"^Provided (?:cores|remote nodes): (\d+)", re.MULTILINE)


def job_durations(workdir):
    """Each rule's finished jobs' wall seconds, from Snakemake's own records
    (`.snakemake/metadata`: one file per output, so a job with several outputs is counted once)."""
    jobs = set()
    for path in (Path(workdir) / ".snakemake/metadata").glob("*"):
        try:
            record = json.loads(path.read_text())
            jobs.add((record["rule"], float(record["starttime"]), float(record["endtime"])))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # being written, or not a job's record
    durations = {}
    for rule, start, end in jobs:
        durations.setdefault(rule, []).append(end - start)
    return durations


def provided_slots(log_text):
    """How many jobs the run runs at a time, from Snakemake's log (None if it does not say)."""
    found = PROVIDED.search(log_text)
    return int(found.group(1)) if found else None


JOB_STATS = re.compile(r"^Job stats:\n.*\n-+ +-+\n((?:\S+ +\d+\n)+)", re.MULTILINE)
FINISHED = re.compile(r"^Finished jobid: \d+ \(Rule: (\S+)\)", re.MULTILINE)


def planned_jobs(log_text):
    """Each rule's jobs in the run, from the `Job stats` table Snakemake's log opens with."""
    found = JOB_STATS.search(log_text)
    if not found:
        return {}
    rows = (line.split() for line in found.group(1).splitlines())
    return {rule: int(count) for rule, count in rows if rule != "total"}


def finished_jobs(log_text):
    """Each rule's finished jobs, from Snakemake's log (`Finished jobid: 5 (Rule: get_data)`)."""
    counts = {}
    for rule in FINISHED.findall(log_text):
        counts[rule] = counts.get(rule, 0) + 1
    return counts
