"""Numbers quoted from the paper, each written once (figures and the report format them)."""

from __future__ import annotations

# Abstract and Fig. 1 (top): ResNet9 on TinyImageNet images projected on a variance subspace.
HEADLINE = {
    "dataset": "TinyImageNet",
    "top_fraction": 0.9,
    "top_accuracy": 0.45,
    "bottom_fraction": 0.2,
    "bottom_accuracy": 0.55,
}


def headline_text() -> str:
    h = HEADLINE
    return (
        f"{h['dataset']}: top {100 * h['top_fraction']:.0f}% of variance → "
        f"{100 * h['top_accuracy']:.0f}%, bottom {100 * h['bottom_fraction']:.0f}% → "
        f"{100 * h['bottom_accuracy']:.0f}% test accuracy"
    )
