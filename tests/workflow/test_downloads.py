"""Downloads in a real Snakemake run: the `downloads` target fetches the raw files on a
machine with internet (a login node), and the datasets are built from them offline."""

import subprocess
import sys

import fake_archives as fake
import pytest
from lbr.data.format import read_dataset
from support import REPO, fake_remote_environment, fashion_config


def _snakemake(env, workdir, *args):
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), *args]
    command += ["--directory", str(workdir)]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_prefetch_on_a_login_node_then_build_offline(http_server, tmp_path):
    served, url = http_server
    env = fake_remote_environment(
        served, {"fashion_mnist": fake.mnist_like("fashion_mnist", served)}
    )
    workdir = tmp_path / "run"
    # 1. with internet: the `downloads` target fetches the raw files and nothing else
    first = _snakemake(
        env, workdir, "downloads", "--cores", "1", "--configfile", fashion_config(tmp_path, url)
    )
    assert first.returncode == 0, first.stderr[-3000:]
    assert (workdir / "results/downloads/fashion_mnist/verified.json").exists()
    assert not (workdir / "results/datasets").exists()
    # 2. no internet any more (server empty, mirror unreachable): the build still works
    for path in list(served.iterdir()):
        path.unlink()
    offline = fashion_config(tmp_path, "http://127.0.0.1:9")
    target = "results/datasets/fm/meta.json"
    second = _snakemake(env, workdir, target, "--cores", "1", "--configfile", offline)
    assert second.returncode == 0, second.stderr[-3000:]
    assert read_dataset(workdir / "results/datasets/fm").train_images.shape == (12, 28, 28, 1)
    # 3. another mirror serves the same bytes: nothing to fetch or rebuild
    third = _snakemake(
        env, workdir, target, "-n", "--cores", "1", "--configfile", fashion_config(tmp_path, url)
    )
    assert third.returncode == 0, third.stderr[-3000:]
    assert "Nothing to be done" in third.stdout + third.stderr
