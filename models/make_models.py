#!/usr/bin/python3
"""Builds the repo's test models and their reference outputs.

Writes, for each model, <outdir>/<name>/{model.onnx,input.npy,expected.npy}:
  mlp        opset 13, input x[batch,64] (batch is a symbolic dim: pin it with
             --input-shape "x:2,64"; input.npy has batch 2):
             Gemm 128 + Relu -> Gemm 64 -> (Sigmoid + Tanh) -> Gemm 10 -> Softmax
  cnn_small  opset 17, input x[1,3,32,32]:
             Conv 3x3 pad 1 + BatchNormalization + Relu -> MaxPool 2 ->
             Conv 3x3 stride 2 group 2 + Clip -> Concat with (x*s - t) -> AveragePool 3/2 pad 1 ->
             Conv 1x1 -> residual branch (Reshape, Transpose, MatMul, Transpose, Reshape, Div) Add ->
             GlobalAveragePool -> Flatten -> Gemm -> Softmax

Weights and inputs come from numpy.random.default_rng(seed); the expected outputs are
computed by the plain numpy reference implementation below (independent of omc and of
onnx's runtime). Deterministic: running it twice writes identical files.

Usage: /usr/bin/python3 models/make_models.py [outdir]   (default: the folder of this script)
       /usr/bin/python3 models/make_models.py --large OUTDIR [resnet50|bert|bertN ...]
         (large models with random weights, never committed: ResNet-50 (~100 MB) and a
         BERT-base encoder of N layers (default 12, ~340 MB); model.onnx and input.npy only)
       /usr/bin/python3 models/make_models.py --self-check
         (checks the reference ops against ONNX's backend test data in libonnx-testdata)
Needs Debian's python3-onnx (1.12) and python3-numpy.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# ---- numpy reference ops (float64 internally, float32 results) ------------------------


def ref_gemm(a, b, c=None, alpha=1.0, beta=1.0, trans_a=0, trans_b=0):
    a = a.T if trans_a else a
    b = b.T if trans_b else b
    y = alpha * (a.astype(np.float64) @ b.astype(np.float64))
    if c is not None:
        y = y + beta * c.astype(np.float64)
    return y


def ref_softmax(x, axis=-1):
    x = x.astype(np.float64)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def ref_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def ref_conv2d(x, w, b=None, strides=(1, 1), pads=(0, 0, 0, 0), dilations=(1, 1), group=1):
    """x [N,C,H,W], w [M,C/group,kh,kw], pads (top,left,bottom,right)."""
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    assert c == cg * group and m % group == 0
    xp = np.zeros((n, c, h + pads[0] + pads[2], wd + pads[1] + pads[3]), dtype=np.float64)
    xp[:, :, pads[0]:pads[0] + h, pads[1]:pads[1] + wd] = x
    oh = (xp.shape[2] - dilations[0] * (kh - 1) - 1) // strides[0] + 1
    ow = (xp.shape[3] - dilations[1] * (kw - 1) - 1) // strides[1] + 1
    y = np.zeros((n, m, oh, ow), dtype=np.float64)
    mg = m // group
    for g in range(group):
        xs = xp[:, g * cg:(g + 1) * cg]
        for oc in range(g * mg, (g + 1) * mg):
            for i in range(kh):
                for j in range(kw):
                    hi = i * dilations[0]
                    wj = j * dilations[1]
                    patch = xs[:, :, hi:hi + strides[0] * (oh - 1) + 1:strides[0],
                               wj:wj + strides[1] * (ow - 1) + 1:strides[1]]
                    y[:, oc] += np.tensordot(patch, w[oc, :, i, j].astype(np.float64), axes=([1], [0]))
            if b is not None:
                y[:, oc] += b[oc]
    return y


def ref_batchnorm(x, scale, bias, mean, var, eps):
    shp = (1, -1) + (1,) * (x.ndim - 2)
    return ((x - mean.reshape(shp)) / np.sqrt(var.reshape(shp).astype(np.float64) + eps)
            * scale.reshape(shp) + bias.reshape(shp))


def ref_pool2d(x, kernel, strides, pads, mode, count_include_pad=0):
    """mode 'max' or 'avg'; pads (top,left,bottom,right); floor output size."""
    n, c, h, w = x.shape
    fill = -np.inf if mode == "max" else 0.0
    xp = np.full((n, c, h + pads[0] + pads[2], w + pads[1] + pads[3]), fill, dtype=np.float64)
    xp[:, :, pads[0]:pads[0] + h, pads[1]:pads[1] + w] = x
    valid = np.zeros(xp.shape[2:], dtype=np.float64)
    valid[pads[0]:pads[0] + h, pads[1]:pads[1] + w] = 1.0
    oh = (xp.shape[2] - kernel[0]) // strides[0] + 1
    ow = (xp.shape[3] - kernel[1]) // strides[1] + 1
    y = np.zeros((n, c, oh, ow), dtype=np.float64)
    for i in range(oh):
        for j in range(ow):
            hs, ws = i * strides[0], j * strides[1]
            win = xp[:, :, hs:hs + kernel[0], ws:ws + kernel[1]]
            if mode == "max":
                y[:, :, i, j] = win.max(axis=(2, 3))
            else:
                cnt = kernel[0] * kernel[1] if count_include_pad else \
                    valid[hs:hs + kernel[0], ws:ws + kernel[1]].sum()
                y[:, :, i, j] = win.sum(axis=(2, 3)) / cnt
    return y


# ---- helpers ----------------------------------------------------------------------------


def init(name, arr):
    return numpy_helper.from_array(np.ascontiguousarray(arr), name)


def f32(rng, *shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def save(outdir, name, model, x, y):
    d = os.path.join(outdir, name)
    os.makedirs(d, exist_ok=True)
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(d, "model.onnx"))
    np.save(os.path.join(d, "input.npy"), x)
    np.save(os.path.join(d, "expected.npy"), y.astype(np.float32))
    print("wrote %s: input %s, output %s" % (d, list(x.shape), list(y.shape)))


# ---- large models (generated on demand, never committed) -------------------------------------


def save_large(outdir, name, model, x):
    """Writes <outdir>/<name>/{model.onnx,input.npy}; no numpy reference (too slow): compare
    omc's output with and without the optimizing passes instead."""
    d = os.path.join(outdir, name)
    os.makedirs(d, exist_ok=True)
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(d, "model.onnx"))
    np.save(os.path.join(d, "input.npy"), x)
    print("wrote %s: input %s" % (d, list(x.shape)))


