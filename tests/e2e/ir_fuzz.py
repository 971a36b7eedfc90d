#!/usr/bin/python3
"""ir_fuzz.py: seeded fuzzing of omc's IR text parser and what follows it (a test).

    ir_fuzz.py --omc OMC --omrun OMRUN --work DIR --seed S --iterations N FILE.ir...

omc reads its own IR text as well as ONNX. Each iteration takes a graph from one of the
files (the `#--- name` parts of lit's split-file inputs, or the whole file), edits it one to
three times (deletes a few characters, inserts a token such as a bracket, a dtype, an
out-of-range number or a name, changes one character, or duplicates a run) and compiles it.
omc must exit with 0, 1 or 2 within the time limit and without a sanitizer report (parse
errors may span several lines: they show the line and a caret). A graph that compiles is
run once with omrun on seeded random inputs under the same rules.

Prints a summary and the first failures; exit status 0 when every case behaved, 1 otherwise.
"""
import os
import random
import sys

import fuzz_util

TOKENS = ["{", "}", "(", ")", "[", "]", ",", ":", "=", "%", '"', "-1", "0", "1", "7", "99999999999999999999",
          "f32", "f16", "bf16", "i64", "bool", "input", "output", "const", "graph", "opset", "name", "%x",
          "[0]", "[-1]", "[1,1]", "[]", "1e400", "nan", "\\", "\n", "#", "->"]


def graphs(paths):
    out = []
    for p in paths:
        with open(p, encoding="utf-8") as f:
            text = f.read()
        parts = text.split("#--- ")[1:]
        bodies = [part.split("\n", 1)[1] for part in parts if "\n" in part] if parts else [text]
        out += [b for b in bodies if "graph" in b]
    return out


def edit(rnd, s):
    at = rnd.randrange(len(s) + 1)
    kind = rnd.randrange(4)
    if kind == 0 and s:
        del s[at:at + rnd.randrange(1, 6)]
    elif kind == 1:
        s[at:at] = list(rnd.choice(TOKENS))
    elif kind == 2 and s:
        s[min(at, len(s) - 1)] = rnd.choice("0123456789-[],{}()%:=x")
    else:
        j = rnd.randrange(len(s) + 1)
        s[at:at] = s[j:j + rnd.randrange(1, 30)]


def main():
    cfg = fuzz_util.arguments(__doc__.split("\n\n")[0], "IR text files (lit inputs)").parse_args()
    os.makedirs(cfg.work, exist_ok=True)
    rnd = random.Random(cfg.seed)
    sources = graphs(cfg.inputs)
    if not sources:
        print("ir_fuzz: no graphs in the given files")
        return 1
    compiled = refused = ran = 0
    failures = []
    src = os.path.join(cfg.work, "case.ir")
    om = os.path.join(cfg.work, "case.om")
    for it in range(cfg.iterations):
        s = list(rnd.choice(sources))
        for _ in range(1 + rnd.randrange(3)):
            edit(rnd, s)
        with open(src, "w", encoding="utf-8") as f:
            f.write("".join(s))
        if os.path.exists(om):
            os.remove(om)
        rc, err = fuzz_util.run([cfg.omc, src, "-o", om], cfg.timeout)
        what = fuzz_util.broken("omc", rc, err)
        if what is None and rc == 0:
            compiled += 1
            rc, err = fuzz_util.run([cfg.omrun, om, "--random", str(it)], cfg.timeout)
            what = fuzz_util.broken("omrun", rc, err)
            ran += rc == 0
        elif what is None:
            refused += 1
        if what:
            keep = os.path.join(cfg.work, "failure_%d.ir" % it)
            os.replace(src, keep)
            failures.append("iteration %d (%s): %s" % (it, keep, what))
    print("ir_fuzz: %d iterations over %d graphs (seed %d): %d refused by omc, %d compiled (%d ran), %d failures"
          % (cfg.iterations, len(sources), cfg.seed, refused, compiled, ran, len(failures)))
    for f in failures[:10]:
        print("  " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
