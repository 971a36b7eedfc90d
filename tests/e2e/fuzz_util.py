"""What tests/e2e/onnx_fuzz.py and ir_fuzz.py share: running a tool on a damaged input and the
rules every such run must keep (finish in time, exit 0, 1 or 2, no sanitizer report), and the
common command line."""
import argparse
import subprocess


def run(cmd, timeout):
    """(exit status, stderr); status None when the command outlived timeout seconds."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=timeout)
        return p.returncode, p.stderr
    except subprocess.TimeoutExpired:
        return None, "timeout after %d s" % timeout


def broken(tool, rc, err):
    """A description when the run broke the rules (hang, crash, odd status, sanitizer report,
    a failure with nothing on stderr), else None."""
    if rc is None:
        return "%s hung (%s)" % (tool, err)
    if rc < 0 or rc >= 128 or rc not in (0, 1, 2):
        return "%s exited with status %d: %s" % (tool, rc, err.strip()[-300:])
    if "runtime error:" in err or "Sanitizer" in err:
        return "%s: sanitizer report: %s" % (tool, err.strip()[:400])
    if rc != 0 and not err.strip():
        return "%s failed with nothing on stderr" % tool
    return None


def arguments(description, inputs_help):
    """The fuzzers' common options; `inputs` holds the positional input files."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--omc", required=True)
    ap.add_argument("--omrun", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--iterations", type=int, default=100)
    ap.add_argument("--timeout", type=int, default=60)
    ap.add_argument("inputs", nargs="+", help=inputs_help)
    return ap
