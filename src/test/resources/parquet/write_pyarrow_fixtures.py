"""Writes the pyarrow-made Parquet fixtures of LogitsParquetFormatTest (run once; the files are committed).

    python3 src/test/resources/parquet/write_pyarrow_fixtures.py   # pyarrow 25.0.1

Logits as pandas/pyarrow users write them: list<float> or list<double> with null rows, empty
lists and null elements, small pages and row groups (rows across pages, several row groups).
"""
import pathlib
import random

import pyarrow as pa
import pyarrow.parquet as pq

HERE = pathlib.Path(__file__).parent


def table(value_type, rows, seed):
    rng = random.Random(seed)
    odd = [0.0, -0.0, float("nan"), float("inf"), float("-inf"), 1e-45, 3.4e38]
    logits = []
    for i in range(rows):
        if i % 11 == 5:
            logits.append(None)
            continue
        k = 300 if i % 97 == 1 else 0 if i % 13 == 7 else rng.randrange(41)
        row = []
        for _ in range(k):
            if rng.randrange(50) == 0:
                row.append(None)
            elif i < rows // 3:
                row.append((rng.randrange(6) - 2) * 0.75)  # dictionary-friendly, then no longer
            elif rng.randrange(40) == 0:
                row.append(rng.choice(odd))
            else:
                row.append(rng.gauss(0, 4))
        logits.append(row)
    labels = [None if i % 17 == 3 else rng.randrange(10) for i in range(rows)]
    return pa.table({
        "id": pa.array(range(rows), pa.int64()),
        "label": pa.array(labels, pa.int32()),
        "logits": pa.array(logits, pa.list_(value_type)),
    })


common = dict(row_group_size=400, data_page_size=2048, write_statistics=True)
pq.write_table(table(pa.float32(), 1500, 1), HERE / "pyarrow-defaults-float.parquet", **common)
pq.write_table(table(pa.float64(), 1500, 2), HERE / "pyarrow-v2-zstd-double.parquet", data_page_version="2.0",
               compression="zstd", use_dictionary=False, **common)
pq.write_table(table(pa.float32(), 1500, 3), HERE / "pyarrow-byte-stream-split-float.parquet", use_dictionary=False,
               column_encoding={"logits.list.element": "BYTE_STREAM_SPLIT"}, **common)
