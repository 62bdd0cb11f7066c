"""Study configuration: defaults and types from the JSON schema, errors as one readable line."""

import copy
import difflib
import math
import re
from pathlib import Path

import yaml


class ConfigError(ValueError):
    """A configuration value the study cannot run with; the message says what to change."""


def load_schema(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


def coefficient_label(value):
    """The one spelling of a coefficient used in paths and wildcards: 1.0 -> '1', 0.02 -> '0.02'."""
    value = float(value)
    if value == 0:  # -0.0 too: zero is one job, c0
        return "0"
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def _coerce_number(value, integer):
    """Numbers typed on the command line arrive as strings (``--config seeds=[0,1]``)."""
    if isinstance(value, str):
        if integer and re.fullmatch(r"[+-]?\d+", value.strip()):
            return int(value)  # exactly, however large (no rounding through float)
        try:
            number = float(value.strip())
        except ValueError:
            return value
        if integer and number.is_integer() and "." not in value:
            return int(number)
        return number if not integer else value
    return value


def _coerce(config, schema):
    for key, spec in schema["properties"].items():
        if key not in config:
            continue
        kind = spec.get("type")
        if kind == "array" and isinstance(config[key], list):
            integer = spec["items"].get("type") == "integer"
            config[key] = [_coerce_number(v, integer) for v in config[key]]
        elif kind in ("number", "integer"):
            config[key] = _coerce_number(config[key], kind == "integer")
        elif kind == "string" and config[key] is None:
            config[key] = ""


def _describe(spec, plural=False):
    """What a key allows, in words, from its schema entry."""
    kind = spec.get("type")
    if "x-allowed" in spec:  # the schema says it in words
        return spec["x-allowed"]
    if kind == "array":
        return "a non-empty list of " + _describe(spec["items"], plural=True)
    words = {"integer": "integer", "number": "number", "string": "string"}.get(kind, kind)
    words += "s" if plural else ""
    if "minimum" in spec:
        words += f" >= {spec['minimum']}"
    if "exclusiveMinimum" in spec:
        words += f" > {spec['exclusiveMinimum']}"
    if "maximum" in spec:
        words += f" and <= {spec['maximum']}"
    if "pattern" in spec:
        words += f" matching {spec['pattern']}"
    if "enum" in spec:
        words = "one of " + ", ".join(spec["enum"])
    return words


def _is_integer(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _valid_scalar(value, spec):
    kind = spec.get("type")
    if kind == "integer" and not _is_integer(value):
        return False
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if not math.isfinite(value):
            return False
    if kind == "string":
        if not isinstance(value, str):
            return False
        if "pattern" in spec:
            return re.fullmatch(spec["pattern"], value) is not None
        return "enum" not in spec or value in spec["enum"]
    if "minimum" in spec and value < spec["minimum"]:
        return False
    if "exclusiveMinimum" in spec and value <= spec["exclusiveMinimum"]:
        return False
    if "maximum" in spec and value > spec["maximum"]:
        return False
    return True


def _check_key(key, value, spec):
    if spec.get("type") == "array":
        if not isinstance(value, list) or not value:
            raise ConfigError(f"config key '{key}': got {value!r}; must be {_describe(spec)}")
        for item in value:
            if not _valid_scalar(item, spec["items"]):
                raise ConfigError(
                    f"config key '{key}': item {item!r} is not allowed; must be {_describe(spec)}"
                )
    elif not _valid_scalar(value, spec):
        raise ConfigError(f"config key '{key}': got {value!r}; must be {_describe(spec)}")


def _check_unique(key, labels):
    seen = {}
    for original, label in labels:
        if label in seen:
            raise ConfigError(
                f"config key '{key}': {seen[label]!r} and {original!r} are the same value; "
                "list each value once"
            )
        seen[label] = original


def validate_config(config, schema):
    """Fill defaults, coerce command-line strings, and reject anything the study cannot use.

    Mutates and returns ``config``. Raises ConfigError with one line naming the key, the bad
    value and what is allowed.
    """
    properties = schema["properties"]
    for key in config:
        if key not in properties:
            close = difflib.get_close_matches(key, properties, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ConfigError(
                f"unknown config key '{key}'{hint}; allowed keys: {', '.join(sorted(properties))}"
            )
    for key, spec in properties.items():
        if key not in config and "default" in spec:
            config[key] = copy.deepcopy(spec["default"])
    _coerce(config, schema)
    for key, spec in properties.items():
        _check_key(key, config[key], spec)
    _check_unique("coefficients", [(c, coefficient_label(c)) for c in config["coefficients"]])
    _check_unique("seeds", [(s, s) for s in config["seeds"]])
    if config["mnist_path"] and not Path(config["mnist_path"]).exists():
        raise ConfigError(
            f"config key 'mnist_path': file {config['mnist_path']!r} does not exist; "
            "give the path of an MNIST npz (Keras layout), or leave it empty to download"
        )
    return config
