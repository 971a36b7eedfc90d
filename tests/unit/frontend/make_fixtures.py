#!/usr/bin/python3
"""Makes the small ONNX fixture models for tests/unit/frontend (run with Debian's
/usr/bin/python3, which has python3-onnx). The generated files are committed; rerun this
script only when a fixture changes:

    /usr/bin/python3 tests/unit/frontend/make_fixtures.py

Every model is written without onnx.checker on purpose: some fixtures are invalid by design.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")

# The values every dtype fixture holds (chosen to fit every dtype, including bool after != 0).
VALUES = [0, 1, 2, 3, 5, 7]
DTYPES = [  # (name, TensorProto type, numpy dtype)
    ("f32", TensorProto.FLOAT, np.float32),
    ("i64", TensorProto.INT64, np.int64),
    ("i32", TensorProto.INT32, np.int32),
    ("i16", TensorProto.INT16, np.int16),
    ("i8", TensorProto.INT8, np.int8),
    ("u8", TensorProto.UINT8, np.uint8),
    ("u16", TensorProto.UINT16, np.uint16),
    ("u32", TensorProto.UINT32, np.uint32),
    ("u64", TensorProto.UINT64, np.uint64),
    ("bool", TensorProto.BOOL, np.bool_),
    ("f16", TensorProto.FLOAT16, np.float16),
    ("f64", TensorProto.DOUBLE, np.float64),
    ("bf16", TensorProto.BFLOAT16, None),  # numpy has no bfloat16: stored as uint16 bit patterns
]


def array_of(tp, npt):
    if tp == TensorProto.BFLOAT16:  # the upper halves of the float32 values
        return (np.array(VALUES, np.float32).view(np.uint32) >> 16).astype(np.uint16).reshape(2, 3)
    return np.array(VALUES, dtype=npt).reshape(2, 3)


def save(model, name):
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(model.SerializeToString())


def model_of(nodes, inputs, outputs, inits=(), opset=13, name="g", value_info=()):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=list(inits),
                              value_info=list(value_info))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                             producer_name="omc-fixtures")


def out_info(name, dtype=TensorProto.FLOAT, shape=None):
    return helper.make_tensor_value_info(name, dtype, shape)


def typed_tensor(name, tp, arr):
    """A TensorProto that stores arr in the typed field (never raw_data)."""
    t = TensorProto()
    t.name = name
    t.data_type = tp
    t.dims.extend(arr.shape)
    flat = arr.flatten()
    if tp in (TensorProto.FLOAT,):
        t.float_data.extend(flat.tolist())
    elif tp == TensorProto.DOUBLE:
        t.double_data.extend(flat.tolist())
    elif tp == TensorProto.INT64:
        t.int64_data.extend(flat.tolist())
    elif tp in (TensorProto.UINT32, TensorProto.UINT64):
        t.uint64_data.extend(int(x) for x in flat)
    elif tp == TensorProto.FLOAT16:
        t.int32_data.extend(int(x) for x in flat.view(np.uint16))
    elif tp == TensorProto.BFLOAT16:
        t.int32_data.extend(int(x) for x in flat)
    else:  # int32, int16, int8, uint8, uint16, bool
        t.int32_data.extend(int(x) for x in flat)
    return t


def raw_tensor(name, tp, arr):
    t = TensorProto()
    t.name = name
    t.data_type = tp
    t.dims.extend(arr.shape)
    t.raw_data = arr.tobytes()
    return t


def dtype_models():
    for form, make in (("raw", raw_tensor), ("typed", typed_tensor)):
        inits, outs = [], []
        for name, tp, npt in DTYPES:
            arr = array_of(tp, npt)
            inits.append(make("w_" + name, tp, arr))
            outs.append(out_info("w_" + name, tp, [2, 3]))
        # the graph's outputs are the initializers themselves
        save(model_of([], [], outs, inits), "init_%s.onnx" % form)
    # a wrong-size initializer, a string initializer
    bad = raw_tensor("w_bad", TensorProto.FLOAT, np.zeros(5, np.float32))
    bad.dims[:] = [2, 3]
    save(model_of([], [], [out_info("w_bad")], [bad]), "init_bad_size.onnx")
    s = helper.make_tensor("w_str", TensorProto.STRING, [1], [b"hello"])
    save(model_of([], [], [out_info("w_str", TensorProto.STRING)], [s]), "init_string.onnx")


def external_models():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.arange(4, dtype=np.int64) * 10
    blob = a.tobytes() + b"\0" * 8 + b.tobytes()
    with open(os.path.join(OUT, "external.bin"), "wb") as f:
        f.write(blob)

    def ext(name, tp, dims, location, offset=None, length=None):
        t = TensorProto()
        t.name = name
        t.data_type = tp
        t.dims.extend(dims)
        t.data_location = TensorProto.EXTERNAL
        for k, v in (("location", location), ("offset", offset), ("length", length)):
            if v is not None:
                e = t.external_data.add()
                e.key, e.value = k, str(v)
        return t

    good = [ext("ext_a", TensorProto.FLOAT, [2, 3], "external.bin", 0, 24),
            ext("ext_b", TensorProto.INT64, [4], "external.bin", 32, 32)]
    outs = [out_info("ext_a", TensorProto.FLOAT, [2, 3]), out_info("ext_b", TensorProto.INT64, [4])]
    save(model_of([], [], outs, good), "external.onnx")
    for suffix, loc in (("escape", "../fixtures/external.bin"), ("absolute", "/etc/hostname")):
        t = ext("ext_a", TensorProto.FLOAT, [2, 3], loc, 0, 24)
        save(model_of([], [], outs[:1], [t]), "external_%s.onnx" % suffix)
    t = ext("ext_a", TensorProto.FLOAT, [2, 3], "external.bin", 48, 24)  # past the end
    save(model_of([], [], outs[:1], [t]), "external_short.onnx")
    t = ext("ext_a", TensorProto.FLOAT, [2, 3], "missing.bin", 0, 24)
    save(model_of([], [], outs[:1], [t]), "external_missing.onnx")


def constant_models():
    tensor = numpy_helper.from_array(np.array([[1.5, -2.0]], np.float32), "t")
    nodes = [
        helper.make_node("Constant", [], ["c_tensor"], name="k_tensor", value=tensor),
        helper.make_node("Constant", [], ["c_float"], name="k_float", value_float=2.5),
        helper.make_node("Constant", [], ["c_floats"], name="k_floats", value_floats=[1.0, 2.0, 3.0]),
        helper.make_node("Constant", [], ["c_int"], name="k_int", value_int=-7),
        helper.make_node("Constant", [], ["c_ints"], name="k_ints", value_ints=[4, 5]),
        helper.make_node("Add", ["c_tensor", "c_float"], ["sum"], name="add"),
    ]
    outs = [out_info("sum", TensorProto.FLOAT, [1, 2]), out_info("c_floats"),
            out_info("c_int", TensorProto.INT64, []), out_info("c_ints", TensorProto.INT64, [2])]
    save(model_of(nodes, [], outs), "constants.onnx")
    node = helper.make_node("Constant", [], ["s"], name="k_string", value_string="hi")
    save(model_of([node], [], [out_info("s", TensorProto.STRING)]), "constant_string.onnx")


def rewrite_models():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4])
    # Clip-6 form (opset 10): both bounds, only max, none
    nodes = [
        helper.make_node("Clip", ["x"], ["y0"], name="clip_both", min=-1.0, max=1.0),
        helper.make_node("Clip", ["x"], ["y1"], name="clip_max", max=6.0),
        helper.make_node("Clip", ["x"], ["y2"], name="clip_none"),
    ]
    save(model_of(nodes, [x], [out_info("y0"), out_info("y1"), out_info("y2")], opset=10), "clip6.onnx")
    # Softmax-11: with and without axis; Softmax-13 for comparison
    nodes = [helper.make_node("Softmax", ["x"], ["s0"], name="sm_axis2", axis=2),
             helper.make_node("Softmax", ["x"], ["s1"], name="sm_default")]
    save(model_of(nodes, [x], [out_info("s0"), out_info("s1")], opset=11), "softmax11.onnx")
    save(model_of(nodes[1:], [x], [out_info("s1")], opset=13), "softmax13.onnx")
    # Dropout: opset 10 with an unused mask; opset 13 with ratio and training_mode=false
    # inputs; opset 13 whose mask is a graph output (unsupported)
    nodes = [helper.make_node("Dropout", ["x"], ["d", "mask"], name="drop", ratio=0.3),
             helper.make_node("Relu", ["d"], ["y"], name="relu")]
    save(model_of(nodes, [x], [out_info("y")], opset=10), "dropout10.onnx")
    ratio = numpy_helper.from_array(np.array(0.5, np.float32), "ratio")
    tm = numpy_helper.from_array(np.array(False), "training_mode")
    nodes = [helper.make_node("Dropout", ["x", "ratio", "training_mode"], ["d"], name="drop"),
             helper.make_node("Relu", ["d"], ["y"], name="relu")]
    save(model_of(nodes, [x], [out_info("y")], inits=[ratio, tm], opset=13), "dropout13.onnx")
    nodes = [helper.make_node("Dropout", ["x"], ["d", "mask"], name="drop")]
    save(model_of(nodes, [x], [out_info("d"), out_info("mask", TensorProto.BOOL)], opset=13),
         "dropout_mask_used.onnx")
    # BatchNormalization-7 with spatial=0 (unsupported), -7 default spatial (fine, momentum dropped)
    c = 3
    bn_inits = [numpy_helper.from_array(np.ones(c, np.float32), n) for n in ("scale", "bias", "mean", "var")]
    xb = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, 2, 2])
    for name, kw in (("bn7_spatial0.onnx", {"spatial": 0}), ("bn7.onnx", {"momentum": 0.8})):
        node = helper.make_node("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["y"],
                                name="bn", epsilon=1e-3, **kw)
        save(model_of([node], [xb], [out_info("y")], inits=bn_inits, opset=7), name)
    # unsupported op and foreign domain
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="resnet/Relu_1"),
             helper.make_node("Foo", ["r"], ["y"], name="resnet/Foo_3")]
    save(model_of(nodes, [x], [out_info("y")], opset=13), "unsupported_op.onnx")
    nodes = [helper.make_node("Rleu", ["x"], ["y"], name="typo")]
    save(model_of(nodes, [x], [out_info("y")], opset=13), "misspelled_op.onnx")
    # an op only omc's passes make (not ONNX)
    nodes = [helper.make_node("FusedElementwise", ["x"], ["y"], name="internal", ops=["Relu"], args=[0, -1])]
    save(model_of(nodes, [x], [out_info("y")], opset=13), "internal_op.onnx")
    node = helper.make_node("FusedConv", ["x"], ["y"], name="fc", domain="com.microsoft")
    m = model_of([node], [x], [out_info("y")], opset=13)
    m.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    save(m, "foreign_domain.onnx")
    # opset out of range
    node = helper.make_node("Relu", ["x"], ["y"], name="relu")
    save(model_of([node], [x], [out_info("y")], opset=18), "opset18.onnx")
    # a node reading an undefined value
    node = helper.make_node("Relu", ["nowhere"], ["y"], name="lost")
    save(model_of([node], [x], [out_info("y")], opset=13), "undefined_input.onnx")


def misc_models():
    # symbolic and unknown dims; an initializer that is also an input (the initializer wins);
    # value_info types for an intermediate; optional inputs omitted with ""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3, None, 4])
    w_in = helper.make_tensor_value_info("w", TensorProto.FLOAT, [4, 5])
    w = numpy_helper.from_array(np.ones((4, 5), np.float32), "w")
    nodes = [helper.make_node("MatMul", ["x", "w"], ["mm"], name="mm"),
             helper.make_node("Clip", ["mm", "", "hi"], ["y"], name="clip_hi")]
    hi = numpy_helper.from_array(np.array(6.0, np.float32), "hi")
    vi = [helper.make_tensor_value_info("mm", TensorProto.FLOAT, ["batch", 3, None, 5])]
    save(model_of(nodes, [x, w_in], [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 3, None, 5])],
                  inits=[w, hi], opset=13, value_info=vi, name="symbolic"), "symbolic.onnx")
    # MaxPool with a trailing empty optional output, and one whose Indices output is used
    xp = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 4, 4])
    nodes = [helper.make_node("MaxPool", ["x"], ["p", ""], name="pool", kernel_shape=[2, 2],
                              strides=[2, 2], pads=[0, 0, 0, 0])]
    save(model_of(nodes, [xp], [out_info("p")], opset=12), "maxpool_trailing.onnx")
    # an omitted output in the middle: MaxPool's Y omitted, Indices used
    nodes = [helper.make_node("MaxPool", ["x"], ["", "idx"], name="pool", kernel_shape=[2, 2])]
    save(model_of(nodes, [xp], [out_info("idx", TensorProto.INT64)], opset=12), "maxpool_middle.onnx")
    # a GRAPH attribute on an otherwise supported op
    body = helper.make_graph([], "body", [], [])
    node = helper.make_node("Relu", ["x"], ["y"], name="relu_g", body=body)
    save(model_of([node], [xp], [out_info("y")], opset=13), "graph_attr.onnx")


def legacy_models():
    """Opsets 1..6: the legacy forms opset_rewrites.c canonicalizes."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4])
    b = numpy_helper.from_array(np.array([1, 2, 3], np.float32), "b")
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])
    z = helper.make_tensor_value_info("z", TensorProto.FLOAT, [3, 4])
    nodes = [
        # constant B at axis 1 of a rank-3 A: B becomes [3,1]
        helper.make_node("Add", ["x", "b"], ["s0"], name="add_axis1", broadcast=1, axis=1),
        # no axis: aligned to the end, numpy's rule
        helper.make_node("Sub", ["x", "y"], ["s1"], name="sub_tail", broadcast=1),
        # axis 1 with a rank-2 B: aligned to the end as well
        helper.make_node("Mul", ["x", "z"], ["s2"], name="mul_aligned", broadcast=1, axis=1),
        helper.make_node("Relu", ["s0"], ["s3"], name="relu", consumed_inputs=[0]),
    ]
    outs = [out_info(n) for n in ("s1", "s2", "s3")]
    save(model_of(nodes, [x, y, z], outs, inits=[b], opset=6), "legacy_add6.onnx")
    w = helper.make_tensor_value_info("w", TensorProto.FLOAT, [2])
    node = helper.make_node("Div", ["x", "w"], ["q"], name="div_axis0", broadcast=1, axis=0)
    save(model_of([node], [x, w], [out_info("q")], opset=6), "legacy_div6_input.onnx")
    # Reshape-1 (shape attribute) and Concat-1 (default axis 1) at opset 3
    nodes = [helper.make_node("Reshape", ["x"], ["r"], name="reshape", shape=[4, 6]),
             helper.make_node("Concat", ["r", "r"], ["c"], name="concat")]
    save(model_of(nodes, [x], [out_info("c")], opset=3), "legacy_reshape3.onnx")
    # BatchNormalization-6: is_test, spatial, consumed_inputs dropped
    c = 3
    bn_inits = [numpy_helper.from_array(np.ones(c, np.float32), n) for n in ("scale", "bias", "mean", "var")]
    xb = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, 2, 2])
    node = helper.make_node("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["y"], name="bn",
                            epsilon=1e-5, is_test=1, momentum=0.9, spatial=1)
    save(model_of([node], [xb], [out_info("y")], inits=bn_inits, opset=6), "legacy_bn6.onnx")
    # Gemm-6 with broadcast
    a = helper.make_tensor_value_info("a", TensorProto.FLOAT, [2, 3])
    bm = numpy_helper.from_array(np.ones((3, 4), np.float32), "bm")
    cm = numpy_helper.from_array(np.ones(4, np.float32), "cm")
    node = helper.make_node("Gemm", ["a", "bm", "cm"], ["g"], name="gemm", broadcast=1)
    save(model_of([node], [a], [out_info("g")], inits=[bm, cm], opset=6), "legacy_gemm6.onnx")
    node = helper.make_node("Relu", ["x"], ["y"], name="relu")
    save(model_of([node], [x], [out_info("y")], opset=0), "opset0.onnx")


