"""The pins live in envs/requirements.txt; the conda environment must repeat them exactly."""

import yaml
from conftest import ROOT, readme_commands


def _pins(lines):
    return sorted(
        line.strip() for line in lines if line.strip() and not line.startswith(("#", "-"))
    )


def test_conda_environment_has_the_same_pins():
    requirements = _pins((ROOT / "envs/requirements.txt").read_text().splitlines())
    conda = yaml.safe_load((ROOT / "envs/vae.yaml").read_text())
    pip = next(d["pip"] for d in conda["dependencies"] if isinstance(d, dict))
    assert _pins(pip) == requirements
    assert all("==" in pin for pin in requirements)


def test_ci_runs_the_readme_test_command():
    # the study command is run by the `study` fixture (tests/conftest.py)
    assert readme_commands()[1] in (ROOT / ".ci/run").read_text()
