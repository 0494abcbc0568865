"""Every dataset source and what is known about it before its data is read: the one
place to add a source (docs/data.md, "Adding a source").

Light (no torch, no image decoding): the Snakefile reads it at start-up. Derived from it:
the config schema's `source` values and each source's options (lbr.config.load_schema),
which sources need a configured `shape` (Source.needs_shape), the image size and training-set
size behind each job's resource request (closed_form_shape, training_images), the
downloads with their files and split sizes (lbr.data.remote.REMOTE_SOURCES), and the
loader that builds each dataset (lbr.data.registry). An entry that lacks a fact stops
the import with the source and the fact named.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from ..errors import ConfigError
from .source_files import DEBIAN_FASHION_MNIST, DEFAULT_SPLITS
from .views import stored_shape

CATALOG_FILE = "workflow/lbr/data/catalog.py"
Shape = tuple[int, int, int]


class CatalogError(Exception):
    """An entry of the catalog is incomplete or names something that does not exist."""


@dataclass(frozen=True)
class UnfixedShape:
    """A source whose images have no one shape known before its data is read."""

    needs_shape: bool  # so its config entry must set `shape`
    why: str  # completes "source 'x' ..." in the config check's messages


VARIES = UnfixedShape(True, "has images of varying size")
BUILT_AT_SHAPE = UnfixedShape(True, "builds its images at 'shape'")
FROM_THE_FILES = UnfixedShape(False, "has the shape of the files it reads")


def only_the_data_tells(spec: dict[str, Any], datasets: dict[str, dict[str, Any]]) -> None:
    """training_images of a source whose training-set size only its files tell."""
    return None


@dataclass(frozen=True)
class FromTorchvision:
    """The files' URLs and md5s are read from this torchvision dataset class, their
    maintained record (`archive`: which one, for a class that offers several)."""

    dataset_class: str
    archive: str | None = None


@dataclass(frozen=True)
class Hosted:
    """One file of a download that torchvision does not know: its URL and md5."""

    url: str
    md5: str


_REQUIRED: Any = object()


def _required(about: str) -> Any:
    """A fact every entry must give; `about` says what it is when one lacks it."""
    return field(default=_REQUIRED, metadata={"about": about})


@dataclass(frozen=True, kw_only=True)
class Source:
    """The facts every source has."""

    name: str
    native_shape: Shape | UnfixedShape = _required(
        "its images' (H, W, C), or VARIES, BUILT_AT_SHAPE or FROM_THE_FILES"
    )
    # The keys its config entry may set besides source, shape, closed_form_shape and
    # subset, each with its JSON schema (and 'default' where the loader has one).
    options: Mapping[str, dict] = field(default_factory=dict)
    required_options: tuple[str, ...] = ()  # the options an entry must set
    # Its loader applies `subset` itself, before costly work on images it would drop.
    applies_subset: bool = False

    def __post_init__(self) -> None:
        missing = [f for f in fields(self) if getattr(self, f.name) is _REQUIRED]
        if missing:
            lacking = "; ".join(f"{f.name} ({f.metadata['about']})" for f in missing)
            raise CatalogError(f"dataset source {self.name!r} in {CATALOG_FILE} lacks {lacking}")
        shape = self.native_shape
        if not isinstance(shape, UnfixedShape) and not (
            isinstance(shape, tuple) and len(shape) == 3 and shape[2] in (1, 3)
        ):
            raise CatalogError(
                f"dataset source {self.name!r} in {CATALOG_FILE}: native_shape {shape!r} is "
                f"neither (H, W, C) with C 1 or 3 nor VARIES, BUILT_AT_SHAPE or FROM_THE_FILES"
            )
        unknown = [key for key in self.required_options if key not in self.options]
        if unknown:
            raise CatalogError(
                f"dataset source {self.name!r} in {CATALOG_FILE}: required_options {unknown} "
                f"are not among its options; add them to options"
            )

    @property
    def needs_shape(self) -> bool:
        """Whether its config entry must set `shape` (and cannot use a native one)."""
        return isinstance(self.native_shape, UnfixedShape) and self.native_shape.needs_shape


@dataclass(frozen=True, kw_only=True)
class Local(Source):
    """A source that needs no download: the user's files or data shipped with a package."""

    loader: str = _required(
        "'module:function' taking (config entry, base dataset's directory or None) and "
        "returning an ImageDataset"
    )
    training_images: Callable[[dict, dict], int | None] = _required(
        "a function (config entry, every configured dataset) -> the number of training "
        "images, or only_the_data_tells; resource requests are sized from it"
    )


