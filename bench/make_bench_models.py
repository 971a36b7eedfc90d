#!/usr/bin/python3
"""Builds the benchmark's synthetic models (bench/run.py calls it; never committed outputs).

Reuses models/make_models.py's builders where they exist and adds the ones the benchmark
needs on top. Each model goes to <outdir>/<name>/model.onnx (+ input.npy when the builder
writes one; run.py makes its own seeded inputs anyway):
  resnet50     make_models.make_resnet50: ResNet-50 v1.5, x[1,3,224,224] -> prob[1,1000]
  bert4        make_models.make_bert(layers=4): BERT-base encoder, 4 layers, sequence 128,
               hidden 768, 12 heads, FFN 3072, x[1,128,768] -> y[1,128,768]
  mobilenetv2  here: MobileNetV2 1.0 (torchvision topology), x[1,3,224,224] -> logits[1,1000]
  mlp          make_models.make_mlp: the repo's MLP, x[batch,64] -> prob[batch,10]
  gemm_MxKxN   here: one MatMul y[M,N] = a[M,K] @ B[K,N], B a constant initializer
Weights come from numpy.random.default_rng(seed): deterministic, identical across runs.

Usage: /usr/bin/python3 bench/make_bench_models.py OUTDIR NAME...
       (NAME: resnet50, bert4, mobilenetv2, mlp, gemm_<M>x<K>x<N>); an existing
       OUTDIR/NAME/model.onnx is kept (delete it to rebuild).
Needs Debian's python3-onnx (1.12) and python3-numpy.
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models"))
import make_models as mm  # noqa: E402  (the repo's model script)


def make_mobilenetv2(outdir):
    """MobileNetV2 width 1.0 as torchvision defines it, opset 17: Conv 3x3/2 32 + BN + ReLU6,
    inverted residual blocks (expand t, channels c, repeats n, first stride s) =
    (1,16,1,1) (6,24,2,2) (6,32,3,2) (6,64,4,2) (6,96,3,1) (6,160,3,2) (6,320,1,1), each a
    1x1 expansion (skipped when t = 1) + BN + ReLU6, a depthwise 3x3 + BN + ReLU6 and a 1x1
    projection + BN (no activation), with a residual Add when stride 1 and channels match;
    then Conv 1x1 1280 + BN + ReLU6, GlobalAveragePool, Flatten, Gemm 1000 (logits; no
    Softmax so that output differences are not squashed). ReLU6 is Clip(0, 6). Random
    He-scaled weights and BN statistics."""
    rng = np.random.default_rng(2)
    nodes, inits = [], []
    counter = [0]
    inits.extend([mm.init("relu6_lo", np.array(0.0, np.float32)),
                  mm.init("relu6_hi", np.array(6.0, np.float32))])

    def conv_bn(x, cin, cout, k, stride, group, relu6):
        counter[0] += 1
        n = "conv%d" % counter[0]
        w = mm.f32(rng, cout, cin // group, k, k, scale=np.sqrt(2.0 / (cin // group * k * k)))
        inits.extend([mm.init(n + "_w", w),
                      mm.init(n + "_bn_s", (1.0 + 0.1 * rng.standard_normal(cout)).astype(np.float32)),
                      mm.init(n + "_bn_b", mm.f32(rng, cout, scale=0.1)),
                      mm.init(n + "_bn_m", mm.f32(rng, cout, scale=0.1)),
                      mm.init(n + "_bn_v", (0.5 + rng.random(cout)).astype(np.float32))])
        p = k // 2
        nodes.append(helper.make_node("Conv", [x, n + "_w"], [n], name=n, kernel_shape=[k, k],
                                      strides=[stride, stride], pads=[p, p, p, p], group=group))
        nodes.append(helper.make_node("BatchNormalization",
                                      [n, n + "_bn_s", n + "_bn_b", n + "_bn_m", n + "_bn_v"],
                                      [n + "_bn"], name=n + "_bn", epsilon=1e-5))
        if not relu6:
            return n + "_bn"
        nodes.append(helper.make_node("Clip", [n + "_bn", "relu6_lo", "relu6_hi"], [n + "_relu6"],
                                      name=n + "_relu6"))
        return n + "_relu6"

    x = conv_bn("x", 3, 32, 3, 2, 1, True)
    cin = 32
    for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                       (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
        for i in range(n):
            stride = s if i == 0 else 1
            hidden = cin * t
            y = conv_bn(x, cin, hidden, 1, 1, 1, True) if t != 1 else x
            y = conv_bn(y, hidden, hidden, 3, stride, hidden, True)
            y = conv_bn(y, hidden, c, 1, 1, 1, False)
            if stride == 1 and cin == c:
                a = "add%d" % counter[0]
                nodes.append(helper.make_node("Add", [y, x], [a], name=a))
                y = a
            x, cin = y, c
    x = conv_bn(x, cin, 1280, 1, 1, 1, True)
    inits.extend([mm.init("fc_w", mm.f32(rng, 1000, 1280, scale=np.sqrt(1.0 / 1280))),
                  mm.init("fc_b", mm.f32(rng, 1000, scale=0.01))])
    nodes.extend([helper.make_node("GlobalAveragePool", [x], ["gap"], name="gap"),
                  helper.make_node("Flatten", ["gap"], ["flat"], name="flatten", axis=1),
                  helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["logits"], name="fc",
                                   transB=1)])
    graph = helper.make_graph(nodes, "mobilenetv2",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 224, 224])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 1000])],
                              inits)
    model = helper.make_model(graph, producer_name="omc-bench",
                              opset_imports=[helper.make_opsetid("", 17)])
    mm.save_large(outdir, "mobilenetv2", model, mm.f32(np.random.default_rng(3), 1, 3, 224, 224))


def make_gemm(outdir, m, k, n):
    """y[M,N] = MatMul(a[M,K], B[K,N]) with B a seeded constant, opset 17."""
    rng = np.random.default_rng(m * 1000003 + k * 1009 + n)
    b = mm.f32(rng, k, n, scale=np.sqrt(1.0 / k))
    graph = helper.make_graph([helper.make_node("MatMul", ["a", "b"], ["y"], name="matmul")],
                              "gemm_%dx%dx%d" % (m, k, n),
                              [helper.make_tensor_value_info("a", TensorProto.FLOAT, [m, k])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])],
                              [mm.init("b", b)])
    model = helper.make_model(graph, producer_name="omc-bench",
                              opset_imports=[helper.make_opsetid("", 17)])
    mm.save_large(outdir, "gemm_%dx%dx%d" % (m, k, n), model, mm.f32(rng, m, k))


def build(outdir, name):
    if os.path.exists(os.path.join(outdir, name, "model.onnx")):
        return
    if name == "resnet50":
        mm.make_resnet50(outdir)
    elif name == "bert4":
        mm.make_bert(outdir, layers=4, seq=128)
    elif name == "mobilenetv2":
        make_mobilenetv2(outdir)
    elif name == "mlp":
        mm.make_mlp(outdir)
    elif name.startswith("gemm_"):
        m, k, n = (int(v) for v in name[5:].split("x"))
        make_gemm(outdir, m, k, n)
    else:
        raise SystemExit("make_bench_models: unknown model '%s'" % name)


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    for name in sys.argv[2:]:
        build(sys.argv[1], name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
