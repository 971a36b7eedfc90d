/* omc: the model compiler. The whole pipeline, one library call per arrow:
 *
 *   model.onnx / graph.ir --load--> IR graph --passes--> optimized IR --codegen--> model.om
 *
 * Argument parsing lives in omc_args.c; the steps live in compiler/. Exit status: 0 on
 * success, 1 when the model cannot be compiled or written, 2 on a usage error.
 */
#include <stdio.h>

#include "compiler/compile.h"
#include "tools/cli.h"
#include "tools/omc_args.h"

int main(int argc, char **argv)
{
    om_cli_tool = "omc";
    omc_args a;
    int rc = omc_args_parse(argc, argv, &a);
    if (rc >= 0) {
        omc_args_free(&a);
        return rc;
    }
    if (a.stats)
        a.opts.stats = om_stats_create();

    om_graph *g = NULL;
    om_status st = om_compile_load_pinned(a.input, &a.pins, &g); /* ONNX or IR text */
    if (st == OM_OK)
        st = om_compile_optimize(g, &a.opts);                 /* the pass pipeline */
    if (a.opts.stats)
        om_stats_print(a.opts.stats, stderr);
    if (st == OM_OK) {
        switch (a.emit) {
        case OMC_EMIT_IR:                                     /* like LLVM's opt -S */
            st = om_compile_emit_ir(g, a.output);
            break;
        case OMC_EMIT_LLVM:                                   /* the kernels' LLVM IR */
            st = om_compile_emit_llvm(g, &a.opts.target, a.output);
            break;
        case OMC_EMIT_OM:                                     /* codegen + artifact */
            st = om_compile_write_om(g, &a.opts.target, a.output);
            break;
        }
    }
    size_t f16_convs = st == OM_OK && a.emit == OMC_EMIT_OM ? om_compile_count_f16_convs(g) : 0;
    if (st != OM_OK)
        om_cli_error("%s", om_last_error());
    else if (f16_convs)
        om_cli_note("%zu Conv node(s) compute in fp16 on the generic kernel, several times slower than "
                    "the vectorized f32 kernels (ResNet-50 about 11x); --widen-f16-convs runs them there "
                    "with the same arithmetic (their weights then take f32 space), and bf16 is the fast "
                    "reduced precision on CPUs; see docs/precision.md",
                    f16_convs);

    om_graph_destroy(g);
    om_stats_destroy(a.opts.stats);
    omc_args_free(&a);
    return st == OM_OK ? OM_CLI_EXIT_OK : OM_CLI_EXIT_FAIL;
}
