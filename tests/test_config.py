"""Config validation: defaults, command-line strings, and one-line errors for bad values."""

import math
from pathlib import Path

import pytest

from vaestudy.config import ConfigError, coefficient_label, load_schema, validate_config

SCHEMA = load_schema(Path(__file__).resolve().parents[1] / "workflow/schemas/config.schema.yaml")


def test_defaults_are_the_study():
    config = validate_config({}, SCHEMA)
    assert config["coefficients"] == [0, 0.02, 0.1, 0.5, 1, 2, 10, 20]
    assert (config["epochs"], config["batch_size"], config["learning_rate"]) == (40, 128, 0.001)
    assert (config["latent_dim"], config["intermediate_dim"], config["seeds"]) == (2, 512, [0])


def test_config_yaml_and_the_schema_hold_the_same_defaults():
    # config.yaml is what users read and edit; the schema's defaults document it: one study
    import yaml

    shipped = yaml.safe_load((Path(__file__).resolve().parents[1] / "config.yaml").read_text())
    defaults = {key: spec["default"] for key, spec in SCHEMA["properties"].items()}
    assert shipped == defaults


def test_the_schema_itself_is_valid_json_schema():
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_command_line_strings_become_numbers():
    config = validate_config({"coefficients": ["0", "0.5"], "seeds": ["1", "2"]}, SCHEMA)
    assert config["coefficients"] == [0.0, 0.5] and config["seeds"] == [1, 2]


@pytest.mark.parametrize(
    "value, label",
    [
        (0, "0"),
        (0.0, "0"),
        (-0.0, "0"),
        ("-0.0", "0"),
        (1, "1"),
        (1.0, "1"),
        (0.02, "0.02"),
        (20, "20"),
        (1e-7, "1e-07"),
    ],
)
def test_one_spelling_per_coefficient(value, label):
    assert coefficient_label(value) == label


def test_zero_written_negative_is_the_same_coefficient_as_zero():
    with pytest.raises(ConfigError, match="0 and -0.0 are the same value"):
        validate_config({"coefficients": [0, -0.0]}, SCHEMA)
    assert validate_config({"coefficients": ["-0.0", "1"]}, SCHEMA)["coefficients"] == [0, 1]


def test_large_seeds_are_kept_exactly():
    big = 2**32 - 1
    config = validate_config({"seeds": [str(big), str(big - 1)]}, SCHEMA)
    assert config["seeds"] == [big, big - 1]


@pytest.mark.parametrize(
    "override, words",
    [
        ({"coefficients": []}, "'coefficients'"),
        ({"coefficients": [-1]}, "item -1"),
        ({"coefficients": ["abc"]}, "item 'abc'"),
        ({"coefficients": [math.nan]}, "item nan"),
        ({"coefficients": ["inf"]}, "item inf"),
        ({"coefficients": [1, 1.0]}, "1 and 1.0 are the same value"),
        ({"epochs": 0}, "'epochs': got 0"),
        ({"epochs": 2.5}, "'epochs': got 2.5"),
        ({"batch_size": -3}, "'batch_size'"),
        ({"latent_dim": 0}, "'latent_dim'"),
        ({"latent_dim": 1}, "'latent_dim': got 1; must be integer >= 2"),
        ({"intermediate_dim": "wide"}, "'intermediate_dim'"),
        ({"learning_rate": 0}, "'learning_rate': got 0"),
        ({"seeds": []}, "'seeds'"),
        ({"seeds": [0.5]}, "'seeds': item 0.5"),
        ({"seeds": [1, 1]}, "'seeds'"),
        ({"coeficients": [1]}, "did you mean 'coefficients'"),
        ({"mnist_path": "/no/such/file.npz"}, "does not exist"),
        ({"contender_seeds": 0}, "'contender_seeds': got 0; must be integer >= 1 and <= 20"),
        ({"max_coverage_gap": 1.5}, "'max_coverage_gap': got 1.5"),
        ({"class_share": 0}, "'class_share': got 0"),
        ({"iw_samples": 0}, "'iw_samples': got 0"),
        ({"precision": "float16"}, "'precision': got 'float16'; must be one of float32, bfloat16"),
        ({"seeds": [2**32]}, "'seeds': item 4294967296 is not allowed"),
        ({"seeds": ["4294967296"]}, "'seeds': item 4294967296 is not allowed"),
        ({"mnist_url": "htp://example.org/mnist.npz"}, "'mnist_url': got 'htp://"),
        ({"mnist_url": "https:///mnist.npz"}, "'mnist_url': got 'https:///mnist.npz'"),
        ({"mnist_url": "example.org/mnist.npz"}, "'mnist_url'"),
        ({"iw_samples": 100000}, "'iw_samples': got 100000; must be integer >= 1 and <= 10000"),
        ({"iw_images": 20000}, "'iw_images': got 20000"),
        ({"coverage_samples": 10**7}, "'coverage_samples'"),
        ({"prior_samples": 10**6}, "'prior_samples'"),
        ({"latent_dim": 1000}, "'latent_dim': got 1000"),
        ({"intermediate_dim": 51200}, "'intermediate_dim': got 51200"),
        ({"batch_size": 60000}, "'batch_size': got 60000"),
    ],
)
def test_bad_values_give_one_line_naming_key_and_value(override, words):
    with pytest.raises(ConfigError) as error:
        validate_config(dict(override), SCHEMA)
    message = str(error.value)
    assert words in message and "\n" not in message


@pytest.mark.parametrize(
    "url", ["https://example.org/mnist.npz", "http://h:8080/x", "file:///d/m.npz"]
)
def test_urls_of_the_allowed_forms_pass(url):
    assert validate_config({"mnist_url": url}, SCHEMA)["mnist_url"] == url
