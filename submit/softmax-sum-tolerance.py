#!/usr/bin/env python3
"""How far from 1 the row sums of a float32 softmax are (the --prob-tolerance default:
src/site/markdown/inputs.md). Needs python3 with numpy. Prints the worst |sum - 1| of 5 rows
per V and logit scale; takes no arguments."""
import argparse

argparse.ArgumentParser(
    prog="submit/softmax-sum-tolerance.py", usage="%(prog)s  (no arguments; -h, --help: this text)",
    description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    epilog="Example:\n  submit/softmax-sum-tolerance.py | column -t").parse_args()

import numpy as np  # after the arguments: --help needs no numpy
rng = np.random.default_rng(1)
print("V  scale  |sum-1| tree(f32)  seq(f32)  f16-stored")
for V in (1000, 32000, 128000, 256000):
    for scale in (1.0, 4.0, 10.0):
        worst = [0.0, 0.0, 0.0]
        for rep in range(5):
            z = (rng.standard_normal(V) * scale).astype(np.float32)
            e = np.exp(z - z.max())                      # float32
            p_tree = e / e.sum(dtype=np.float32)         # numpy: pairwise float32 sum
            s_seq = np.cumsum(e, dtype=np.float32)[-1]   # sequential float32 sum
            p_seq = e / s_seq
            p16 = p_tree.astype(np.float16)
            for i, p in enumerate((p_tree, p_seq, p16)):
                worst[i] = max(worst[i], abs(p.astype(np.float64).sum() - 1))
        print(V, scale, " ".join("%.2e" % w for w in worst))