@dataclass(frozen=True, kw_only=True)
class Downloaded(Source):
    """A source whose raw files are downloaded from their official hosts."""

    format: str = _required(
        "'module:function' taking these facts and returning the RemoteSource (files and "
        "reader) of its file format"
    )
    files: FromTorchvision | tuple[Hosted, ...] = _required(
        "FromTorchvision(class name) or the Hosted(url, md5) of each file"
    )
    split_sizes: Mapping[str, int] = _required("its documented train and test sizes")
    reader_options: Mapping[str, Any] = field(default_factory=dict)  # e.g. CIFAR's label key

    def __post_init__(self) -> None:
        super().__post_init__()
        missing = [split for split in ("train", "test") if split not in self.split_sizes]
        if missing:
            raise CatalogError(
                f"dataset source {self.name!r} in {CATALOG_FILE} lacks split_sizes of "
                f"{', '.join(missing)}"
            )

    def training_images(self, spec: dict[str, Any], datasets: dict[str, dict]) -> int:
        return self.split_sizes["train"]


def option(spec: dict[str, Any], key: str) -> Any:
    """A config entry's value of one of its source's options, or the option's default."""
    if key in spec:
        return spec[key]
    facts = source_facts(spec["source"])
    if "default" not in facts.options.get(key, {}):
        raise CatalogError(
            f"dataset source {facts.name!r} in {CATALOG_FILE}: its loader reads option "
            f"{key!r}, which has no default there; give it one or list it in required_options"
        )
    return facts.options[key]["default"]


# --- the sources ----------------------------------------------------------------------

MNIST_SIZES = {"train": 60000, "test": 10000}
CIFAR_SIZES = {"train": 50000, "test": 10000}
IMAGENETTE_SIZES = {"train": 9469, "test": 3925}
DIGITS_IMAGES = 1797  # scikit-learn's load_digits

SEED = {"type": "integer", "minimum": 0, "default": 0}
FRACTION = {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}


def _photo_regions(min_std: float) -> dict[str, dict]:
    """Options of the sources cut from the shipped photographs (lbr.data.photos)."""
    return {
        "photos": {
            "description": "names of photographs shipped in scikit-image's wheel "
            "(lbr.data.photos.SHIPPED_PHOTOS)",
            "type": "array",
            "minItems": 2,
            "uniqueItems": True,
            "items": {"type": "string"},
        },
        "crop": {
            "type": "integer",
            "minimum": 4,
            "default": 32,
            "description": "side of a crop in photo pixels (resized to shape)",
        },
        "block": {
            "type": "integer",
            "minimum": 4,
            "default": 64,
            "description": "side of the blocks assigned to train or test; a crop lies inside one",
        },
        "test_fraction": {
            **FRACTION,
            "default": 0.25,
            "description": "share of each photo's blocks held out for test",
        },
        "min_std": {
            "type": "number",
            "minimum": 0,
            "default": min_std,
            "description": "crops whose pixel std (0..255) is below this are redrawn",
        },
        "seed": SEED,
    }


def _digits_training_images(spec: dict[str, Any], datasets: dict) -> int:
    return DIGITS_IMAGES - math.ceil(DIGITS_IMAGES * option(spec, "test_fraction"))


def _composite_training_images(spec: dict[str, Any], datasets: dict) -> int | None:
    base = training_images(spec["base"], datasets)
    return None if base is None else base * option(spec, "crops_per_image")


