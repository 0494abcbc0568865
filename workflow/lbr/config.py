"""Checks of the configuration that a JSON schema cannot express, and its validation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .errors import ConfigError

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "config.schema.yaml"
# Sources whose images vary in size: they need an explicit shape. Kept here, not read from
# the registry, so validation does not import torchvision; tests/test_config.py checks that
# it names exactly the sources whose registry entry says needs_shape.
NEEDS_SHAPE = (
    "imagenette",
    "imagenette_320",
    "imagenette_160",
    "image_folder",
    "photo_patches",
    "garments_on_photos",
)


def load_schema() -> dict:
    return yaml.safe_load(SCHEMA_PATH.read_text())


def _where(error: jsonschema.ValidationError) -> str:
    return ".".join(str(p) for p in error.absolute_path) or "(top level)"


def validate_schema(config: dict[str, Any]) -> None:
    """Raise ConfigError naming the key, the problem and the allowed values."""
    validator_class = jsonschema.validators.validator_for(load_schema())
    errors = sorted(
        validator_class(load_schema()).iter_errors(config), key=lambda e: list(e.absolute_path)
    )
    if errors:
        lines = [f"  {_where(e)}: {e.message}" for e in errors]
        raise ConfigError("invalid configuration:\n" + "\n".join(lines))


def check_config(config: dict[str, Any]) -> None:
    """Schema validation plus the cross-references between sections."""
    validate_schema(config)
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
        if spec["source"] in NEEDS_SHAPE and not spec.get("shape"):
            raise ConfigError(
                f"datasets.{name}.shape: source {spec['source']!r} has images of varying size; set shape: [H, W, C]"
            )
    for section in ("subspace", "autoencoders"):
        unknown = [d for d in config[section]["datasets"] if d not in datasets]
        if unknown:
            raise ConfigError(
                f"{section}.datasets: {unknown} are not configured datasets (configured: {sorted(datasets)})"
            )
    _check_autoencoder_sizes(config)
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