def make_resnet50(outdir):
    """ResNet-50 v1.5 (torchvision topology), opset 17, input x[1,3,224,224], output prob
    [1,1000] (Softmax): Conv (no bias) + BatchNormalization + Relu everywhere, bottleneck
    blocks [3,4,6,3] with the stride on the 3x3 conv, projection shortcuts with BN.
    Random He-scaled weights and BN statistics."""
    rng = np.random.default_rng(50)
    nodes, inits = [], []
    counter = [0]

    def name(prefix):
        counter[0] += 1
        return "%s%d" % (prefix, counter[0])

    def conv_bn(x, cin, cout, k, stride, relu, gamma_scale=1.0):
        n = name("conv")
        w = f32(rng, cout, cin, k, k, scale=np.sqrt(2.0 / (cin * k * k)))
        inits.extend([init(n + "_w", w),
                      init(n + "_bn_s", ((1.0 + 0.1 * rng.standard_normal(cout)) * gamma_scale).astype(np.float32)),
                      init(n + "_bn_b", f32(rng, cout, scale=0.1)),
                      init(n + "_bn_m", f32(rng, cout, scale=0.1)),
                      init(n + "_bn_v", (0.5 + rng.random(cout)).astype(np.float32))])
        p = k // 2
        nodes.append(helper.make_node("Conv", [x, n + "_w"], [n], name=n, kernel_shape=[k, k],
                                      strides=[stride, stride], pads=[p, p, p, p]))
        nodes.append(helper.make_node("BatchNormalization", [n, n + "_bn_s", n + "_bn_b", n + "_bn_m", n + "_bn_v"],
                                      [n + "_bn"], name=n + "_bn", epsilon=1e-5))
        if not relu:
            return n + "_bn"
        nodes.append(helper.make_node("Relu", [n + "_bn"], [n + "_relu"], name=n + "_relu"))
        return n + "_relu"

    x = conv_bn("x", 3, 64, 7, 2, True)
    nodes.append(helper.make_node("MaxPool", [x], ["pool1"], kernel_shape=[3, 3], strides=[2, 2],
                                  pads=[1, 1, 1, 1]))
    x, cin = "pool1", 64
    for stage, (blocks, width) in enumerate([(3, 64), (4, 128), (6, 256), (3, 512)]):
        for b in range(blocks):
            stride = 2 if stage > 0 and b == 0 else 1
            cout = width * 4
            y = conv_bn(x, cin, width, 1, 1, True)
            y = conv_bn(y, width, width, 3, stride, True)
            y = conv_bn(y, width, cout, 1, 1, False, gamma_scale=0.3)
            sc = conv_bn(x, cin, cout, 1, stride, False) if b == 0 else x
            s = name("add")
            nodes.append(helper.make_node("Add", [y, sc], [s], name=s))
            nodes.append(helper.make_node("Relu", [s], [s + "_relu"], name=s + "_relu"))
            x, cin = s + "_relu", cout
    inits.extend([init("fc_w", f32(rng, 1000, 2048, scale=np.sqrt(1.0 / 2048))), init("fc_b", f32(rng, 1000, scale=0.01))])
    nodes.extend([helper.make_node("GlobalAveragePool", [x], ["gap"]),
                  helper.make_node("Flatten", ["gap"], ["flat"], axis=1),
                  helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["fc"], transB=1),
                  helper.make_node("Softmax", ["fc"], ["prob"], axis=-1)])
    graph = helper.make_graph(nodes, "resnet50",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 224, 224])],
                              [helper.make_tensor_value_info("prob", TensorProto.FLOAT, [1, 1000])], inits)
    model = helper.make_model(graph, producer_name="omc-make_models", opset_imports=[helper.make_opsetid("", 17)])
    save_large(outdir, "resnet50", model, f32(np.random.default_rng(51), 1, 3, 224, 224))


