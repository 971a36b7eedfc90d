#!/usr/bin/python3
"""onnx_fuzz.py: seeded structure-aware fuzzing of omc's ONNX frontend (a test).

    onnx_fuzz.py --omc OMC --omrun OMRUN --work DIR --seed S --iterations N MODEL.onnx...

Each iteration copies one of the models, damages it with one to three edits that a broken
exporter or a hostile file could make (tensor dims and dtypes, truncated or missing tensor
data, op types, node inputs and outputs, attribute values and types, graph input shapes,
opset imports, node order, or raw bytes of the serialized file), and compiles it with omc.
omc must either succeed or exit with status 1 or 2 and one line on stderr, within the time
limit, without a sanitizer report, and leave no output file when it fails. A model omc
accepts is run once with omrun on seeded random inputs under the same rules: a compiled
model must not crash, whatever its tables say.

Prints a summary and the first failures; exit status 0 when every case behaved, 1 otherwise.
"""
import copy
import os
import random
import sys

import onnx
from onnx import TensorProto

import fuzz_util

EDGE_INTS = [0, 1, -1, 2, 3, 7, 2**31 - 1, -2**31, 2**40, 2**62]
DTYPES = list(range(0, 17)) + [99]
OPS = ["Conv", "Relu", "Add", "MatMul", "Gemm", "Reshape", "Transpose", "Concat", "Softmax", "MaxPool",
       "NoSuchOp", "", "Loop", "If", "Slice", "Gather", "Expand", "Resize"]


def edit_tensor(rnd, t):
    kind = rnd.randrange(5)
    if kind == 0 and len(t.dims):
        t.dims[rnd.randrange(len(t.dims))] = rnd.choice(EDGE_INTS)
    elif kind == 1:
        t.data_type = rnd.choice(DTYPES)
    elif kind == 2 and t.raw_data:
        t.raw_data = t.raw_data[:rnd.randrange(len(t.raw_data))]
    elif kind == 3:
        t.ClearField("raw_data")
        if rnd.random() < 0.5:
            t.float_data.extend([1.0] * rnd.randrange(5))
    else:
        t.dims.append(rnd.choice([0, 1, 2, 5]))


def edit_attr(rnd, a):
    kind = rnd.randrange(5)
    if kind == 0 and a.ints:
        a.ints[rnd.randrange(len(a.ints))] = rnd.choice(EDGE_INTS)
    elif kind == 1:
        a.i = rnd.choice(EDGE_INTS)
        a.type = onnx.AttributeProto.INT
    elif kind == 2:
        a.type = rnd.choice([onnx.AttributeProto.FLOAT, onnx.AttributeProto.STRING, onnx.AttributeProto.INTS,
                             onnx.AttributeProto.TENSOR, onnx.AttributeProto.UNDEFINED])
    elif kind == 3:
        del a.ints[:]
        a.ints.extend(rnd.choice(EDGE_INTS) for _ in range(rnd.randrange(7)))
    else:
        a.name = rnd.choice(["kernel_shape", "pads", "strides", "axis", "perm", "group", "bogus", ""])


def edit_model(rnd, m):
    g = m.graph
    kind = rnd.randrange(11)
    if kind == 0 and len(g.initializer):
        edit_tensor(rnd, g.initializer[rnd.randrange(len(g.initializer))])
    elif kind == 1 and len(g.node):
        g.node[rnd.randrange(len(g.node))].op_type = rnd.choice(OPS)
    elif kind == 2 and len(g.node):
        n = g.node[rnd.randrange(len(g.node))]
        if n.input and rnd.random() < 0.5:
            del n.input[rnd.randrange(len(n.input))]
        else:
            n.input.append(rnd.choice(["", "missing", n.output[0] if n.output else "x"]))
    elif kind == 3 and len(g.node):
        n = g.node[rnd.randrange(len(g.node))]
        if n.output:
            n.output[rnd.randrange(len(n.output))] = rnd.choice(["", g.input[0].name if g.input else "x",
                                                                 g.node[0].output[0] if g.node[0].output else "y"])
    elif kind == 4:
        nodes = [n for n in g.node if n.attribute]
        if nodes:
            n = rnd.choice(nodes)
            edit_attr(rnd, n.attribute[rnd.randrange(len(n.attribute))])
    elif kind == 5 and len(g.input):
        t = g.input[rnd.randrange(len(g.input))].type.tensor_type
        if rnd.random() < 0.3:
            t.elem_type = rnd.choice(DTYPES)
        elif len(t.shape.dim):
            d = t.shape.dim[rnd.randrange(len(t.shape.dim))]
            if rnd.random() < 0.5:
                d.dim_value = rnd.choice(EDGE_INTS)
            else:
                d.dim_param = rnd.choice(["N", "", "?"])
    elif kind == 6 and len(m.opset_import):
        o = m.opset_import[0]
        if rnd.random() < 0.5:
            o.version = rnd.choice([0, 1, 5, 12, 22, 1000, -1])
        else:
            o.domain = rnd.choice(["", "ai.onnx.ml", "com.example", "ai.onnx"])
    elif kind == 7 and len(g.node) > 1:
        nodes = list(g.node)
        rnd.shuffle(nodes)
        del g.node[:]
        g.node.extend(nodes)
    elif kind == 8 and len(g.node):
        n = g.node[rnd.randrange(len(g.node))]
        g.node.append(copy.deepcopy(n))          # a second producer of the same outputs
    elif kind == 9 and len(g.output):
        g.output[0].name = rnd.choice(["", "nowhere", g.input[0].name if g.input else "x"])
    else:
        g.initializer.append(copy.deepcopy(g.initializer[0]) if len(g.initializer) else TensorProto())


