#!/usr/bin/python3
"""Makes the fixtures of test_onnx_seq_io.c (sequence and optional graph inputs/outputs,
SequenceMap, SequenceProto/OptionalProto data files). Run with Debian's /usr/bin/python3
(python3-onnx); the generated files are committed under fixtures/seqio_*:

    /usr/bin/python3 tests/unit/frontend/make_seq_io_fixtures.py
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")


def seq_type(elem, shape):
    return helper.make_sequence_type_proto(helper.make_tensor_type_proto(elem, shape))


def opt_type(inner):
    return helper.make_optional_type_proto(inner)


def save(graph, name, opset=17):
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(m.SerializeToString())


def models():
    s = helper.make_value_info("s", seq_type(TensorProto.FLOAT, ["N", 3]))
    # s -> SequenceAt(s, 1) -> y; SequenceLength(s) -> n; Identity(s) -> t (a sequence output)
    one = helper.make_tensor("one", TensorProto.INT64, [], [1])
    nodes = [helper.make_node("SequenceAt", ["s", "one"], ["y"]),
             helper.make_node("SequenceLength", ["s"], ["n"]),
             helper.make_node("Identity", ["s"], ["t"])]
    g = helper.make_graph(nodes, "seqio_input", [s],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None),
                           helper.make_tensor_value_info("n", TensorProto.INT64, []),
                           helper.make_value_info("t", seq_type(TensorProto.FLOAT, None))],
                          initializer=[one])
    save(g, "seqio_input.onnx")

    # SequenceMap: y[i] = s[i] + b (a tensor given to every iteration), z[i] = Shape(s[i])
    body = helper.make_graph([helper.make_node("Add", ["x", "bb"], ["o"]), helper.make_node("Shape", ["x"], ["sh"])],
                             "body", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3]),
                                      helper.make_tensor_value_info("bb", TensorProto.FLOAT, [3])],
                             [helper.make_tensor_value_info("o", TensorProto.FLOAT, ["N", 3]),
                              helper.make_tensor_value_info("sh", TensorProto.INT64, [2])])
    nodes = [helper.make_node("SequenceMap", ["s", "b"], ["y", "z"], body=body)]
    g = helper.make_graph(nodes, "seqio_map", [s, helper.make_tensor_value_info("b", TensorProto.FLOAT, [3])],
                          [helper.make_value_info("y", seq_type(TensorProto.FLOAT, None)),
                           helper.make_value_info("z", seq_type(TensorProto.INT64, None))])
    save(g, "seqio_map.onnx")

    # an optional tensor input: has = OptionalHasElement(o); an optional output echoing it
    o = helper.make_value_info("o", opt_type(helper.make_tensor_type_proto(TensorProto.FLOAT, [2])))
    nodes = [helper.make_node("OptionalHasElement", ["o"], ["has"]),
             helper.make_node("Identity", ["o"], ["oo"])]
    g = helper.make_graph(nodes, "seqio_optional", [o],
                          [helper.make_tensor_value_info("has", TensorProto.BOOL, []),
                           helper.make_value_info("oo", opt_type(helper.make_tensor_type_proto(TensorProto.FLOAT,
                                                                                               [2])))])
    save(g, "seqio_optional.onnx")
    # the same without the optional output (absent optionals cannot be outputs)
    g = helper.make_graph(nodes[:1], "seqio_optional_has", [o],
                          [helper.make_tensor_value_info("has", TensorProto.BOOL, [])])
    save(g, "seqio_optional_has.onnx")

    # an element name taken by another value: input s and an initializer "s.0"
    clash = helper.make_tensor("s.0", TensorProto.FLOAT, [1], [0.0])
    g = helper.make_graph([helper.make_node("SequenceLength", ["s"], ["n"]),
                           helper.make_node("Identity", ["s.0"], ["k"])], "seqio_clash", [s],
                          [helper.make_tensor_value_info("n", TensorProto.INT64, []),
                           helper.make_tensor_value_info("k", TensorProto.FLOAT, [1])], initializer=[clash])
    save(g, "seqio_clash.onnx")

    # SplitToSequence with run-time sizes: only the length is known; using an element fails
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n"])
    sp = helper.make_tensor_value_info("sp", TensorProto.INT64, [3])
    g = helper.make_graph([helper.make_node("SplitToSequence", ["x", "sp"], ["q"]),
                           helper.make_node("SequenceLength", ["q"], ["n"])], "seqio_split_len", [x, sp],
                          [helper.make_tensor_value_info("n", TensorProto.INT64, [])])
    save(g, "seqio_split_len.onnx")
    zero = helper.make_tensor("zero", TensorProto.INT64, [], [0])
    g = helper.make_graph([helper.make_node("SplitToSequence", ["x", "sp"], ["q"]),
                           helper.make_node("SequenceAt", ["q", "zero"], ["e"])], "seqio_split_at", [x, sp],
                          [helper.make_tensor_value_info("e", TensorProto.FLOAT, None)], initializer=[zero])
    save(g, "seqio_split_at.onnx")


def data_files():
    a = numpy_helper.from_array(np.arange(6, dtype=np.float32).reshape(2, 3))
    b = numpy_helper.from_array(np.array([7, 8, 9], dtype=np.float32).reshape(1, 3))
    seq = onnx.SequenceProto(name="s", elem_type=onnx.SequenceProto.TENSOR)
    seq.tensor_values.extend([a, b])
    data = seq.SerializeToString()
    with open(os.path.join(OUT, "seqio_seq.pb"), "wb") as f:
        f.write(data)
    with open(os.path.join(OUT, "seqio_seq_truncated.pb"), "wb") as f:
        f.write(data[:len(data) - 5])
    empty = onnx.OptionalProto(name="o", elem_type=onnx.OptionalProto.UNDEFINED)
    with open(os.path.join(OUT, "seqio_opt_none.pb"), "wb") as f:
        f.write(empty.SerializeToString())
    opt = onnx.OptionalProto(name="o", elem_type=onnx.OptionalProto.TENSOR)
    opt.tensor_value.CopyFrom(numpy_helper.from_array(np.array([1.5, -2], dtype=np.float32)))
    with open(os.path.join(OUT, "seqio_opt_tensor.pb"), "wb") as f:
        f.write(opt.SerializeToString())
    opt = onnx.OptionalProto(name="o", elem_type=onnx.OptionalProto.SEQUENCE)
    opt.sequence_value.CopyFrom(seq)
    with open(os.path.join(OUT, "seqio_opt_seq.pb"), "wb") as f:
        f.write(opt.SerializeToString())
    nested = onnx.SequenceProto(name="nn", elem_type=onnx.SequenceProto.SEQUENCE)
    nested.sequence_values.extend([seq])
    with open(os.path.join(OUT, "seqio_seq_nested.pb"), "wb") as f:
        f.write(nested.SerializeToString())


def main():
    os.makedirs(OUT, exist_ok=True)
    models()
    data_files()


if __name__ == "__main__":
    main()
