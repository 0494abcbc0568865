"""Checks of the configuration that a JSON schema cannot express, and its validation."""

from __future__ import annotations

import argparse
import math
import re
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .data.catalog import SOURCES, closed_form_shape, schema_of_sources, source_facts
from .data.views import NATIVE
from .errors import ConfigError
from .layout import path_number
from .spectral.noise import ImageGeometry, expand_noise_grid

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "config.schema.yaml"
# What each wildcard of the rules accepts (common.smk passes these to wildcard_constraints):
# a config value that formats to anything else would make a path no rule matches.
WILDCARD_PATTERNS = {
    "dataset": "[A-Za-z0-9_]+",
    "preprocessing": "[A-Za-z0-9_]+",
    "noise": "[A-Za-z0-9_.]+",
    "side": "top|bottom|top_dims|bottom_dims",
    "fraction": "[0-9.]+",
    "augment": "aug|noaug",
    "seed": "[0-9]+",
    "arch": "mlp|conv|resnet34|resnet",
    "latent": "[0-9]+",
    "weight": "[0-9.]+",
}


# torch's intra-op threads in every job that trains on the CPU, unless `cpu_threads` says
# otherwise. Fixed by the config, never by --cores: a reduction split over another number
# of threads rounds differently, so the thread count is part of what decides the numbers.
DEFAULT_CPU_THREADS = 2


def cpu_threads(config: dict[str, Any]) -> int:
    """The configured intra-op thread count of the training jobs."""
    return int(config.get("cpu_threads", DEFAULT_CPU_THREADS))


# What `auto` means for each training fast-path switch on a GPU and on the CPU: bf16
# convolutions gain little on CPU and fp32 keeps CPU runs bit-reproducible; compiling costs
# a minute per job on a small CPU for little gain there. lbr.train.runtime applies it in
# each job; the plan resolves it wherever the device is known (planned_acceleration).
ACCELERATION_AUTO = {
    "precision": {"cuda": "bf16", "cpu": "fp32"},
    "compile": {"cuda": True, "cpu": False},
    "channels_last": {"cuda": True, "cpu": True},
    "fused_optimizer": {"cuda": True, "cpu": False},
}


def planned_acceleration(acceleration: dict[str, Any] | None, device: str) -> dict[str, Any]:
    """The `acceleration` block as the training jobs' param: only the switches whose value
    differs from what `auto` gives on `device`, so a missing block, a block of `auto`s and
    the same choices written out explicitly are one param and rerun nothing. Where the
    device is not known yet (a cluster's head node: `device` stays `auto`), only the
    explicit non-`auto` values are kept. A job resolves the missing switches as `auto`."""
    planned = {}
    for switch, auto in ACCELERATION_AUTO.items():
        value = (acceleration or {}).get(switch, "auto")
        if value != "auto" and not (device in auto and value == auto[device]):
            planned[switch] = value
    return planned


def load_schema() -> dict:
    """The config schema, with the dataset sources and their options from the catalog."""
    schema = yaml.safe_load(SCHEMA_PATH.read_text())
    dataset = schema["$defs"]["dataset"]
    dataset["properties"]["source"]["enum"], dataset["allOf"] = schema_of_sources()
    return schema


def _where(error: jsonschema.ValidationError) -> str:
    return ".".join(str(p) for p in error.absolute_path) or "(top level)"


def _is_integer(checker, instance) -> bool:
    # JSON Schema counts 1.0 as an integer; a seed of 1.0 would become "s1.0" in a path.
    return isinstance(instance, int) and not isinstance(instance, bool)


def _is_finite_number(checker, instance) -> bool:
    # NaN passes every minimum/maximum comparison; neither NaN nor inf is a usable setting.
    return (
        isinstance(instance, int | float)
        and not isinstance(instance, bool)
        and math.isfinite(instance)
    )


def _validator(schema: dict) -> jsonschema.protocols.Validator:
    base = jsonschema.validators.validator_for(schema)
    types = base.TYPE_CHECKER.redefine_many({"integer": _is_integer, "number": _is_finite_number})
    return jsonschema.validators.extend(base, type_checker=types)(schema)


# PyYAML, which Snakemake uses, reads YAML 1.1: a number with an exponent needs a dot in
# the mantissa and a sign in the exponent (1.0e-3, 1.0e+3); `1e-3` or `1.5e3` is text.
_EXPONENT_TEXT = re.compile(r"([-+]?)([0-9]*)\.?([0-9]*)[eE]([-+]?)([0-9]+)")