def edit_bytes(rnd, data):
    b = bytearray(data)
    for _ in range(1 + rnd.randrange(8)):
        kind = rnd.randrange(3)
        at = rnd.randrange(len(b)) if b else 0
        if kind == 0 and b:
            b[at] = rnd.randrange(256)
        elif kind == 1:
            del b[at:]
        else:
            b[at:at] = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 9)))
    return bytes(b)


def check(tool, rc, err, out_path):
    """A problem description, or None when the tool behaved: fuzz_util's rules, and a failure
    is one line on stderr and leaves no output file."""
    problem = fuzz_util.broken(tool, rc, err)
    if problem or rc == 0:
        return problem
    lines = [ln for ln in err.splitlines() if ln.strip()]
    if len(lines) != 1:
        return "%s failed with status %d and %d stderr lines" % (tool, rc, len(lines))
    if out_path and os.path.exists(out_path):
        return "%s failed but left %s" % (tool, out_path)
    return None


def main():
    ap = fuzz_util.arguments(__doc__.split("\n\n")[0], "MODEL.onnx, or MODEL.onnx@PINS for omc --input-shape PINS")
    ap.add_argument("--verbose", action="store_true", help="also list omc's refusals by message")
    cfg = ap.parse_args()
    os.makedirs(cfg.work, exist_ok=True)
    rnd = random.Random(cfg.seed)
    # MODEL or MODEL@PINS (omc --input-shape PINS, for models with dynamic dims)
    bases = [(onnx.load(p.split("@")[0]), p.split("@")[1] if "@" in p else None) for p in cfg.inputs]
    messages = {}
    counts = {"compiled": 0, "refused": 0, "ran": 0, "run refused": 0}
    failures = []
    for it in range(cfg.iterations):
        base, pins = rnd.choice(bases)
        m = copy.deepcopy(base)
        for _ in range(1 + rnd.randrange(3)):
            edit_model(rnd, m)
        try:
            data = m.SerializeToString()
        except Exception:                        # an edit the protobuf library itself refuses
            continue
        if rnd.random() < 0.2:
            data = edit_bytes(rnd, data)
        src = os.path.join(cfg.work, "case.onnx")
        om = os.path.join(cfg.work, "case.om")
        with open(src, "wb") as f:
            f.write(data)
        if os.path.exists(om):
            os.remove(om)
        rc, err = fuzz_util.run([cfg.omc, src, "-o", om] + (["--input-shape", pins] if pins else []), cfg.timeout)
        problem = check("omc", rc, err, om)
        if problem is None and rc == 0:
            counts["compiled"] += 1
            rc, err = fuzz_util.run([cfg.omrun, om, "--random", str(it)], cfg.timeout)
            problem = check("omrun", rc, err, None)
            counts["ran" if rc == 0 else "run refused"] += 1
        elif problem is None:
            counts["refused"] += 1
            key = err.strip()[:60]
            messages[key] = messages.get(key, 0) + 1
        if problem:
            keep = os.path.join(cfg.work, "failure_%d.onnx" % it)
            os.replace(src, keep)
            failures.append("iteration %d (%s): %s" % (it, keep, problem))
    print("onnx_fuzz: %d iterations (seed %d): %d refused by omc, %d compiled (%d ran, %d refused by omrun), "
          "%d failures" % (cfg.iterations, cfg.seed, counts["refused"], counts["compiled"], counts["ran"],
                           counts["run refused"], len(failures)))
    for f in failures[:10]:
        print("  " + f)
    if cfg.verbose:
        for k, v in sorted(messages.items(), key=lambda kv: -kv[1]):
            print("  %4d  %s" % (v, k))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
