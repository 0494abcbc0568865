"""The subspace table: one row per run, each column from its own summary key and the
run's own grid coordinates (every value distinct, so a swapped or shifted column shows)."""

import json

from lbr.train.summary import subspace_summary_table


def _summary(i):
    return {
        "dimensions": 10 + i,
        "variance_fraction": 0.5 + i / 100,
        "final_test_accuracy": 0.31 + i / 100,
        "best_test_accuracy": 0.62 + i / 100,
        "mean_images_per_second": 1000.0 + i,
        "images_per_second": -1.0,  # not a key the table reads
        "device": f"cpu:{i}",
        "final_train_loss": 9.0,
    }


def test_each_row_is_its_own_runs_summary(tmp_path):
    runs = [
        ("digits", "top", "0.25", "aug", "0"),
        ("cifar10", "bottom", "0.5", "noaug", "3"),
        ("digits", "bottom", "0.9", "noaug", "11"),
    ]
    paths = []
    for i, _ in enumerate(runs):
        path = tmp_path / f"run{i}" / "summary.json"
        path.parent.mkdir()
        path.write_text(json.dumps(_summary(i)))
        paths.append(str(path))
    table = subspace_summary_table(paths, runs)
    assert len(table) == 3
    for i, (dataset, side, fraction, augment, seed) in enumerate(runs):
        row = table.iloc[i].to_dict()
        summary = _summary(i)
        assert row == {
            "dataset": dataset,
            "side": side,
            "fraction": float(fraction),
            "augment": augment == "aug",
            "seed": int(seed),
            "dimensions": summary["dimensions"],
            "variance_fraction": summary["variance_fraction"],
            "final_test_accuracy": summary["final_test_accuracy"],
            "best_test_accuracy": summary["best_test_accuracy"],
            "images_per_second": summary["mean_images_per_second"],
            "device": summary["device"],
        }
    assert table["augment"].tolist() == [True, False, False]
    assert table["fraction"].tolist() == [0.25, 0.5, 0.9]