def make_bert(outdir, layers=12, hidden=768, heads=12, seq=128, ffn=3072):
    """A BERT-base encoder stack as PyTorch's exporter writes it (opset 17): input hidden
    states x[1,seq,hidden] (embeddings left out), per layer Q/K/V MatMul + bias Add, Reshape /
    Transpose into heads, MatMul(Q, K^T) / sqrt(head_dim), Softmax, MatMul(., V), Transpose /
    Reshape back, output projection + bias + residual, decomposed LayerNorm
    (ReduceMean/Sub/Pow/ReduceMean/Add(1e-12)/Sqrt/Div/Mul/Add), FFN MatMul + bias, Erf-form
    GELU (x * (erf(x / sqrt 2) + 1) * 0.5), MatMul + bias + residual, LayerNorm. Output y."""
    rng = np.random.default_rng(768)
    hd = hidden // heads
    nodes, inits = [], []
    consts = {"sqrt2": np.array(1.4142135381698608, np.float32), "one": np.array(1.0, np.float32),
              "half": np.array(0.5, np.float32), "two": np.array(2.0, np.float32),
              "eps": np.array(1e-12, np.float32), "scale": np.array(np.sqrt(hd), np.float32),
              "shape_heads": np.array([1, seq, heads, hd], np.int64),
              "shape_hidden": np.array([1, seq, hidden], np.int64)}
    inits.extend(init(k, v) for k, v in consts.items())

    def node(op, ins, out, **attrs):
        nodes.append(helper.make_node(op, ins, [out], name=out, **attrs))
        return out

    def linear(x, cin, cout, p):
        inits.extend([init(p + "_w", f32(rng, cin, cout, scale=np.sqrt(1.0 / cin))),
                      init(p + "_b", f32(rng, cout, scale=0.02))])
        return node("Add", [node("MatMul", [x, p + "_w"], p + "_mm"), p + "_b"], p)

    def layer_norm(x, p):
        inits.extend([init(p + "_g", (1.0 + 0.1 * rng.standard_normal(hidden)).astype(np.float32)),
                      init(p + "_beta", f32(rng, hidden, scale=0.1))])
        m = node("ReduceMean", [x], p + "_mean", axes=[-1])
        d = node("Sub", [x, m], p + "_sub")
        v = node("ReduceMean", [node("Pow", [d, "two"], p + "_pow")], p + "_var", axes=[-1])
        s = node("Sqrt", [node("Add", [v, "eps"], p + "_addeps")], p + "_sqrt")
        n = node("Div", [d, s], p + "_div")
        return node("Add", [node("Mul", [n, p + "_g"], p + "_mul"), p + "_beta"], p)

    x = "x"
    for i in range(layers):
        p = "l%d_" % i
        q = node("Transpose", [node("Reshape", [linear(x, hidden, hidden, p + "q"), "shape_heads"], p + "q_r")],
                 p + "q_t", perm=[0, 2, 1, 3])
        k = node("Transpose", [node("Reshape", [linear(x, hidden, hidden, p + "k"), "shape_heads"], p + "k_r")],
                 p + "k_t", perm=[0, 2, 3, 1])
        v = node("Transpose", [node("Reshape", [linear(x, hidden, hidden, p + "v"), "shape_heads"], p + "v_r")],
                 p + "v_t", perm=[0, 2, 1, 3])
        sc = node("Div", [node("MatMul", [q, k], p + "qk"), "scale"], p + "qk_s")
        ctx = node("MatMul", [node("Softmax", [sc], p + "probs", axis=-1), v], p + "ctx")
        ctx = node("Reshape", [node("Transpose", [ctx], p + "ctx_t", perm=[0, 2, 1, 3]), "shape_hidden"], p + "ctx_r")
        a = layer_norm(node("Add", [linear(ctx, hidden, hidden, p + "o"), x], p + "res1"), p + "ln1")
        h = linear(a, hidden, ffn, p + "ff1")
        e = node("Add", [node("Erf", [node("Div", [h, "sqrt2"], p + "gelu_div")], p + "gelu_erf"), "one"],
                 p + "gelu_add")
        g = node("Mul", [node("Mul", [h, e], p + "gelu_mul"), "half"], p + "gelu")
        x = layer_norm(node("Add", [linear(g, ffn, hidden, p + "ff2"), a], p + "res2"), p + "ln2")
    nodes.append(helper.make_node("Identity", [x], ["y"]))
    graph = helper.make_graph(nodes, "bert_encoder",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, seq, hidden])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, seq, hidden])], inits)
    model = helper.make_model(graph, producer_name="omc-make_models", opset_imports=[helper.make_opsetid("", 17)])
    save_large(outdir, "bert" if layers == 12 else "bert%d" % layers, model,
               f32(np.random.default_rng(769), 1, seq, hidden))