def control_models():
    """If/Loop/Scan and sequence/optional fixtures (frontend/onnx_control.c, onnx_sequence.c)."""
    F = TensorProto.FLOAT
    x = helper.make_tensor_value_info("x", F, [2])
    def const_node(name, arr):
        return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(arr, name))
    # If with a constant condition: only the then branch (reads outer 'x') is inlined
    then_g = helper.make_graph([helper.make_node("Neg", ["x"], ["t_out"], name="neg")], "then", [],
                               [out_info("t_out")])
    else_g = helper.make_graph([helper.make_node("Abs", ["x"], ["e_out"], name="abs")], "else", [],
                               [out_info("e_out")])
    nodes = [const_node("c", np.array(True)),
             helper.make_node("If", ["c"], ["y"], name="if1", then_branch=then_g, else_branch=else_g)]
    save(model_of(nodes, [x], [out_info("y")]), "if_const.onnx")
    # If with a runtime condition: both branches and a Where
    cond = helper.make_tensor_value_info("cond", TensorProto.BOOL, [1])
    nodes = [helper.make_node("If", ["cond"], ["y"], name="if2", then_branch=then_g, else_branch=else_g)]
    save(model_of(nodes, [cond, x], [out_info("y")]), "if_where.onnx")
    # Loop with constant trip count 3: carried y += x (outer), scan output stacks y
    body = helper.make_graph(
        [helper.make_node("Identity", ["cond_in"], ["cond_out"]),
         helper.make_node("Add", ["y_in", "x"], ["y_out"], name="acc"),
         helper.make_node("Identity", ["y_out"], ["scan_out"])],
        "body",
        [helper.make_tensor_value_info("i", TensorProto.INT64, []),
         helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
         helper.make_tensor_value_info("y_in", F, [2])],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []), out_info("y_out"), out_info("scan_out")])
    nodes = [const_node("m", np.array(3, np.int64)), const_node("t", np.array(True)),
             helper.make_node("Loop", ["m", "t", "x"], ["y_final", "ys"], name="loop", body=body)]
    save(model_of(nodes, [x], [out_info("y_final"), out_info("ys")]), "loop_unroll.onnx")
    m = helper.make_tensor_value_info("m", TensorProto.INT64, [])
    nodes = [const_node("t", np.array(True)),
             helper.make_node("Loop", ["m", "t", "x"], ["y_final", "ys"], name="loop", body=body)]
    save(model_of(nodes, [m, x], [out_info("y_final"), out_info("ys")]), "loop_dynamic.onnx")
    nodes = [const_node("m", np.array(5000, np.int64)), const_node("t", np.array(True)),
             helper.make_node("Loop", ["m", "t", "x"], ["y_final", "ys"], name="loop", body=body)]
    save(model_of(nodes, [x], [out_info("y_final"), out_info("ys")]), "loop_too_long.onnx")
    # Scan (opset 11) over axis 0 of a [3, 2] input: running sum
    sbody = helper.make_graph(
        [helper.make_node("Add", ["s_in", "xt"], ["s_out"], name="sum"),
         helper.make_node("Identity", ["s_out"], ["scan_out"])],
        "sbody", [helper.make_tensor_value_info("s_in", F, [2]), helper.make_tensor_value_info("xt", F, [2])],
        [out_info("s_out"), out_info("scan_out")])
    init = helper.make_tensor_value_info("init", F, [2])
    xs = helper.make_tensor_value_info("xs", F, [3, 2])
    nodes = [helper.make_node("Scan", ["init", "xs"], ["s", "z"], name="scan", num_scan_inputs=1, body=sbody)]
    save(model_of(nodes, [init, xs], [out_info("s"), out_info("z")], opset=11), "scan_sum.onnx")
    # sequences: construct, insert at 1, erase at 0, at 2, length, concat
    a, b, c, d = (helper.make_tensor_value_info(n, F, [2]) for n in "abcd")
    nodes = [helper.make_node("SequenceConstruct", ["a", "b", "c"], ["s0"]),
             const_node("p1", np.array(1, np.int64)), const_node("p0", np.array(0, np.int64)),
             const_node("p2", np.array(2, np.int64)),
             helper.make_node("SequenceInsert", ["s0", "d", "p1"], ["s1"]),   # a d b c
             helper.make_node("SequenceErase", ["s1", "p0"], ["s2"]),        # d b c
             helper.make_node("SequenceAt", ["s2", "p2"], ["at"]),           # c
             helper.make_node("SequenceLength", ["s2"], ["len"]),            # 3
             helper.make_node("ConcatFromSequence", ["s2"], ["cat"], axis=0, new_axis=1),
             helper.make_node("Optional", ["a"], ["o"]),
             helper.make_node("OptionalHasElement", ["o"], ["has"]),
             helper.make_node("OptionalGetElement", ["o"], ["got"])]
    outs = [out_info("at"), out_info("len", TensorProto.INT64), out_info("cat"),
            out_info("has", TensorProto.BOOL), out_info("got")]
    save(model_of(nodes, [a, b, c, d], outs, opset=15), "seq_ops.onnx")
    # sequence-typed graph input: cannot be represented
    seq_in = helper.make_value_info("sq", helper.make_sequence_type_proto(helper.make_tensor_type_proto(F, [2])))
    nodes = [const_node("p0", np.array(0, np.int64)), helper.make_node("SequenceAt", ["sq", "p0"], ["y"])]
    save(model_of(nodes, [seq_in], [out_info("y")], opset=15), "seq_input.onnx")
    # a runtime position
    p = helper.make_tensor_value_info("pos", TensorProto.INT64, [])
    nodes = [helper.make_node("SequenceConstruct", ["a", "b"], ["s0"]),
             helper.make_node("SequenceAt", ["s0", "pos"], ["y"])]
    save(model_of(nodes, [a, b, p], [out_info("y")], opset=15), "seq_dynamic_pos.onnx")


def main():
    os.makedirs(OUT, exist_ok=True)
    dtype_models()
    external_models()
    constant_models()
    rewrite_models()
    misc_models()
    legacy_models()
    control_models()


if __name__ == "__main__":
    main()
