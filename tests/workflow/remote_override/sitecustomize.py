"""Test-only: lets a whole Snakemake run (the workflow and every rule script it starts)
download small fake files in the real formats instead of the real datasets.

Python imports `sitecustomize` at start-up from PYTHONPATH. When LBR_TEST_REMOTES holds
{source: {"md5": {file: md5}, "split_sizes": {...}}}, the named downloadable sources
take those checksums and split sizes; everything else (URLs, readers) stays real.
Nothing outside tests/ puts this directory on PYTHONPATH.
"""

import json
import os

_OVERRIDES = os.environ.get("LBR_TEST_REMOTES")
if _OVERRIDES:
    from dataclasses import replace

    from lbr.data import remote

    for _name, _entry in json.loads(_OVERRIDES).items():
        _source = remote.REMOTE_SOURCES[_name]
        _files = tuple(replace(f, md5=_entry["md5"][f.filename]) for f in _source.files)
        remote.REMOTE_SOURCES[_name] = replace(
            _source, files=_files, split_sizes=_entry["split_sizes"]
        )