# ---- the MLP (opset 13) --------------------------------------------------------------------


def make_mlp(outdir):
    rng = np.random.default_rng(1234)
    w1, b1 = f32(rng, 128, 64, scale=0.15), f32(rng, 128, scale=0.1)   # used with transB=1
    w2, b2 = f32(rng, 128, 64, scale=0.1), f32(rng, 64, scale=0.1)     # plain [K,N]
    w3, b3 = f32(rng, 10, 64, scale=0.3), f32(rng, 1, 10, scale=0.1)   # transB=1, bias [1,10]
    x = f32(rng, 2, 64)

    nodes = [
        helper.make_node("Gemm", ["x", "w1", "b1"], ["g1"], name="fc1", transB=1),
        helper.make_node("Relu", ["g1"], ["r1"], name="relu1"),
        helper.make_node("Gemm", ["r1", "w2", "b2"], ["g2"], name="fc2", alpha=0.5, beta=2.0),
        helper.make_node("Sigmoid", ["g2"], ["s2"], name="sig2"),
        helper.make_node("Tanh", ["g2"], ["t2"], name="tanh2"),
        helper.make_node("Add", ["s2", "t2"], ["a2"], name="mix2"),
        helper.make_node("Gemm", ["a2", "w3", "b3"], ["g3"], name="fc3", transB=1),
        helper.make_node("Softmax", ["g3"], ["prob"], name="softmax"),
    ]
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 64])],
        [helper.make_tensor_value_info("prob", TensorProto.FLOAT, ["batch", 10])],
        [init("w1", w1), init("b1", b1), init("w2", w2), init("b2", b2), init("w3", w3), init("b3", b3)])
    model = helper.make_model(graph, producer_name="omc-make_models",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7

    g1 = ref_gemm(x, w1, b1, trans_b=1)
    r1 = np.maximum(g1, 0)
    g2 = ref_gemm(r1, w2, b2, alpha=0.5, beta=2.0)
    a2 = ref_sigmoid(g2) + np.tanh(g2)
    g3 = ref_gemm(a2, w3, b3, trans_b=1)
    y = ref_softmax(g3, axis=-1)
    save(outdir, "mlp", model, x, y)


# ---- the small CNN (opset 17) ---------------------------------------------------------------


def make_cnn(outdir):
    rng = np.random.default_rng(5678)
    w1, b1 = f32(rng, 8, 3, 3, 3, scale=0.3), f32(rng, 8, scale=0.1)
    bn_s = (1.0 + 0.1 * rng.standard_normal(8)).astype(np.float32)
    bn_b = f32(rng, 8, scale=0.1)
    bn_m = f32(rng, 8, scale=0.1)
    bn_v = (0.5 + rng.random(8)).astype(np.float32)
    w2, b2 = f32(rng, 8, 4, 3, 3, scale=0.3), f32(rng, 8, scale=0.1)
    clip_lo, clip_hi = np.array(0.0, np.float32), np.array(6.0, np.float32)
    cs = f32(rng, 1, 8, 1, 1, scale=0.5)       # Mul operand, broadcast over N,H,W
    ct = f32(rng, 8, 1, 1, scale=0.2)          # Sub operand, rank 3 broadcast
    w3, b3 = f32(rng, 32, 16, 1, 1, scale=0.3), f32(rng, 32, scale=0.1)
    wm = f32(rng, 32, 32, scale=0.2)
    two = np.array([2.0], np.float32)
    shape_a = np.array([1, 32, 16], np.int64)
    shape_b = np.array([1, 32, 4, 4], np.int64)
    wf, bf = f32(rng, 32, 10, scale=0.08), f32(rng, 10, scale=0.1)
    x = f32(rng, 1, 3, 32, 32)

    N = helper.make_node
    nodes = [
        N("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        N("BatchNormalization", ["c1", "bn_s", "bn_b", "bn_m", "bn_v"], ["n1"], name="bn1",
          epsilon=1e-3),
        N("Relu", ["n1"], ["r1"], name="relu1"),
        N("MaxPool", ["r1"], ["p1"], name="pool1", kernel_shape=[2, 2], strides=[2, 2]),
        N("Conv", ["p1", "w2", "b2"], ["c2"], name="conv2", kernel_shape=[3, 3], strides=[2, 2],
          pads=[1, 1, 1, 1], group=2),
        N("Clip", ["c2", "clip_lo", "clip_hi"], ["k2"], name="clip2"),
        N("Mul", ["k2", "cs"], ["m2"], name="scale2"),
        N("Sub", ["m2", "ct"], ["s2"], name="shift2"),
        N("Concat", ["k2", "s2"], ["cat"], name="concat", axis=1),
        N("AveragePool", ["cat"], ["p2"], name="pool2", kernel_shape=[3, 3], strides=[2, 2],
          pads=[1, 1, 1, 1]),
        N("Conv", ["p2", "w3", "b3"], ["c3"], name="conv3", kernel_shape=[1, 1]),
        N("Reshape", ["c3", "shape_a"], ["ra"], name="flat_hw"),
        N("Transpose", ["ra"], ["ta"], name="to_tokens", perm=[0, 2, 1]),
        N("MatMul", ["ta", "wm"], ["mm"], name="mix"),
        N("Transpose", ["mm"], ["tb"], name="to_channels", perm=[0, 2, 1]),
        N("Reshape", ["tb", "shape_b"], ["rb"], name="unflat_hw"),
        N("Div", ["rb", "two"], ["half"], name="halve"),
        N("Add", ["c3", "half"], ["res"], name="residual"),
        N("GlobalAveragePool", ["res"], ["gap"], name="gap"),
        N("Flatten", ["gap"], ["flat"], name="flatten", axis=1),
        N("Gemm", ["flat", "wf", "bf"], ["logits"], name="fc"),
        N("Softmax", ["logits"], ["prob"], name="softmax"),
    ]
    inits = [init("w1", w1), init("b1", b1), init("bn_s", bn_s), init("bn_b", bn_b),
             init("bn_m", bn_m), init("bn_v", bn_v), init("w2", w2), init("b2", b2),
             init("clip_lo", clip_lo), init("clip_hi", clip_hi), init("cs", cs), init("ct", ct),
             init("w3", w3), init("b3", b3), init("shape_a", shape_a), init("wm", wm),
             init("shape_b", shape_b), init("two", two), init("wf", wf), init("bf", bf)]
    graph = helper.make_graph(
        nodes, "cnn_small",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 32, 32])],
        [helper.make_tensor_value_info("prob", TensorProto.FLOAT, [1, 10])],
        inits)
    model = helper.make_model(graph, producer_name="omc-make_models",
                              opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8

    c1 = ref_conv2d(x, w1, b1, pads=(1, 1, 1, 1))
    r1 = np.maximum(ref_batchnorm(c1, bn_s, bn_b, bn_m, bn_v, 1e-3), 0)
    p1 = ref_pool2d(r1, (2, 2), (2, 2), (0, 0, 0, 0), "max")
    c2 = ref_conv2d(p1, w2, b2, strides=(2, 2), pads=(1, 1, 1, 1), group=2)
    k2 = np.clip(c2, 0.0, 6.0)
    s2 = k2 * cs - ct
    cat = np.concatenate([k2, s2], axis=1)
    p2 = ref_pool2d(cat, (3, 3), (2, 2), (1, 1, 1, 1), "avg", count_include_pad=0)
    c3 = ref_conv2d(p2, w3, b3)
    ta = c3.reshape(1, 32, 16).transpose(0, 2, 1)
    mm = ta @ wm.astype(np.float64)
    rb = mm.transpose(0, 2, 1).reshape(1, 32, 4, 4)
    res = c3 + rb / 2.0
    flat = res.mean(axis=(2, 3), keepdims=True).reshape(1, 32)
    y = ref_softmax(ref_gemm(flat, wf, bf), axis=-1)
    save(outdir, "cnn_small", model, x, y)


# ---- self check: the reference ops against ONNX's backend test data ---------------------

SUITE = "/usr/share/libonnx-testdata/data/node"


def load_case(name):
    d = os.path.join(SUITE, name, "test_data_set_0")
    def rd(f):
        t = TensorProto()
        with open(os.path.join(d, f), "rb") as fh:
            t.ParseFromString(fh.read())
        return numpy_helper.to_array(t)
    ins = [rd(f) for f in sorted(os.listdir(d)) if f.startswith("input_")]
    outs = [rd(f) for f in sorted(os.listdir(d)) if f.startswith("output_")]
    return ins, outs


def self_check():
    """Runs the reference ops on suite cases with the same attributes; returns failures."""
    cases = {
        "test_conv_with_strides_padding":
            lambda i: ref_conv2d(i[0], i[1], strides=(2, 2), pads=(1, 1, 1, 1)),
        "test_conv_with_strides_and_asymmetric_padding":
            lambda i: ref_conv2d(i[0], i[1], strides=(2, 2), pads=(1, 0, 1, 0)),
        "test_maxpool_2d_pads":
            lambda i: ref_pool2d(i[0], (3, 3), (1, 1), (2, 2, 2, 2), "max"),
        "test_maxpool_2d_strides":
            lambda i: ref_pool2d(i[0], (5, 5), (3, 3), (0, 0, 0, 0), "max"),
        "test_averagepool_2d_pads":
            lambda i: ref_pool2d(i[0], (3, 3), (1, 1), (2, 2, 2, 2), "avg"),
        "test_averagepool_2d_pads_count_include_pad":
            lambda i: ref_pool2d(i[0], (3, 3), (1, 1), (2, 2, 2, 2), "avg", count_include_pad=1),
        "test_batchnorm_epsilon":
            lambda i: ref_batchnorm(*i, 1e-2),
        "test_gemm_all_attributes":
            lambda i: ref_gemm(i[0], i[1], i[2], alpha=0.25, beta=0.35, trans_a=1, trans_b=1),
        "test_softmax_axis_1": lambda i: ref_softmax(i[0], axis=1),
        "test_sigmoid": lambda i: ref_sigmoid(i[0].astype(np.float64)),
    }
    bad = 0
    for name, fn in cases.items():
        ins, outs = load_case(name)
        got = fn(ins)
        ok = got.shape == outs[0].shape and np.allclose(got, outs[0], rtol=1e-4, atol=1e-6)
        print("%-50s %s" % (name, "ok" if ok else "MISMATCH"))
        bad += 0 if ok else 1
    return bad


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--self-check":
        return 1 if self_check() else 0
    if len(sys.argv) > 2 and sys.argv[1] == "--large":
        # --large OUTDIR [resnet50|bert|bertN ...]: the large models (default: resnet50, bert)
        which = sys.argv[3:] or ["resnet50", "bert"]
        for w in which:
            if w == "resnet50":
                make_resnet50(sys.argv[2])
            elif w.startswith("bert"):
                make_bert(sys.argv[2], layers=int(w[4:] or 12))
            else:
                print("unknown large model '%s' (resnet50, bert, bertN)" % w, file=sys.stderr)
                return 2
        return 0
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    make_mlp(outdir)
    make_cnn(outdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
