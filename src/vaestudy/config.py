"""Study configuration: validated by its JSON Schema, errors translated into one readable line."""

import copy
import difflib
import math
import re

import jsonschema
import yaml

# the config keys that define the VAE at every level (a training job's params; its latent
# dimension comes from its level, see model.model_settings)
MODEL_KEYS = ("intermediate_dim", "learning_rate", "precision")
# keys that change how a job runs, not what it computes: no rule takes them as params, so
# changing them reruns nothing
EXECUTION_KEYS = ("train_threads",)


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
        if isinstance(kind, list):  # e.g. latent_dim: one value or a list of them
            kind = "array" if isinstance(config[key], list) else kind[0]
        if kind == "array" and isinstance(config[key], list) and "type" in spec["items"]:
            integer = spec["items"].get("type") == "integer"
            config[key] = [_coerce_number(v, integer) for v in config[key]]
        elif kind in ("number", "integer"):
            config[key] = _coerce_number(config[key], kind == "integer")
        elif kind == "object" and isinstance(config[key], dict) and "properties" in spec:
            _coerce(config[key], spec)  # e.g. --config 'margins={prior_kid: 0.1, iw_nll: 2}'
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


def _not_finite(config):
    """(key, value) of the first NaN or infinite number, which JSON Schema cannot exclude."""
    for key, value in config.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, float) and not math.isfinite(item):
                return key, item
    return None


def _duplicate(values):
    """The first item listed again as the same value (0, 0.0 and -0.0 among them)."""
    for i, first in enumerate(values):
        if first in values[i + 1 :]:
            return first
    return values[0]


def _spelling(value):
    """A list item as a user types it: a whole float as an integer (1.0 as 1, -0.0 as 0)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def _position(error):
    """Errors in the order of the keys and items they concern."""
    return [str(part) for part in error.path]


def _message(error, schema):
    """One line from a jsonschema error: the key, the value and what is allowed."""
    key = error.path[0]
    spec = schema["properties"][key]
    if error.validator == "uniqueItems":
        value = _spelling(_duplicate(error.instance))
        return f"config key '{key}': {value} is listed twice; list each value once"
    if len(error.path) > 1:
        return (
            f"config key '{key}': item {error.instance!r} is not allowed; must be {_describe(spec)}"
        )
    return f"config key '{key}': got {error.instance!r}; must be {_describe(spec)}"


def validate_config(config, schema):
    """Fill defaults, coerce command-line strings, and validate against the JSON Schema.

    Mutates and returns ``config``. Raises ConfigError with one line naming the key, the bad
    value and what is allowed (for an unknown key, the closest known one).
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
    bad = _not_finite(config)
    if bad:
        raise ConfigError(f"config key '{bad[0]}': item {bad[1]!r} is not allowed; must be finite")
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(config), key=_position)
    if errors:
        raise ConfigError(_message(errors[0], schema))
    return config
