"""Config validation: defaults, command-line strings, and one-line errors for bad values."""

import math
from pathlib import Path

import pytest

from vaestudy.config import ConfigError, coefficient_label, load_schema, validate_config
from vaestudy.datasets import configured

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
    with pytest.raises(ConfigError, match="'coefficients': 0 is listed twice; list each value"):
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
        ({"coefficients": [1, 1.0]}, "'coefficients': 1 is listed twice"),
        ({"coefficients": ["1", "1.0"]}, "'coefficients': 1 is listed twice"),
        ({"coefficients": ["0.5", ".5"]}, "'coefficients': 0.5 is listed twice"),
        ({"epochs": 0}, "'epochs': got 0"),
        ({"epochs": 2.5}, "'epochs': got 2.5"),
        ({"batch_size": -3}, "'batch_size'"),
        ({"latent_dim": 0}, "'latent_dim'"),
        ({"latent_dim": 1}, "'latent_dim': got 1; must be an integer from 2 to 256, or a"),
        ({"latent_dim": [2, 1]}, "'latent_dim': item 1 is not allowed; must be an integer"),
        ({"latent_dim": [2, 2]}, "'latent_dim': 2 is listed twice; list each"),
        ({"latent_dim": []}, "'latent_dim': got []"),
        ({"latent_dim": "two"}, "'latent_dim': got 'two'"),
        ({"datasets": []}, "'datasets': got []"),
        ({"datasets": ["fashion"]}, "'datasets': item 'fashion' is not allowed; must be a"),
        ({"datasets": [{"name": "x"}]}, "'datasets': item {'name': 'x'} is not allowed"),
        ({"datasets": [{"name": "x", "url": "https://h/x.npz"}]}, "item {'name': 'x', 'url'"),
        ({"intermediate_dim": "wide"}, "'intermediate_dim'"),
        ({"learning_rate": 0}, "'learning_rate': got 0"),
        ({"seeds": []}, "'seeds'"),
        ({"seeds": [0.5]}, "'seeds': item 0.5"),
        ({"seeds": [1, 1]}, "'seeds'"),
        ({"seeds": ["4294967295", "4294967295"]}, "'seeds': 4294967295 is listed twice"),
        ({"loss": ["sum", "sum"]}, "'loss': 'sum' is listed twice"),
        ({"coeficients": [1]}, "did you mean 'coefficients'"),
        ({"contender_seeds": 0}, "'contender_seeds': got 0; must be integer >= 1 and <= 20"),
        ({"confidence": 1.5}, "'confidence': got 1.5"),
        ({"test_limit": 10}, "'test_limit': got 10; must be 0 (all) or an integer >= 70"),
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


def test_levels_are_a_latent_dimension_or_several_and_datasets_beside_mnist(tmp_path):
    from vaestudy.datasets import configured
    from vaestudy.levels import Level, levels

    other = tmp_path / "other.npz"
    other.write_bytes(b"checked by its own test")
    config = validate_config(
        {"latent_dim": ["8", 2], "datasets": ["mnist", {"name": "other", "path": str(other)}]},
        SCHEMA,
    )
    assert config["latent_dim"] == [8, 2]
    assert levels(config, configured(config)) == [
        Level("mnist", 8),
        Level("mnist", 2),
        Level("other", 8),
        Level("other", 2),
    ]
    default = validate_config({}, SCHEMA)
    assert levels(default, configured(default)) == [Level("mnist", 2)]
    other = Level("other", 8)
    assert other.label == "other, 8-D latent, sum loss" and other.anchor == "other-z8-sum"
    assert other.key == "other/z8/sum" and Level.from_key(other.key) == other
    # loss definitions are the innermost axis, in config order
    config = validate_config({"latent_dim": [2, 8], "loss": ["gaussian", "sum"]}, SCHEMA)
    assert [level.key for level in levels(config, configured(config))] == [
        "mnist/z2/gaussian",
        "mnist/z2/sum",
        "mnist/z8/gaussian",
        "mnist/z8/sum",
    ]


def test_a_level_is_named_the_same_by_every_record_that_holds_it():
    from types import SimpleNamespace

    import pandas as pd

    from vaestudy.levels import Level, added_models, configured_models, model_key

    level = Level("mnist", 8)
    # a JSON record, a job's wildcards (strings), a table's row
    assert Level.of({"dataset": "mnist", "latent_dim": 8, "loss": "sum", "seed": 0}) == level
    assert Level.of(SimpleNamespace(dataset="mnist", latent_dim="8", loss="sum")) == level
    table = configured_models([Level("mnist", 2), level], [0, 1], ["0", "1"])
    assert len(table) == 8 and set(table["round"]) == {0}
    rows = level.rows(table)
    assert len(rows) == 4 and Level.of(rows.iloc[0]) == level
    assert [model_key(row) for row in rows.to_dict("records")][:2] == [
        "mnist/z8/sum/seed0/c0",
        "mnist/z8/sum/seed0/c1",
    ]
    added = added_models(level, {"add": [{"coefficient": 0.5, "seeds": [2, 3]}]}, 1)
    assert [model_key(row) for row in added] == [
        "mnist/z8/sum/seed2/c0.5",
        "mnist/z8/sum/seed3/c0.5",
    ]
    assert level.rows(pd.DataFrame(added))["round"].tolist() == [1, 1]
    with pytest.raises(ValueError, match="not a level's key"):
        Level.from_key("mnist-z8")


@pytest.mark.parametrize(
    "entry, words",
    [
        ({"name": "Fashion", "path": "{file}"}, "dataset 'Fashion': the name would make a bad"),
        ({"name": "a/b", "path": "{file}"}, "dataset 'a/b': the name would make a bad folder"),
        ({"name": "../up", "path": "{file}"}, "dataset '../up': the name would make a bad"),
        ({"name": "x" * 41, "path": "{file}"}, "the name would make a bad folder name"),
        ({"name": "mnist", "path": "{file}"}, "the name mnist is the built-in MNIST"),
        ({"name": "gone", "path": "/nowhere/x.npz"}, "dataset 'gone': file '/nowhere/x.npz' does"),
        ("mnist", "dataset 'mnist' is the same level as 'mnist'"),
        ({"name": "twice", "path": "{file}"}, "dataset 'twice' is the same level as 'other'"),
    ],
)
def test_bad_datasets_give_one_line_naming_the_dataset(tmp_path, entry, words):
    file = tmp_path / "other.npz"
    file.write_bytes(b"x")
    if isinstance(entry, dict):
        entry = {k: v.format(file=file) for k, v in entry.items()}
    datasets = ["mnist", {"name": "other", "path": str(file)}, entry]
    with pytest.raises(ConfigError) as error:
        configured(validate_config({"datasets": datasets}, SCHEMA))
    message = str(error.value)
    assert message.startswith("config key 'datasets': ") and "\n" not in message
    assert words in message


def test_a_missing_mnist_path_is_one_line_naming_the_key():
    with pytest.raises(ConfigError) as error:
        configured(validate_config({"mnist_path": "/no/such/file.npz"}, SCHEMA))
    message = str(error.value)
    assert message.startswith("config key 'mnist_path': file '/no/such/file.npz' does not exist")
    assert "\n" not in message