def _photo_patches_training_images(spec: dict[str, Any], datasets: dict) -> int:
    return option(spec, "train_per_photo") * len(spec["photos"])


def _garments_training_images(spec: dict[str, Any], datasets: dict) -> int:
    return MNIST_SIZES["train"]  # one blend per Fashion-MNIST training garment


def _mnist_family(name: str, dataset_class: str) -> Downloaded:
    return Downloaded(
        name=name,
        format="lbr.data.remote:mnist_format",
        files=FromTorchvision(dataset_class),
        native_shape=(28, 28, 1),
        split_sizes=MNIST_SIZES,
    )


def _cifar(name: str, dataset_class: str, label_key: str) -> Downloaded:
    return Downloaded(
        name=name,
        format="lbr.data.remote:cifar_format",
        files=FromTorchvision(dataset_class),
        reader_options={"label_key": label_key},
        native_shape=(32, 32, 3),
        split_sizes=CIFAR_SIZES,
    )


def _imagenette(name: str, archive: str) -> Downloaded:
    return Downloaded(
        name=name,
        format="lbr.data.remote:imagenette_format",
        files=FromTorchvision("Imagenette", archive),
        native_shape=VARIES,
        split_sizes=IMAGENETTE_SIZES,
    )


def _entries() -> tuple[Source, ...]:
    """Every source, built by a call (not at import only), so the tests can build the
    catalog afresh and see what its factories make now."""
    return (
        _mnist_family("mnist", "MNIST"),
        _mnist_family("fashion_mnist", "FashionMNIST"),
        _mnist_family("kmnist", "KMNIST"),
        _cifar("cifar10", "CIFAR10", "labels"),
        _cifar("cifar100", "CIFAR100", "fine_labels"),
        Downloaded(
            name="svhn",
            format="lbr.data.remote:svhn_format",
            files=FromTorchvision("SVHN"),
            native_shape=(32, 32, 3),
            split_sizes={"train": 73257, "test": 26032},
        ),
        Downloaded(
            name="stl10",
            format="lbr.data.remote:stl10_format",
            files=FromTorchvision("STL10"),
            native_shape=(96, 96, 3),
            split_sizes={"train": 5000, "test": 8000},
        ),
        _imagenette("imagenette", "full"),
        _imagenette("imagenette_320", "320px"),
        _imagenette("imagenette_160", "160px"),
        Downloaded(
            name="tinyimagenet",
            format="lbr.data.remote:tinyimagenet_format",
            files=(
                Hosted(
                    "http://cs231n.stanford.edu/tiny-imagenet-200.zip",
                    "90528d7ca1a48142e341f4ef8d21d0de",
                ),
            ),
            native_shape=(64, 64, 3),
            split_sizes={"train": 100000, "test": 10000},
        ),
        Local(
            name="digits",
            loader="lbr.data.loaders:digits",
            native_shape=(8, 8, 1),
            options={"test_fraction": {**FRACTION, "default": 0.2}, "seed": SEED},
            training_images=_digits_training_images,
        ),
        Local(
            name="composite",
            loader="lbr.data.loaders:composite",
            native_shape=BUILT_AT_SHAPE,
            options={
                "base": {
                    "type": "string",
                    "description": "name of another configured dataset whose strokes are used",
                },
                "crops_per_image": {"type": "integer", "minimum": 1, "default": 2},
                "min_crop": {"type": "integer", "minimum": 8, "default": 64},
                "seed": SEED,
            },
            required_options=("base",),
            training_images=_composite_training_images,
        ),
        Local(
            name="idx_directory",
            loader="lbr.data.loaders:idx_directory",
            native_shape=FROM_THE_FILES,
            options={
                "path": {"type": "string"},
                "class_names": {"type": "array", "items": {"type": "string"}},
            },
            required_options=("path",),
            training_images=only_the_data_tells,
        ),
        Local(
            name="image_folder",
            loader="lbr.data.loaders:image_folder",
            native_shape=VARIES,
            options={
                "path": {"type": "string"},
                "splits": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["train", "test"],
                    "properties": {"train": {"type": "string"}, "test": {"type": "string"}},
                    "default": DEFAULT_SPLITS,
                },
            },
            required_options=("path",),
            training_images=only_the_data_tells,
        ),
        Local(
            name="photo_patches",
            loader="lbr.data.loaders:photo_patches",
            native_shape=BUILT_AT_SHAPE,
            options={
                **_photo_regions(min_std=8.0),
                "train_per_photo": {"type": "integer", "minimum": 1, "default": 500},
                "test_per_photo": {"type": "integer", "minimum": 1, "default": 100},
                "target_std": {
                    "type": "number",
                    "minimum": 0,
                    "default": 48.0,
                    "description": "each crop's std after removing its mean colour (0 keeps raw pixels)",
                },
            },
            required_options=("photos",),
            training_images=_photo_patches_training_images,
        ),
        Local(
            name="garments_on_photos",
            loader="lbr.data.loaders:garments_on_photos",
            native_shape=BUILT_AT_SHAPE,
            options={
                **_photo_regions(min_std=0.0),
                "path": {
                    "type": "string",
                    "default": DEBIAN_FASHION_MNIST,
                    "description": "Fashion-MNIST IDX directory (default the Debian package's)",
                },
            },
            required_options=("photos",),
            training_images=_garments_training_images,
            applies_subset=True,  # blends only the garments it keeps
        ),
    )


