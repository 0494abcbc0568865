"""Rule `download` (a local rule: it runs where the workflow is started, with internet):
fetch one source's raw files and verify their checksums; the `dataset` job decodes them."""

from pathlib import Path

from lbr.atomic import save_json
from lbr.data.remote import REMOTE_SOURCES
from lbr.logs import setup_rule_logging


def main(smk) -> None:
    log = setup_rule_logging(smk.log)
    source = REMOTE_SOURCES[smk.wildcards.source]
    directory = Path(smk.output[0]).parent
    # The mirror is read from the config, not a param: where the bytes came from does not
    # change them (the md5 is checked), so a new mirror must not refetch or rebuild.
    mirror = smk.config.get("download_mirror")
    source.download(directory, mirror)
    source.verify(directory)
    files = [{"file": f.filename, "url": f.url, "md5": f.md5} for f in source.files]
    save_json(smk.output[0], {"source": source.name, "files": files})
    log.info("%s: %d file(s) verified in %s", source.name, len(files), directory)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
