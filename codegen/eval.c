/* Compile-time evaluation of one node (see codegen.h): om_cg_compile_node emits the node's
 * kernel for the host (-O0 for small tensors, else -O1) into an object, which is added to a
 * long-lived LLJIT under a fresh resource tracker, looked up, called over [0, work_items)
 * with the constant inputs' data then the caller's output buffers, and removed again (so
 * every call may reuse the symbol name om_k<id>_<Op>). memcpy/memmove/memset resolve from
 * the process.
 *
 * Creating the LLJIT costs a few ms; an evaluator made once per compile amortizes it. A call
 * costs one small module through the pipeline and object emission (~3-4 ms at -O0 on an
 * idle core: 200 folded nodes add well under a second).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>

#include "codegen/cg_target.h"
#include "codegen/codegen.h"
#include "runtime/artifact/artifact.h"

typedef int32_t (*kernel_fn)(void *const *, int64_t, int64_t);

/* Nodes touching at most this many bytes (inputs + outputs) are compiled at -O0. */
#define EVAL_O0_BYTES (256 * 1024)

struct om_cg_evaluator {
    LLVMOrcLLJITRef jit;
    LLVMOrcJITDylibRef jd;
};

static om_status llvm_err(LLVMErrorRef e, const char *what, const om_node *n)
{
    char *m = LLVMGetErrorMessage(e);
    om_status st = om_error(OM_ERR_INTERNAL, "evaluating node '%s' (%s) at compile time: %s: %s", n ? n->name : "",
                            n ? om_op_name(n->op) : "-", what, m);
    LLVMDisposeErrorMessage(m);
    return st;
}

void om_cg_evaluator_destroy(om_cg_evaluator *e)
{
    if (!e)
        return;
    if (e->jit)
        LLVMOrcDisposeLLJIT(e->jit);
    free(e);
}

om_status om_cg_evaluator_create(om_cg_evaluator **out)
{
    if (!out)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_cg_evaluator_create: out is NULL");
    *out = NULL;
    om_cg_evaluator *e = calloc(1, sizeof *e);
    if (!e)
        return om_error(OM_ERR_NO_MEMORY, "compile-time evaluator: out of memory");
    om_status st;
    om_cg_init_llvm();
    LLVMErrorRef err = LLVMOrcCreateLLJIT(&e->jit, NULL);
    if (err) {
        e->jit = NULL;
        st = llvm_err(err, "creating the LLJIT", NULL);
        goto fail;
    }
    e->jd = LLVMOrcLLJITGetMainJITDylib(e->jit);
    LLVMOrcDefinitionGeneratorRef gen;
    err = LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(&gen, LLVMOrcLLJITGetGlobalPrefix(e->jit), NULL, NULL);
    if (err) {
        st = llvm_err(err, "process symbols", NULL);
        goto fail;
    }
    LLVMOrcJITDylibAddGenerator(e->jd, gen);
    *out = e;
    return OM_OK;
fail:
    om_cg_evaluator_destroy(e);
    return st;
}

static om_status check_args(const om_node *n, void *const *outputs)
{
    if (!n || !outputs)
        return om_error(OM_ERR_INVALID_ARGUMENT, "compile-time evaluation: NULL node or outputs");
    for (int i = 0; i < n->n_inputs; i++) {
        const om_value *v = n->inputs[i];
        if (v && v->kind != OM_VALUE_CONSTANT)
            return om_error(OM_ERR_INVALID_ARGUMENT,
                            "evaluating node '%s' (%s) at compile time: input %d '%s' is not a constant", n->name,
                            om_op_name(n->op), i, v->name);
    }
    for (int i = 0; i < n->n_outputs; i++)
        if (!outputs[i])
            return om_error(OM_ERR_INVALID_ARGUMENT,
                            "evaluating node '%s' (%s) at compile time: no buffer for output %d", n->name,
                            om_op_name(n->op), i);
    return OM_OK;
}

