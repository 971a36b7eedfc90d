# lit configuration for the IR-text pass tests (tests/lit/*.ir).
#
# Each test is an IR graph file whose '#' comments hold RUN lines and FileCheck CHECK lines
# (IR comments start with '#', so the files also parse as IR). Several graphs in one file
# are separated with split-file ('#--- name.ir' markers) and checked with one
# --check-prefix per graph.
#
# Parameters (lit --param NAME=VALUE; set by tests/CMakeLists.txt's `lit` ctest):
#   omc        the built omc            (substitution %omc)
#   llvm_bin   folder with FileCheck, split-file, not (default /usr/lib/llvm-19/bin)
#   exec_root  where lit writes its Output/ folders (default: a build folder, never the sources)
import os
import sys

import lit.formats

config.name = "omc-passes"
config.test_format = lit.formats.ShTest(True)
config.suffixes = [".ir"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = lit_config.params.get("exec_root", os.path.join("/tmp", "omc-lit"))

omc = lit_config.params.get("omc")
if not omc:
    lit_config.fatal("pass --param omc=<path to the built omc>")
llvm_bin = lit_config.params.get("llvm_bin", "/usr/lib/llvm-19/bin")
config.substitutions.append(("%omc", omc))
# the interpreter running lit (CMake starts it as /usr/bin/python3, which has numpy)
config.substitutions.append(("%python", sys.executable))
# omrun is built next to omc (tools/)
config.substitutions.append(("%omrun", os.path.join(os.path.dirname(omc), "omrun")))
config.environment["PATH"] = os.pathsep.join([llvm_bin, config.environment.get("PATH", "/usr/bin:/bin")])
