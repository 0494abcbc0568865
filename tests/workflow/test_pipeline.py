"""The real pipeline through Snakemake's command line: dry run, lint, format, end to end."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from lbr.atomic import load_json
from lbr.data.format import read_dataset
from lbr.spectral.cache import read_spectrum
from support import REPO, TINY


def snakemake(*args, cwd=REPO, check=True):
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), *args]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=900)
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(args)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return result


def test_dry_run_of_default_config(tmp_path):
    result = snakemake(
        "-n",
        "--cores",
        "2",
        "--configfile",
        str(REPO / "config.yaml"),
        "--directory",
        str(tmp_path),
    )
    assert "dataset" in result.stdout and "spectrum" in result.stdout


def test_lint_is_clean():
    result = snakemake("--lint", check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_snakefmt_is_clean():
    files = [
        str(REPO / "Snakefile"),
        *map(str, sorted((REPO / "workflow" / "rules").glob("*.smk"))),
    ]
    result = subprocess.run(
        [sys.executable, "-m", "snakefmt", "--check", *files], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_invalid_config_stops_before_any_job(tmp_path):
    config = yaml.safe_load(TINY.read_text())
    config["datasets"]["digits"]["source"] = "digitz"
    config["spectrum"]["chunk_size"] = -3
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(config))
    result = snakemake(
        "--cores", "1", "--configfile", str(bad), "--directory", str(tmp_path), check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "datasets.digits.source" in output and "'digitz' is not one of" in output
    assert "spectrum.chunk_size" in output
    assert not (tmp_path / "results").exists()


@pytest.mark.slow
def test_end_to_end_outputs(tiny_run):
    results = tiny_run / "results"
    for dataset in ("digits", "digits_photo"):
        meta = load_json(results / "datasets" / dataset / "meta.json")
        assert meta["split_sizes"] == {"train": 898, "test": 899}
        for prep in ("standardized", "per_image"):
            spectrum = read_spectrum(results / "spectrum" / dataset / prep)
            u, lam = spectrum.eigen.eigenvectors, spectrum.eigen.eigenvalues
            np.testing.assert_allclose(
                (u * lam) @ u.T, spectrum.statistics.covariance, atol=1e-9 * lam[0]
            )
            assert spectrum.statistics.class_counts.sum() == 898
            assert (results / "logs" / "spectrum" / f"{dataset}-{prep}.log").exists()
            assert (results / "benchmarks" / "spectrum" / f"{dataset}-{prep}.tsv").exists()
    photo = read_dataset(results / "datasets" / "digits_photo")
    assert photo.train_images.shape == (898, 12, 12, 3)
    # Digits' constant border pixels have zero variance: without jitter Σ is singular
    # and the null space is dropped; with the jitter it is full rank.
    assert read_spectrum(results / "spectrum" / "digits" / "per_image").eigen.dropped > 0
    assert read_spectrum(results / "spectrum" / "digits" / "standardized").eigen.rank == 64


@pytest.mark.slow
def test_closed_form_stages(tiny_run):
    import pandas as pd

    results = tiny_run / "results"
    for dataset in ("digits", "digits_photo"):
        alignment = pd.read_parquet(results / "alignment" / f"{dataset}.parquet")
        assert alignment["alignment_appendix"].is_monotonic_increasing
        assert alignment["alignment_appendix"].iloc[-1] == pytest.approx(1.0)
    screen = pd.read_parquet(results / "denoising" / "screen.parquet")
    assert set(screen["noise"]) == {
        "masking_p2_r0",
        "masking_p2_r0.5",
        "channel_masking_p2_r0.5",
        "gaussian_s1",
        "smooth_gaussian_s1_l2",
    }
    families = dict(zip(screen["noise"], screen["family"]))
    assert (
        families["channel_masking_p2_r0.5"] == "channel_masking"
        and families["masking_p2_r0.5"] == "masking"
    )
    gaussian = screen[screen["family"] == "gaussian"]
    assert (gaussian["max_abs_change_any_k"] < 1e-8).all() and (
        gaussian["max_subspace_shift"] < 1e-8
    ).all()
    masked = screen[screen["noise"] == "masking_p2_r0.5"]
    assert (masked["max_subspace_shift"] > 1e-3).all()
    assert (screen["solver_error_bound"] < 1e-8).all()
    assert (
        not pd.read_parquet(results / "denoising" / "all.parquet")
        .isna()[["alignment", "change"]]
        .any()
        .any()
    )
    adam = pd.read_parquet(results / "theory" / "theorem1_adam.parquet")
    assert (adam["relative_gap"] > -1e-9).all()
    for name in (
        "fig2_alignment",
        "fig7_denoising",
        "denoising_screen",
        "fig8_theorem1",
        "theorem1_interpolation",
        "fig9_gallery_digits",
        "fig9_gallery_digits_photo",
    ):
        for suffix in ("png", "pdf"):
            assert (results / "figures" / f"{name}.{suffix}").stat().st_size > 1000


@pytest.mark.slow
def test_subspace_training_stage(tiny_run):
    import pandas as pd
    import torch

    results = tiny_run / "results"
    table = pd.read_parquet(results / "subspace" / "summary.parquet")
    # 2 datasets × (top, bottom at 0.5 + the headline top 0.9 and bottom 0.2), augmented.
    assert len(table) == 8 and table["augment"].all()
    assert table["final_test_accuracy"].between(0, 1).all()
    run = results / "subspace" / "digits" / "bottom-0.5-aug-s0"
    summary = load_json(run / "summary.json")
    assert summary["variance_fraction"] >= 0.5 and summary["dimensions"] < 64
    metrics = pd.read_parquet(run / "metrics.parquet")
    assert list(metrics["epoch"]) == [1, 2] and (metrics["images_per_second"] > 0).all()
    state = torch.load(run / "weights.pt", weights_only=True)
    assert "classifier.weight" in state
    for name in ("fig4_subspace", "fig1_headline", "r1_prediction"):
        assert (results / "figures" / f"{name}.png").stat().st_size > 1000


@pytest.mark.slow
def test_autoencoder_stages(tiny_run):
    import numpy as np
    import pandas as pd

    results = tiny_run / "results"
    directions = pd.read_parquet(results / "dynamics" / "directions.parquet")
    assert directions["step"].min() == 0 and (directions["energy"] > 0).all()
    assert np.isfinite(directions["error"]).all()
    bands = pd.read_parquet(results / "dynamics" / "bands.parquet")
    assert set(bands["band"]) == {0, 1, 2} and np.isfinite(bands["relative_error"]).all()
    summary = pd.read_parquet(results / "dynamics" / "summary.parquet")
    assert len(summary) == 1 and summary["directions_left_out"].iloc[0] > 0  # digits' border
    pairs = pd.read_parquet(results / "guidance" / "pairs.parquet")
    assert len(pairs) == 1 and pairs["linear_probe_accuracy"].between(0, 1).all()
    curves = pd.read_parquet(results / "guidance" / "curves.parquet")
    assert sorted(curves["epoch"].unique()) == [1, 2] and len(curves) == 4
    for name in ("fig3_dynamics", "fig5_guidance", "fig6_reconstructions"):
        assert (results / "figures" / f"{name}.png").stat().st_size > 1000


@pytest.mark.slow
def test_reproduction_report(tiny_run):
    import pandas as pd

    text = (tiny_run / "results" / "report.md").read_text()
    assert text.startswith("# Reproduction report")
    table = pd.read_parquet(tiny_run / "results" / "reproduction.parquet")
    corollary = table[table["claim"].str.startswith("Corollary 3.1")]
    assert corollary["verdict"].tolist() == ["holds"]
    assert {"R1", "R2", "R3"} <= {claim.split(":")[0].split(" ")[0] for claim in table["claim"]}
    # R1 is judged per trained dataset against the prediction from its alignment, with
    # the interval that decides it (one seed: the paired bootstrap over the 899 test images).
    r1 = table[table["claim"].str.startswith("R1 on ")]
    assert len(r1) == 2 and r1["this run"].str.contains("predicts").all()
    assert r1["this run"].str.contains("paired bootstrap over 899 test images").all()
    assert set(table["verdict"]) <= {"holds", "does not hold", "inconclusive", "n/a"}
    assert "## R1 per dataset" in text and "| digits_photo |" in text
    # The rank relation needs three trained datasets; the tiny run has two.
    rank = table[table["claim"].str.startswith("R1: the less aligned")]
    assert rank["verdict"].tolist() == ["inconclusive"]
    assert (
        rank["this run"].str.endswith("2 trained datasets: a rank relation needs at least 3").all()
    )
    assert "## R3 per pair" in text and "## Convergence: runs still rising" in text


@pytest.mark.slow
def test_snakemake_report_holds_figures_and_reproduction_table(tiny_run):
    report = tiny_run / "report.html"
    snakemake(
        "--cores",
        "1",
        "--configfile",
        str(TINY),
        "--directory",
        str(tiny_run),
        "--report",
        str(report),
    )
    html = report.read_text(errors="replace")
    # A real self-contained HTML page (pygments renders its code listings), not an error.
    assert html.lstrip().lower().startswith("<!doctype html") and "</html>" in html.lower()
    assert report.stat().st_size > 50_000
    for text in ("Reproduction", "fig7_denoising.png", "fig4_subspace.png", "Corollary 3.1"):
        assert text in html


@pytest.mark.slow
def test_archive_of_the_run_verifies(tiny_run):
    from lbr.archive import verify_archive

    snakemake(
        "--cores",
        "1",
        "--configfile",
        str(TINY),
        "--directory",
        str(tiny_run),
        "results/archive/run.tar.gz",
    )
    archive = tiny_run / "results" / "archive" / "run.tar.gz"
    assert verify_archive(archive) == []
    result = subprocess.run(
        [sys.executable, "-m", "lbr.archive", "verify", str(archive)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and "archive OK" in result.stdout


def _planned_jobs(workdir, config_path, *extra) -> dict[str, int]:
    """{rule: job count} that a dry run would execute."""
    result = snakemake(
        "-n", "--cores", "2", "--configfile", str(config_path), "--directory", str(workdir), *extra
    )
    text = result.stdout + result.stderr
    if "Nothing to be done" in text:
        return {}
    table = text.split("Job stats:")[1].split("total")[0].splitlines()[3:]
    return {line.split()[0]: int(line.split()[1]) for line in table if line.strip()}


def _changed_config(tmp_path, change) -> str:
    config = yaml.safe_load(TINY.read_text())
    change(config)
    path = tmp_path / "changed.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.mark.slow
def test_changing_a_training_setting_reruns_training_only(tiny_run, tmp_path):
    path = _changed_config(tmp_path, lambda c: c["subspace"]["training"].update(epochs=3))
    jobs = _planned_jobs(tiny_run, path)
    assert jobs.get("subspace_train") == 8 and "dataset" not in jobs and "spectrum" not in jobs
    assert set(jobs) <= {
        "subspace_train",
        "subspace_table",
        "figure_subspace",
        "r1_verdicts",  # R1 is judged from the training outcome
        "figure_r1_prediction",
        "reproduction_report",
        "all",
    }


@pytest.mark.slow
def test_adding_a_noise_ratio_runs_only_the_new_jobs(tiny_run, tmp_path):
    path = _changed_config(
        tmp_path, lambda c: c["denoising"]["noises"]["masking"]["ratios"].append(0.75)
    )
    jobs = _planned_jobs(tiny_run, path)
    assert jobs.get("denoising") == 2  # one new setting × two datasets
    assert set(jobs) <= {
        "denoising",
        "denoising_table",
        "figure_denoising",
        "reproduction_report",
        "all",
    }


@pytest.mark.slow
def test_changing_a_datasets_preprocessing_reruns_that_dataset_only(tiny_run, tmp_path):
    path = _changed_config(tmp_path, lambda c: c["datasets"]["digits_photo"].update(min_crop=40))
    jobs = _planned_jobs(tiny_run, path)
    assert (
        jobs.get("dataset") == 1 and jobs.get("spectrum") == 2
    )  # digits_photo only, both preprocessings
    assert jobs.get("subspace_train") == 4  # the 4 digits_photo runs, none of digits'


@pytest.mark.slow
def test_native_closed_forms_and_training_shape_from_one_decode(tmp_path):
    """closed_form_shape: native: the closed forms see 8×8×1 digits, training 12×12×1,
    from one `dataset` job; the training copy is derived, not decoded again."""
    path = _changed_config(
        tmp_path,
        lambda c: c["datasets"]["digits"].update(shape=[12, 12, 1], closed_form_shape="native"),
    )
    run = "results/subspace/digits/top-0.5-aug-s0/summary.json"
    jobs = _planned_jobs(tmp_path, path, run, "results/alignment/digits.parquet")
    assert jobs["dataset"] == 1 and jobs["dataset_training_view"] == 1
    assert jobs["spectrum"] == 2  # digits/standardized (alignment), digits.training/per_image
    snakemake(
        "--cores",
        "2",
        "--configfile",
        str(path),
        "--directory",
        str(tmp_path),
        run,
        "results/alignment/digits.parquet",
    )
    import pandas as pd

    results = tmp_path / "results"
    assert read_dataset(results / "datasets/digits").train_images.shape[1:] == (8, 8, 1)
    assert read_dataset(results / "datasets/digits.training").train_images.shape[1:] == (12, 12, 1)
    assert pd.read_parquet(results / "alignment/digits.parquet")["dimension"].iloc[0] == 64
    training = read_spectrum(results / "spectrum/digits.training/per_image")
    assert training.summary["dimension"] == 144
    assert load_json(tmp_path / run)["dimensions"] > 0


@pytest.mark.slow
def test_reordering_config_keys_runs_nothing(tiny_run, tmp_path):
    def reversed_keys(value):
        return (
            {k: reversed_keys(value[k]) for k in reversed(value)}
            if isinstance(value, dict)
            else value
        )

    path = tmp_path / "reordered.yaml"
    path.write_text(
        yaml.safe_dump(reversed_keys(yaml.safe_load(TINY.read_text())), sort_keys=False)
    )
    assert _planned_jobs(tiny_run, path) == {}


KILLED_RUN = "results/subspace/digits/top-0.5-aug-s0"


def _run_until_killed(workdir, config_path, log: Path, marker: str) -> None:
    """Start the pipeline towards KILLED_RUN and SIGKILL Snakemake and its job (the
    whole process group, no chance to clean up) once `marker` appears in the job's log."""
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(REPO / "Snakefile"),
        "--cores",
        "1",
        "--configfile",
        str(config_path),
        "--directory",
        str(workdir),
        f"{KILLED_RUN}/summary.json",
    ]
    process = subprocess.Popen(
        command,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 600
        while not (log.exists() and marker in log.read_text()):
            assert process.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, f"{marker!r} never appeared in {log}"
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.mark.slow
def test_a_job_killed_hard_is_redone_with_the_same_results(tmp_path):
    path = _changed_config(tmp_path, lambda c: c["subspace"]["training"].update(epochs=3))
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    _run_until_killed(
        killed, path, killed / "results/logs/subspace/digits-top-0.5-aug-s0.log", "epoch 1:"
    )

    run_dir = killed / KILLED_RUN
    leftovers = sorted(p.name for p in run_dir.iterdir()) if run_dir.exists() else []
    assert all(name.startswith(".") and name.endswith(".tmp") for name in leftovers), leftovers
    # A hard kill leaves Snakemake's lock behind: the documented recovery is --unlock.
    snakemake("--unlock", "--configfile", str(path), "--directory", str(killed))
    for workdir in (killed, clean):
        snakemake(
            "--cores",
            "1",
            "--configfile",
            str(path),
            "--directory",
            str(workdir),
            f"{KILLED_RUN}/summary.json",
        )
    import pandas as pd

    columns = ["train_loss", "test_loss", "test_accuracy"]
    redone, uninterrupted = (
        pd.read_parquet(d / KILLED_RUN / "metrics.parquet")[columns] for d in (killed, clean)
    )
    assert len(redone) == 3 and redone.equals(uninterrupted)


@pytest.mark.slow
def test_second_run_has_nothing_to_do(tiny_run):
    result = snakemake(
        "-n", "--cores", "2", "--configfile", str(TINY), "--directory", str(tiny_run)
    )
    assert "Nothing to be done" in result.stdout + result.stderr


@pytest.mark.slow
def test_same_config_gives_same_numbers_whatever_the_cores(tiny_run, tmp_path):
    """The tiny run used --cores 2; the same jobs again with --cores 1 give the same
    bytes: datasets, spectra, closed forms and training numbers. Then a training job whose
    config asks for 2 torch threads, under --cores 1 (Snakemake lowers the job's
    `threads:` to 1 and exports 1 to BLAS): it still runs at the config's 2."""
    training = "results/subspace/digits_photo/top-0.5-aug-s0"
    tables = [
        "results/theory/theorem1_adam.parquet",
        "results/alignment/digits_photo.parquet",
        "results/denoising/digits_photo/masking_p2_r0.5.parquet",
    ]
    snakemake(
        "--cores", "1", "--configfile", str(TINY), "--directory", str(tmp_path),
        f"{training}/metrics.parquet", *tables,
    )  # fmt: skip
    import pandas as pd

    columns = ["train_loss", "test_loss", "test_accuracy"]
    again, first = (pd.read_parquet(d / training / "metrics.parquet") for d in (tmp_path, tiny_run))
    assert again[columns].equals(first[columns])
    for table in tables:
        assert pd.read_parquet(tmp_path / table).equals(pd.read_parquet(tiny_run / table)), table
    recorded = load_json(tmp_path / training / "summary.json")["environment"]
    assert recorded["torch_threads"] == yaml.safe_load(TINY.read_text())["cpu_threads"]
    snakemake(
        "--cores", "1", "--configfile", str(TINY), "--config", "cpu_threads=2",
        "--directory", str(tmp_path), f"{training}/summary.json",
    )  # fmt: skip
    recorded = load_json(tmp_path / training / "summary.json")["environment"]
    assert recorded["torch_threads"] == 2
    for name in ("train_images.npy", "test_labels.npy"):
        assert (tmp_path / "results/datasets/digits_photo" / name).read_bytes() == (
            tiny_run / "results/datasets/digits_photo" / name
        ).read_bytes()
    a = read_spectrum(tmp_path / "results/spectrum/digits_photo/standardized")
    b = read_spectrum(tiny_run / "results/spectrum/digits_photo/standardized")
    np.testing.assert_array_equal(a.eigen.eigenvalues, b.eigen.eigenvalues)


@pytest.mark.slow
def test_closed_form_jobs_fit_in_the_memory_they_request(tiny_run):
    """Each job's measured peak (its benchmark file) against lbr.resources' request for
    its dataset's D and N: two image sizes, digits (D = 64) and digits_photo (D = 432)."""
    import csv
    import math

    from lbr import resources

    sizes = {}
    for name in ("digits", "digits_photo"):
        meta = load_json(tiny_run / "results" / "datasets" / name / "meta.json")
        sizes[name] = (math.prod(meta["image_shape"]), meta["split_sizes"]["train"])
    checked = 0
    for stage in ("spectrum", "alignment", "denoising"):
        for path in (tiny_run / "results" / "benchmarks" / stage).glob("*.tsv"):
            dataset = next((d for d in ("digits_photo", "digits") if path.stem.startswith(d)), None)
            if dataset is None:
                continue
            with open(path) as handle:
                peak = float(next(csv.DictReader(handle, delimiter="\t"))["max_rss"])
            assert peak <= resources.memory_mb(stage, *sizes[dataset]), path.name
            checked += 1
    assert checked >= 6