om_status om_cg_evaluator_run(om_cg_evaluator *e, const om_graph *g, const om_node *n, void *const *outputs)
{
    if (!e || !g)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_cg_evaluator_run: NULL evaluator or graph");
    om_status st = check_args(n, outputs);
    if (st != OM_OK)
        return st;
    /* -O0 compiles ~3x faster than -O1; shape-sized tensors do not need optimized loops. */
    size_t bytes = 0;
    for (int i = 0; i < n->n_inputs; i++)
        if (n->inputs[i])
            bytes += n->inputs[i]->nbytes;
    for (int i = 0; i < n->n_outputs; i++) {
        int64_t numel = om_shape_numel(&n->outputs[i]->shape);
        bytes += numel > 0 ? (size_t)numel * om_dtype_size(n->outputs[i]->dtype) : 0;
    }
    om_cg_target_opts t = {.opt_level = bytes <= EVAL_O0_BYTES ? 0 : 1};
    om_cg_result *r = NULL;
    LLVMOrcResourceTrackerRef rt = NULL;
    void **args = NULL;
    if ((st = om_cg_compile_node(g, n, &t, &r)) != OM_OK || (st = om_cg_amx_permit(r->required_cpu)) != OM_OK)
        goto fail;
    if (r->n_steps != 1) {
        st = om_error(OM_ERR_INTERNAL, "evaluating node '%s' (%s): %zu kernels", n->name, om_op_name(n->op), r->n_steps);
        goto fail;
    }
    const om_cg_step *step = &r->steps[0];
    args = calloc((size_t)step->n_args + 1, sizeof *args);
    if (!args) {
        st = om_error(OM_ERR_NO_MEMORY, "compile-time evaluation: out of memory");
        goto fail;
    }
    int a = 0;
    for (int i = 0; i < n->n_inputs; i++)
        if (n->inputs[i])
            args[a++] = (void *)n->inputs[i]->data;
    for (int i = 0; i < n->n_outputs; i++)
        args[a++] = outputs[i];
    if (a != step->n_args) {
        st = om_error(OM_ERR_INTERNAL, "evaluating node '%s' (%s): %d arguments, the kernel takes %d", n->name,
                      om_op_name(n->op), a, step->n_args);
        goto fail;
    }
    rt = LLVMOrcJITDylibCreateResourceTracker(e->jd);
    LLVMMemoryBufferRef mb = LLVMCreateMemoryBufferWithMemoryRangeCopy(r->object, r->object_size, "eval.o");
    LLVMErrorRef err = LLVMOrcLLJITAddObjectFileWithRT(e->jit, rt, mb);
    if (err) {
        st = llvm_err(err, "loading the kernel", n);
        goto fail;
    }
    LLVMOrcExecutorAddress addr = 0;
    if ((err = LLVMOrcLLJITLookup(e->jit, &addr, step->symbol))) {
        st = llvm_err(err, step->symbol, n);
        goto fail;
    }
    kernel_fn fn = (kernel_fn)(uintptr_t)addr;
    int32_t rc = fn(args, 0, step->work_items);
    if (rc != OM_ART_CHECK_OK)
        st = om_error(OM_ERR_INVALID_MODEL, "evaluating node '%s' (%s): %s", n->name, om_op_name(n->op),
                      om_art_check_text(rc));
fail:
    if (rt) {
        LLVMErrorRef rerr = LLVMOrcResourceTrackerRemove(rt);
        if (rerr) {
            om_status rs = llvm_err(rerr, "unloading the kernel", n);
            if (st == OM_OK)
                st = rs;
        }
        LLVMOrcReleaseResourceTracker(rt);
    }
    free(args);
    om_cg_result_destroy(r);
    return st;
}

om_status om_cg_eval_node(const om_graph *g, const om_node *n, void *const *outputs)
{
    om_cg_evaluator *e = NULL;
    om_status st = om_cg_evaluator_create(&e);
    if (st != OM_OK)
        return st;
    st = om_cg_evaluator_run(e, g, n, outputs);
    om_cg_evaluator_destroy(e);
    return st;
}

om_status om_cg_eval_callback(void *user, om_graph *g, const om_node *n, void *const *outputs)
{
    if (user)
        return om_cg_evaluator_run(user, g, n, outputs);
    return om_cg_eval_node(g, n, outputs);
}