def yaml11_number(text: str, integer: bool = False) -> str | None:
    """How to write `text` (a number YAML 1.1 read as a string) so that it reads as a
    number, or None when it is not such a number."""
    match = _EXPONENT_TEXT.fullmatch(text.strip())
    if not match or not (match[2] or match[3]):
        return None
    if integer and float(text).is_integer():
        return str(int(float(text)))
    sign, whole, fraction, exponent_sign, exponent = match.groups()
    return f"{sign}{whole or '0'}.{fraction or '0'}e{exponent_sign or '+'}{exponent}"


def _message(error: jsonschema.ValidationError) -> str:
    instance = error.instance
    if error.validator == "type" and isinstance(instance, str):
        fixed = yaml11_number(instance, integer="integer" in str(error.validator_value))
        if fixed is not None:
            return (
                f"{instance!r} is text, not a number: YAML 1.1 (PyYAML, which Snakemake "
                f"uses) reads an exponent only after a dot and with a sign; write {fixed}"
            )
    if error.validator == "uniqueItems" and isinstance(instance, list):
        repeated = [item for i, item in enumerate(instance) if item in instance[:i]]
        return (
            f"{instance} lists {repeated[0]!r} more than once; each item is one run or "
            f"setting, so a repeat would only repeat rows: remove it"
        )
    if error.validator == "type" and isinstance(instance, float):
        if not math.isfinite(instance):
            return f"{instance} is not allowed: use a finite number"
        if instance.is_integer() and "integer" in str(error.validator_value):
            return f"{instance} is not an integer: write {int(instance)}"
    return error.message


def check_unique_keys(path: str | Path) -> None:
    """Raise ConfigError when a config file writes one key twice in a mapping: YAML (and
    Snakemake's loader) would keep the last block silently."""
    try:
        root = yaml.compose(Path(path).read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError):
        return  # Snakemake itself reports a missing or unparsable config file
    pending = [(root, "")]
    while pending:
        node, where = pending.pop()
        if isinstance(node, yaml.SequenceNode):
            pending += [
                (item, f"{where}.{i}" if where else str(i)) for i, item in enumerate(node.value)
            ]
        if not isinstance(node, yaml.MappingNode):
            continue
        lines: dict[str, int] = {}
        for key, value in node.value:
            name = str(key.value) if isinstance(key, yaml.ScalarNode) else None
            if name is None or key.tag == "tag:yaml.org,2002:merge":
                continue
            key_path = f"{where}.{name}" if where else name
            if name in lines:
                raise ConfigError(
                    f"{path}, line {key.start_mark.line + 1}: '{key_path}' is written twice "
                    f"(first on line {lines[name]}); YAML would keep only the last one, so "
                    f"merge the two or rename one"
                )
            lines[name] = key.start_mark.line + 1
            pending.append((value, key_path))


def validate_schema(config: dict[str, Any]) -> None:
    """Raise ConfigError naming the key, the problem and the allowed values."""
    schema = load_schema()
    errors = sorted(_validator(schema).iter_errors(config), key=lambda e: list(e.absolute_path))
    lines = []
    for error in errors:
        if error.validator == "unevaluatedProperties" and _is_dataset_entry(error):
            # A source's options are evaluated only where its branch of the schema holds:
            # one option out of bounds (or an unknown source) makes jsonschema report every
            # option as unexpected. Name only the keys that are unknown.
            unknown = _unknown_dataset_keys(error.instance, schema)
            if unknown:
                lines.append(f"  {_where(error)}: {unknown}")
            continue
        lines.append(f"  {_where(error)}: {_message(error)}")
    if lines:
        raise ConfigError("invalid configuration:\n" + "\n".join(lines))


def _is_dataset_entry(error: jsonschema.ValidationError) -> bool:
    path = list(error.absolute_path)
    return len(path) == 2 and path[0] == "datasets" and isinstance(error.instance, dict)


def _unknown_dataset_keys(spec: dict[str, Any], schema: dict) -> str | None:
    """What to say of a dataset entry's keys that neither every entry nor its source
    takes, or None when there are none (or its source is unknown: reported already)."""
    source = spec.get("source")
    if not isinstance(source, str) or source not in SOURCES:
        return None
    facts = source_facts(source)
    known = set(schema["$defs"]["dataset"]["properties"]) | set(facts.options)
    unknown = [key for key in spec if key not in known]
    if not unknown:
        return None
    return (
        f"unknown key(s) {', '.join(repr(key) for key in unknown)} for source "
        f"{facts.name!r}; the keys it takes: {', '.join(sorted(known))}"
    )


