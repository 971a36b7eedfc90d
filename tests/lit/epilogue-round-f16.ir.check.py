# epilogue-round-f16.ir: every output of the om_round_f16 artifact (folder argv[1]) is the
# plain artifact's output (argv[2]) rounded to the nearest f16, exactly: both run the same
# kernel, so the f32 values before the rounding are the same. Exit 1 with the figures.
import glob
import os
import sys

import numpy as np

rounded, plain = sys.argv[1:3]
names = sorted(os.path.basename(p) for p in glob.glob(plain + "/*.npy"))
bad = []
if len(names) != 6:
    bad.append("expected 6 outputs, found %d" % len(names))
for n in names:
    r = np.load(os.path.join(rounded, n))
    p = np.load(os.path.join(plain, n))
    want = p.astype(np.float16).astype(np.float32)
    if r.shape != p.shape or not np.array_equal(r, want) or np.array_equal(r, p):
        bad.append("%s: %d of %d elements differ from the f16 rounding of the plain output" % (
            n, int(np.sum(r != want)), r.size))
if bad:
    sys.exit("\n".join(bad))