SOURCES: dict[str, Source] = {entry.name: entry for entry in _entries()}


# --- derived ----------------------------------------------------------------------------


def downloaded_sources() -> dict[str, Downloaded]:
    return {name: facts for name, facts in SOURCES.items() if isinstance(facts, Downloaded)}


# The `download` rule's {source} values (read once, by the rules).
REMOTE_SOURCE_NAMES = tuple(sorted(downloaded_sources()))


def source_facts(source: str) -> Source:
    """A source's catalog entry; ConfigError naming the known sources if there is none."""
    if source not in SOURCES:
        raise ConfigError(f"unknown dataset source {source!r}; known sources: {', '.join(SOURCES)}")
    return SOURCES[source]


def resolve(source: Source, fact: str) -> Callable:
    """The function a 'module:function' fact of a source names (its loader or format)."""
    reference = getattr(source, fact)
    module_name, _, function = reference.partition(":")
    try:
        return getattr(importlib.import_module(module_name), function)
    except (ImportError, AttributeError) as error:
        raise CatalogError(
            f"dataset source {source.name!r} in {CATALOG_FILE}: its {fact} {reference!r} "
            f"cannot be found ({error}); write it as 'module:function'"
        ) from error


def native_shape(source: str) -> Shape | None:
    """A source's fixed image shape, or None where it is not known before the data."""
    shape = source_facts(source).native_shape
    return None if isinstance(shape, UnfixedShape) else shape


def closed_form_shape(spec: dict[str, Any]) -> Shape | None:
    """The image shape the closed-form stages see for a config entry (None: unknown
    until the data is read)."""
    shape = stored_shape(spec)
    return tuple(shape) if shape else native_shape(spec["source"])


def training_images(name: str, datasets: dict[str, dict[str, Any]]) -> int | None:
    """How many training images dataset `name` holds, from its config entry alone
    (None where only the data can tell: a user's own directory)."""
    spec = datasets[name]
    if "subset" in spec and "train" in spec["subset"]:
        return int(spec["subset"]["train"])
    return source_facts(spec["source"]).training_images(spec, datasets)


def schema_of_sources() -> tuple[list[str], list[dict]]:
    """The config schema's `source` values, and one if/then per source with options: its
    options and the ones it requires (lbr.config.load_schema adds both)."""
    branches = []
    for name, facts in SOURCES.items():
        then: dict[str, Any] = {}
        if facts.required_options:
            then["required"] = list(facts.required_options)
        if facts.options:
            then["properties"] = {key: dict(value) for key, value in facts.options.items()}
        if then:
            branches.append({"if": {"properties": {"source": {"const": name}}}, "then": then})
    return list(SOURCES), branches
