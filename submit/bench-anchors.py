#!/usr/bin/env python3
"""The benchmark's outside anchors, one thread each, for submit/bench (Bench.java calls this once
per round and reads the JSON it prints on its last line):

  arrow_scan_s  Arrow C++'s Parquet reader (pyarrow) decoding the logits column of a dataset's
                files into memory: pq.read_table(columns=["logits"], use_threads=False), Arrow's
                CPU and I/O pools at one thread; one timed read after a warm-up read.
  torch_f32_s   PyTorch CPU F.cross_entropy(z, y, label_smoothing=eps, reduction="none") on
  torch_f64_s   ~values logits of K classes (float32, and the same cast to float64 beforehand),
                torch.set_num_threads(1); best of 5 calls after a warm-up call.

A missing module is reported as {"absent": "..."} instead of times; the benchmark says so.
"""
import argparse
import json
import sys
import time


def arrow_scans(datasets):
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as e:
        return {"absent": f"pyarrow: {e}"}
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    out = {}
    for k, path in datasets.items():
        pq.read_table(path, columns=["logits"], use_threads=False)  # warm-up: the allocator, the page cache
        start = time.perf_counter()
        table = pq.read_table(path, columns=["logits"], use_threads=False)
        out[k] = {"arrow_scan_s": time.perf_counter() - start, "arrow_rows": table.num_rows}
        del table
    return out


def torch_kernels(ks, values, eps):
    try:
        import torch
        import torch.nn.functional as F
    except ImportError as e:
        return {"absent": f"torch: {e}"}
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(1)
    out = {}
    for k in ks:
        rows = max(1, values // k)
        z32 = torch.randn(rows, k, generator=gen, dtype=torch.float32)
        y = torch.randint(0, k, (rows,), generator=gen)
        times = {}
        for name, z in (("torch_f32_s", z32), ("torch_f64_s", z32.double())):
            F.cross_entropy(z, y, label_smoothing=eps, reduction="none")  # warm-up
            best = float("inf")
            for _ in range(5):
                start = time.perf_counter()
                loss = F.cross_entropy(z, y, label_smoothing=eps, reduction="none")
                best = min(best, time.perf_counter() - start)
                assert loss.shape[0] == rows
            times[name] = best
        times["torch_values"] = rows * k
        out[k] = times
    return out


def main():
    p = argparse.ArgumentParser(
        prog="submit/bench-anchors.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Example:\n  submit/bench-anchors.py --eps 0.1 --values 8000000 10=bench-data/k10 1000=bench-data/k1000")
    p.add_argument("--eps", type=float, required=True, help="the smoothing of PyTorch's cross_entropy")
    p.add_argument("--values", type=int, required=True, help="logits per PyTorch call (rows = values / K)")
    p.add_argument("datasets", nargs="+", metavar="K=DIR", help="a Parquet dataset of K classes")
    a = p.parse_args()
    datasets = {}
    for d in a.datasets:
        k, path = d.split("=", 1)
        datasets[int(k)] = path
    result = {"arrow": arrow_scans(datasets), "torch": torch_kernels(list(datasets), a.values, a.eps)}
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
