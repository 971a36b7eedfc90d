# conv-f16-widen.ir: compares the outputs of the widened (on), generic f16 (off) and fp32
# artifacts, folders given as arguments. Exit 1 with the figures on a mismatch.
# The widened convs round the same f32 sums to f16 as the generic kernel, only added in
# another order, so nearly every element is bit-identical and the rest differ by an f16
# rounding step; fp16 against fp32 differs everywhere. (Measured: 99.1% and 100% identical,
# rel L2 5e-5 against 6e-4 for fp16 vs fp32.)
import sys

import numpy as np


def rel_l2(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30)


on, off, f32 = sys.argv[1:4]
bad = []
for name in ("y", "s", "t"):
    a, b, c = (np.load("%s/%s.npy" % (d, name)).astype(np.float64) for d in (on, off, f32))
    same = np.mean(a == b) if a.shape == b.shape else 0.0
    if same < 0.95 or rel_l2(a, b) > 0.25 * rel_l2(b, c) or rel_l2(a, c) > 5e-3:
        bad.append("%s: %.1f%% identical; rel L2 on/off %g, off/fp32 %g, on/fp32 %g" % (
            name, 100 * same, rel_l2(a, b), rel_l2(b, c), rel_l2(a, c)))
if bad:
    sys.exit("\n".join(bad))