def check_config(config: dict[str, Any]) -> None:
    """Schema validation plus the cross-references between sections."""
    validate_schema(config)
    _check_path_values(config)
    datasets = config["datasets"]
    for name, spec in datasets.items():
        if spec["source"] == "composite":
            base = spec["base"]
            if base not in datasets:
                raise ConfigError(
                    f"datasets.{name}.base: {base!r} is not a configured dataset; choose one of {sorted(datasets)}"
                )
            if datasets[base]["source"] == "composite":
                raise ConfigError(
                    f"datasets.{name}.base: {base!r} is itself composite; use a plain dataset as base"
                )
        source = source_facts(spec["source"])
        if spec.get("closed_form_shape") == NATIVE and source.needs_shape:
            raise ConfigError(
                f"datasets.{name}.closed_form_shape: source {spec['source']!r} has no native shape "
                "(its images vary in size or are built at 'shape'); remove the key"
            )
        if source.needs_shape and not spec.get("shape"):
            raise ConfigError(
                f"datasets.{name}.shape: source {spec['source']!r} {source.native_shape.why}; set shape: [H, W, C]"
            )
    for section in ("subspace", "autoencoders"):
        unknown = [d for d in config[section]["datasets"] if d not in datasets]
        if unknown:
            raise ConfigError(
                f"{section}.datasets: {unknown} are not configured datasets (configured: {sorted(datasets)})"
            )
    _check_autoencoder_sizes(config)
    _check_theorem1_sizes(config)
    _check_noises_fit_images(config)
    defined = sorted(config["preprocessings"])
    references = {"spectrum.preprocessings": config["spectrum"]["preprocessings"]}
    references.update(
        {
            f"{section}.preprocessing": [config[section]["preprocessing"]]
            for section in (
                "alignment",
                "theorem1",
                "denoising",
                "gallery",
                "subspace",
                "autoencoders",
            )
        }
    )
    for key, names in references.items():
        unknown = [p for p in names if p not in config["preprocessings"]]
        if unknown:
            raise ConfigError(
                f"{key}: {unknown} not defined under 'preprocessings' (defined: {defined})"
            )


def _check_autoencoder_sizes(config: dict[str, Any]) -> None:
    """Latent sizes and band edges against D, for datasets whose shape the config fixes
    (for native shapes the training job checks the same at start)."""
    section = config["autoencoders"]
    edges = section["dynamics"]["band_edges"]
    if any(b <= a for a, b in zip(edges, edges[1:])):
        raise ConfigError(f"autoencoders.dynamics.band_edges must increase strictly, got {edges}")
    for name in section["datasets"]:
        shape = config["datasets"][name].get("shape")
        if not shape:
            continue
        dim = shape[0] * shape[1] * shape[2]
        latents = [section["dynamics"]["latent"], *section["guidance"]["latents"]]
        if max(latents) > dim:
            raise ConfigError(
                f"autoencoders: latent size {max(latents)} is larger than D = {dim} of dataset {name!r}"
            )
        if edges[-1] > dim:
            raise ConfigError(
                f"autoencoders.dynamics.band_edges: {edges[-1]} is beyond D = {dim} of dataset {name!r}"
            )


def _check_theorem1_sizes(config: dict[str, Any]) -> None:
    """Theorem 1's latent sizes against the rank they need: D of each dataset whose shape
    the config fixes (the interpolation job checks the rank of Σ itself), and, for Adam's
    random data, min(dimension, samples)."""
    adam = config["theorem1"]["adam"]
    rank = min(*adam["dimensions"], adam["samples"])
    if max(adam["latent_sizes"]) > rank:
        raise ConfigError(
            f"theorem1.adam.latent_sizes: {max(adam['latent_sizes'])} is larger than the rank "
            f"{rank} of the random data (the smallest of theorem1.adam.dimensions and "
            f"samples); use latent sizes up to {rank}"
        )
    latents = config["theorem1"]["interpolation"]["latent_sizes"]
    for name, spec in config["datasets"].items():
        shape = closed_form_shape(spec)
        if shape and max(latents) > shape[0] * shape[1] * shape[2]:
            dim = shape[0] * shape[1] * shape[2]
            raise ConfigError(
                f"theorem1.interpolation.latent_sizes: {max(latents)} is larger than D = {dim} "
                f"of dataset {name!r}; use latent sizes up to {dim}"
            )


