"""Rule `archive`: one .tar.gz of the current config's results with a verifiable manifest."""

from pathlib import Path

from lbr.archive import require_complete, run_listing, write_archive
from lbr.logs import setup_rule_logging


def main(smk) -> None:
    log = setup_rule_logging(smk.log)
    archive = Path(smk.output[0])
    root = archive.parent.parent  # results/archive/run.tar.gz -> results/
    own = {archive.resolve(), Path(smk.log[0]).resolve()}
    present, missing = run_listing(smk.params.python, smk.params.snakefile, smk.params.config, ".")
    require_complete(missing)  # an output deleted after its job ran: never archived silently
    files = [
        path
        for path in map(Path, present)
        if path.resolve().is_relative_to(root.resolve()) and path.resolve() not in own
    ]
    manifest = write_archive(archive, files, root, smk.params.config, Path(smk.params.code_dir))
    log.info("archived %d files; verify with: %s", len(manifest["files"]), manifest["verify"])


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
