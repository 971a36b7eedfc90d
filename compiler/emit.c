/* omc's three outputs: the .om artifact (codegen + om_compile_build_artifact +
 * om_art_write_file), the IR text after the pipeline, and the kernels' LLVM IR.
 * Every output is written atomically: a failure leaves nothing at the destination.
 */
#include <string.h>

#include "compiler/compile.h"

om_status om_compile_write_om(const om_graph *g, const om_cg_target_opts *target, const char *path)
{
    if (!g || !path)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_compile_write_om: NULL argument");
    om_cg_result *r = NULL;
    om_art_model m;
    memset(&m, 0, sizeof m);
    om_status st = om_compile_check_ready(g);
    if (st != OM_OK)
        goto fail;
    if ((st = om_cg_compile(g, target, &r)) != OM_OK)
        goto fail;
    if ((st = om_compile_build_artifact(g, r, &m)) != OM_OK)
        goto fail;
    char err[512] = "";
    if (om_art_write_file(&m, path, err, sizeof err) != 0) {
        if (strstr(err, path))
            st = om_error(OM_ERR_IO, "%s", err);
        else
            st = om_error(OM_ERR_IO, "%s: %s", path, err[0] ? err : "cannot write the artifact");
        goto fail;
    }
fail:
    om_compile_artifact_free(&m);
    om_cg_result_destroy(r);
    return st;
}

om_status om_compile_emit_ir(const om_graph *g, const char *path)
{
    if (!g)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_compile_emit_ir: NULL graph");
    om_compile_out_file o;
    om_status st = om_compile_out_open(&o, path);
    if (st != OM_OK)
        return st;
    om_print_opts po = {.elide_above = 0, .show_mem = true};
    if ((st = om_ir_print(g, o.f, &po)) != OM_OK) {
        om_compile_out_abort(&o);
        return st;
    }
    return om_compile_out_commit(&o);
}

om_status om_compile_emit_llvm(const om_graph *g, const om_cg_target_opts *target, const char *path)
{
    if (!g)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_compile_emit_llvm: NULL graph");
    om_status st = om_compile_check_shapes(g);
    if (st != OM_OK)
        return st;
    om_compile_out_file o;
    if ((st = om_compile_out_open(&o, path)) != OM_OK)
        return st;
    if ((st = om_cg_emit_llvm_ir(g, target, o.f)) != OM_OK) {
        om_compile_out_abort(&o);
        return st;
    }
    return om_compile_out_commit(&o);
}