def _check_path_values(config: dict[str, Any]) -> None:
    """Every value that becomes part of a file name matches its wildcard's pattern and
    reads back as the same number (no '1e-07', no six-digit rounding)."""
    values = {
        "fraction": [
            *[("subspace.fractions", f) for f in config["subspace"]["fractions"]],
            *[(f"subspace.headline.{k}", v) for k, v in config["subspace"]["headline"].items()],
        ],
        "weight": [
            ("autoencoders.guidance.weights", w)
            for w in config["autoencoders"]["guidance"]["weights"]
        ],
    }
    for wildcard, entries in values.items():
        for key, value in entries:
            text = path_number(value)
            if not re.fullmatch(WILDCARD_PATTERNS[wildcard], text) or float(text) != value:
                raise ConfigError(
                    f"{key}: {value!r} cannot be written in a file name (it would read "
                    f"{text!r}); use a plain decimal between 0.0001 and 999999 with at most "
                    f"6 significant digits"
                )
    for name in expand_noise_grid(config["denoising"]["noises"]):
        if not re.fullmatch(WILDCARD_PATTERNS["noise"], name):
            raise ConfigError(
                f"denoising.noises: the setting {name!r} cannot be a file name; use ratios, "
                f"sigmas and lengths between 0.0001 and 999999 with at most 6 significant digits"
            )


def _check_noises_fit_images(config: dict[str, Any]) -> None:
    """Each noise setting against each dataset whose closed-form image shape is known
    before its data is read (other datasets are checked by the denoising job)."""
    noises = expand_noise_grid(config["denoising"]["noises"])
    for dataset, spec in config["datasets"].items():
        shape = closed_form_shape(spec)
        if not shape:
            continue
        for name, noise in noises.items():
            try:
                noise.check(ImageGeometry(*shape))
            except ConfigError as error:
                raise ConfigError(
                    f"denoising.noises: {name} does not fit dataset {dataset!r} "
                    f"({shape[0]}x{shape[1]}x{shape[2]} images): {error}"
                ) from None


# What a fresh clone or checkout should run: every trigger but the scripts' mtimes, which
# a checkout renews (the stage versions, a param, stand for the code).
CHECKOUT_TRIGGERS = "mtime params input software-env"


def command_line_rerun_triggers(argv: list[str]) -> set[str] | None:
    """The `--rerun-triggers` given on Snakemake's command line (None: not given). Read
    from the command line because the workflow is parsed before Snakemake hands it its
    DAG settings; a profile's `rerun-triggers` is not seen. Abbreviations count, as they do
    for Snakemake (`--rerun-trig mtime` is `--rerun-triggers mtime`)."""
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=True)
    parser.add_argument("--rerun-triggers", nargs="+")
    known, _ = parser.parse_known_args(argv)
    return None if known.rerun_triggers is None else set(known.rerun_triggers)


def check_rerun_triggers(triggers: set[str]) -> None:
    """Refuse `--rerun-triggers` without `params`: config changes and the stage versions
    (lbr.STAGE_VERSIONS) reach the jobs only as params, so results would silently stop
    matching the config."""
    if "params" not in {trigger.lower() for trigger in triggers}:
        raise ConfigError(
            f"--rerun-triggers {' '.join(sorted(triggers))} leaves out 'params': changes to "
            f"the config and to the code's stage versions would rerun nothing, and the "
            f"results would no longer match the config. To skip only the reruns that new "
            f"script modification times cause (a fresh clone or a git checkout), use "
            f"--rerun-triggers {CHECKOUT_TRIGGERS}"
        )


def planned_device(name: str) -> str:
    """The device the jobs of this machine will use: 'cpu' or 'cuda'.

    Resolved once when the config is read, so `device: cuda` without a GPU stops the
    run before Snakemake plans (and deletes the outputs of) any job, and `auto` enters
    the rerun contract as the device it resolves to, not as the word.
    """
    if name == "cpu":
        return "cpu"  # a cpu config never pays for importing torch at parse time
    from .device import resolve_device

    return resolve_device(name).type
