"""One bench run of marcconv.dask: INPUT to FORMAT on a LocalCluster of two worker
processes (one thread each), output discarded; the records read go to stderr as
``marcconv convert -v`` says them, and the peak memory as bench/run.py reads it.

    python bench/dask_run.py INPUT FORMAT SPLIT_BYTES
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    from dask.distributed import Client, LocalCluster

    from marcconv import dask as marcconv_dask

    path, target, split = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster),
    ):
        tally = marcconv_dask.convert([path], target, os.devnull, split_bytes=split)
    sys.stderr.write(f"read {tally.read} records\n")


if __name__ == "__main__":
    main()
