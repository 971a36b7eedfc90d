// ort_bench.js: the ONNX Runtime side of the benchmark (bench/run.py drives it; not a test).
//
//   node ort_bench.js SPEC.json [--serve]      (SPEC written by run.py)
//   node ort_bench.js --baseline                (loads onnxruntime-node only; for the RSS floor)
//
// SPEC: {"model": path, "threads": N, "runs": N, "outdir": DIR,
//        "inputs": [{"name", "file", "dtype": "float32"|"int64"|..., "dims": [...]}]}
// The session uses ONNX Runtime's CPU provider with graph optimization "all",
// intraOpNumThreads = threads, interOpNumThreads = 1 and sequential execution, the
// settings issue 5 compares omc against. Inputs are raw little-endian files.
//
// Serve mode speaks the protocol of bench/omc_bench.c: one JSON description line, then one
// JSON answer per stdin command (run -> {"ms", "cpu_ms"}, out -> writes DIR/out_<i>.bin in the
// session's output order, quit -> {"maxrss_kb"}). Batch mode runs `runs` times and prints
// one JSON object. Only session.run is timed (the await included: that is how a Node user
// calls it). Errors are one JSON line with an "error" key and a non-zero exit status.
'use strict';
const fs = require('fs');
const path = require('path');
const readline = require('readline');

function emit(obj) { process.stdout.write(JSON.stringify(obj) + '\n'); }
function fail(what, err) { emit({ error: what + ': ' + (err && err.message ? err.message : String(err)) }); process.exit(1); }
// Peak RSS of this process image (VmHWM): ru_maxrss would include the forking parent's
// pre-exec peak on Linux.
function maxRssKb() {
  try { const m = /VmHWM:\s*(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8')); if (m) return Number(m[1]); } catch (e) { /* not Linux */ }
  return process.resourceUsage().maxRSS;
}
function nowMs() { return Number(process.hrtime.bigint()) / 1e6; }

const ARRAYS = { float32: Float32Array, float64: Float64Array, int64: BigInt64Array, int32: Int32Array,
                 int8: Int8Array, uint8: Uint8Array, bool: Uint8Array };

async function main() {
  const args = process.argv.slice(2);
  let ort;
  try { ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node')); } catch (e) { fail('onnxruntime-node', e); }
  if (args[0] === '--baseline') { emit({ runtime: 'ort-baseline', maxrss_kb: maxRssKb() }); return; }
  const spec = JSON.parse(fs.readFileSync(args[0], 'utf8'));
  const serve = args.includes('--serve');
  const opts = { intraOpNumThreads: spec.threads, interOpNumThreads: 1, graphOptimizationLevel: 'all',
                 executionMode: 'sequential' };
  let t0 = nowMs();
  let session;
  try { session = await ort.InferenceSession.create(spec.model, opts); } catch (e) { fail(spec.model, e); }
  const loadMs = nowMs() - t0;
  const feeds = {};
  for (const inp of spec.inputs) {
    const A = ARRAYS[inp.dtype];
    if (!A) fail(inp.name, 'unsupported dtype ' + inp.dtype);
    const buf = fs.readFileSync(inp.file);
    const count = inp.dims.reduce((a, b) => a * b, 1);
    if (buf.length !== count * A.BYTES_PER_ELEMENT) fail(inp.file, `expected ${count * A.BYTES_PER_ELEMENT} bytes, found ${buf.length}`);
    const arr = new A(count);
    new Uint8Array(arr.buffer).set(buf);
    feeds[inp.name] = new ort.Tensor(inp.dtype, arr, inp.dims);
  }
  let result = null;
  let lastCpuMs = 0;
  const runOnce = async () => {
    const c = process.cpuUsage();
    const s = nowMs();
    try { result = await session.run(feeds); } catch (e) { fail('run', e); }
    const ms = nowMs() - s;
    const d = process.cpuUsage(c);
    lastCpuMs = (d.user + d.system) / 1e3;
    return ms;
  };
  const writeOutputs = () => {
    session.outputNames.forEach((n, i) => {
      const d = result[n].data;
      fs.writeFileSync(path.join(spec.outdir, `out_${i}.bin`), Buffer.from(d.buffer, d.byteOffset, d.byteLength));
    });
  };
  const head = { runtime: 'ort', version: ort.env.versions ? ort.env.versions.common : undefined,
                 threads: spec.threads, load_ms: loadMs, inputs: session.inputNames, outputs: session.outputNames };
  if (!serve) {
    const ms = [];
    for (let r = 0; r < spec.runs; r++) ms.push(await runOnce());
    writeOutputs();
    emit({ ...head, ms, maxrss_kb: maxRssKb() });
    return;
  }
  emit(head);
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  for await (const line of rl) {
    const cmd = line.trim();
    if (cmd === 'run') { const ms = await runOnce(); emit({ ms, cpu_ms: lastCpuMs }); }
    else if (cmd === 'out') { if (!result) await runOnce(); writeOutputs(); emit({ ok: true }); }
    else if (cmd === 'quit') break;
    else fail('command', 'expected run, out or quit, found ' + cmd);
  }
  emit({ maxrss_kb: maxRssKb() });
  process.exit(0);
}

main().catch((e) => fail('ort_bench', e));
