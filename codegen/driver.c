/* The codegen driver: graph -> one LLVM module with one kernel per node -> optimization
 * pipeline -> object code (om_cg_compile) or LLVM IR text (om_cg_emit_llvm_ir).
 *
 * Per node: `void @om_k<id>_<Op>(ptr %args, i64 %first, i64 %last)`, external, nounwind,
 * with "target-cpu"/"target-features" so the vectorizers see the real vector width; the
 * family emitter from ir/ops.def fills the body (see cg_internal.h). The module is verified
 * before the pipeline ("default<O0..3>", loop and SLP vectorization on) runs.
 *
 * Every LLVM object is created and disposed here (module state in cg_module); the result
 * holds plain C copies only. om_cg_compile_node builds the same code for one node (dead or
 * not), for compile-time evaluation (eval.c).
 */
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include "codegen/cg_internal.h"
#include "codegen/cg_target.h"

typedef om_status (*emit_fn)(om_cg_ctx *, const om_node *);

static const emit_fn k_emitters[OM_OP_COUNT] = {
#define OM_OP(e, name, min_in, max_in, min_out, max_out, family) [OM_OP_##e] = om_cg_emit_##family,
#include "ir/ops.def"
#undef OM_OP
};

typedef struct cg_module {
    om_cg_target tg;
    om_cg_ctx cx;
    int64_t *work_items;   /* per live node, in order */
    size_t n_live;
    bool all_serial;       /* every step one work item (om_cg_graph_is_small) */
    /* kernel sharing (dedup_kernel): per live node, the printed body of its own kernel
     * (NULL when it shares one) and the node whose kernel its step calls */
    char **bodies;
    uint64_t *hashes;
    const om_node **kernel_of;
} cg_module;

static void module_fini(cg_module *m)
{
    if (m->cx.b)
        LLVMDisposeBuilder(m->cx.b);
    if (m->cx.mod)
        LLVMDisposeModule(m->cx.mod);
    if (m->cx.llctx)
        LLVMContextDispose(m->cx.llctx);
    om_cg_target_fini(&m->tg);
    free(m->work_items);
    if (m->bodies)
        for (size_t i = 0; i < m->n_live; i++)
            if (m->bodies[i])
                LLVMDisposeMessage(m->bodies[i]);
    free(m->bodies);
    free(m->hashes);
    free(m->kernel_of);
    memset(m, 0, sizeof *m);
}

/* Static shape and known dtype for every tensor the node touches. */
static om_status check_node(const om_node *n)
{
    const om_op_info *info = om_op_get(n->op);
    if (!info)
        return om_error(OM_ERR_INVALID_MODEL, "node '%s': op %d out of range", n->name, (int)n->op);
    if (n->n_inputs < info->min_inputs || (info->max_inputs >= 0 && n->n_inputs > info->max_inputs) ||
        n->n_outputs < info->min_outputs || n->n_outputs > info->max_outputs ||
        (n->n_inputs && !n->inputs) || (n->n_outputs && !n->outputs))
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (%s): %d inputs and %d outputs, expected %d..%d and %d..%d",
                        n->name, info->name, n->n_inputs, n->n_outputs, info->min_inputs, info->max_inputs,
                        info->min_outputs, info->max_outputs);
    for (int io = 0; io < 2; io++) {
        int cnt = io ? n->n_outputs : n->n_inputs;
        om_value *const *vals = io ? n->outputs : n->inputs;
        for (int i = 0; i < cnt; i++) {
            const om_value *v = vals[i];
            if (!v) {
                if (io)
                    return om_error(OM_ERR_INVALID_MODEL, "node '%s' (%s): output %d is missing",
                                    n->name, info->name, i);
                continue;
            }
            if (!om_shape_is_static(&v->shape) || om_dtype_size(v->dtype) == 0)
                return om_error(OM_ERR_INVALID_MODEL,
                                "node '%s' (%s): %s %d '%s' has no static shape or dtype "
                                "(run infer-shapes first)", n->name, info->name,
                                io ? "output" : "input", i, v->name);
            if (v->kind == OM_VALUE_CONSTANT &&
                (!v->data || v->nbytes != (size_t)om_shape_numel(&v->shape) * om_dtype_size(v->dtype)))
                return om_error(OM_ERR_INVALID_MODEL, "node '%s' (%s): constant '%s' has %zu bytes of data",
                                n->name, info->name, v->name, v->nbytes);
        }
    }
    return OM_OK;
}

static void kernel_symbol(const om_node *n, char *buf, size_t size)
{
    snprintf(buf, size, "om_k%u_%s", n->id, om_op_name(n->op));
}

static void add_str_attr(LLVMContextRef c, LLVMValueRef fn, const char *k, const char *v)
{
    LLVMAttributeRef a = LLVMCreateStringAttribute(c, k, (unsigned)strlen(k), v, (unsigned)strlen(v));
    LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, a);
}

static void add_enum_attr(LLVMContextRef c, LLVMValueRef fn, LLVMAttributeIndex idx, const char *k)
{
    unsigned kind = LLVMGetEnumAttributeKindForName(k, strlen(k));
    LLVMAddAttributeAtIndex(fn, idx, LLVMCreateEnumAttribute(c, kind, 0));
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* Nodes whose kernels come out identical (same op, shapes, attributes and constants: the
 * same LLVM IR under one canonical name) share one kernel: the later function is deleted
 * and its step calls the earlier symbol. Smaller code, faster compile; results unchanged
 * (the steps' arguments still differ). Kernels that reference per-node globals (constant
 * tables) never compare equal, which is only a missed saving. */
static void dedup_kernel(cg_module *m, const om_node *n, LLVMValueRef fn, const char *sym, size_t live_index)
{
    m->kernel_of[live_index] = n;
    LLVMSetValueName2(fn, "om_kernel_body", strlen("om_kernel_body"));
    char *body = LLVMPrintValueToString(fn);
    LLVMSetValueName2(fn, sym, strlen(sym));
    if (!body)
        return;
    uint64_t h = fnv1a(body);
    for (size_t i = 0; i < live_index; i++)
        if (m->bodies[i] && m->hashes[i] == h && strcmp(m->bodies[i], body) == 0 &&
            m->work_items[i] == m->work_items[live_index]) {
            LLVMDeleteFunction(fn);
            LLVMDisposeMessage(body);
            m->kernel_of[live_index] = m->kernel_of[i];
            return;
        }
    m->bodies[live_index] = body;
    m->hashes[live_index] = h;
}

static om_status emit_node(cg_module *m, const om_node *n, size_t live_index)
{
    om_cg_ctx *cx = &m->cx;
    char sym[160];
    kernel_symbol(n, sym, sizeof sym);
    LLVMTypeRef params[3] = {cx->ptr, cx->i64, cx->i64};
    LLVMTypeRef fty = LLVMFunctionType(cx->i32, params, 3, 0);
    LLVMValueRef fn = LLVMAddFunction(cx->mod, sym, fty);
    LLVMSetLinkage(fn, LLVMExternalLinkage);
    add_enum_attr(cx->llctx, fn, LLVMAttributeFunctionIndex, "nounwind");
    add_str_attr(cx->llctx, fn, "target-cpu", m->tg.cpu);
    add_str_attr(cx->llctx, fn, "target-features", m->tg.features);
    add_enum_attr(cx->llctx, fn, 1, "nocapture");
    add_enum_attr(cx->llctx, fn, 1, "readonly");
    add_enum_attr(cx->llctx, fn, 1, "noalias");

    cx->node = n;
    cx->fn = fn;
    cx->args = LLVMGetParam(fn, 0);
    cx->first = LLVMGetParam(fn, 1);
    cx->last = LLVMGetParam(fn, 2);
    LLVMSetValueName2(cx->args, "args", 4);
    LLVMSetValueName2(cx->first, "first", 5);
    LLVMSetValueName2(cx->last, "last", 4);
    cx->entry = LLVMAppendBasicBlockInContext(cx->llctx, fn, "entry");
    cx->work_items = 1;
    cx->serial = !m->tg.split_small_steps && (m->all_serial || om_cg_step_is_small(n));
    LLVMPositionBuilderAtEnd(cx->b, cx->entry);

    emit_fn emit = k_emitters[n->op];
    om_status st = emit ? emit(cx, n) : om_cg_unsupported(cx, "no kernel for this op");
    if (st != OM_OK)
        return st;
    LLVMBuildRet(cx->b, om_cg_i32(cx, OM_ART_CHECK_OK));
    m->work_items[live_index] = cx->work_items < 1 ? 1 : cx->work_items;
    dedup_kernel(m, n, fn, sym, live_index);
    return OM_OK;
}

/* Builds, verifies and optimizes the module for g (only node `only` when not NULL). On
 * failure m is finalized. */
static om_status build_module(cg_module *m, const om_graph *g, const om_cg_target_opts *t, const om_node *only)
{
    memset(m, 0, sizeof *m);
    om_status st = om_cg_target_init(&m->tg, t);
    if (st != OM_OK)
        return st;
    if (!g) {
        st = om_error(OM_ERR_INVALID_ARGUMENT, "codegen: graph is NULL");
        goto fail;
    }
    size_t cap = g->n_nodes ? g->n_nodes : 1;
    m->work_items = calloc(cap, sizeof *m->work_items);
    m->bodies = calloc(cap, sizeof *m->bodies);
    m->hashes = calloc(cap, sizeof *m->hashes);
    m->kernel_of = calloc(cap, sizeof *m->kernel_of);
    if (!m->work_items || !m->bodies || !m->hashes || !m->kernel_of) {
        st = om_error(OM_ERR_NO_MEMORY, "codegen: out of memory");
        goto fail;
    }
    om_cg_ctx *cx = &m->cx;
    cx->llctx = LLVMContextCreate();
    cx->mod = LLVMModuleCreateWithNameInContext(g->name ? g->name : "model", cx->llctx);
    cx->b = LLVMCreateBuilderInContext(cx->llctx);
    cx->tm = m->tg.tm;
    cx->g = g;
    LLVMSetTarget(cx->mod, m->tg.triple);
    LLVMTargetDataRef dl = LLVMCreateTargetDataLayout(m->tg.tm);
    LLVMSetModuleDataLayout(cx->mod, dl);
    LLVMDisposeTargetData(dl);
    cx->i1 = LLVMInt1TypeInContext(cx->llctx);
    cx->i8 = LLVMInt8TypeInContext(cx->llctx);
    cx->i16 = LLVMInt16TypeInContext(cx->llctx);
    cx->i32 = LLVMInt32TypeInContext(cx->llctx);
    cx->i64 = LLVMInt64TypeInContext(cx->llctx);
    cx->f16 = LLVMHalfTypeInContext(cx->llctx);
    cx->bf16 = LLVMBFloatTypeInContext(cx->llctx);
    cx->f32 = LLVMFloatTypeInContext(cx->llctx);
    cx->f64 = LLVMDoubleTypeInContext(cx->llctx);
    cx->ptr = LLVMPointerTypeInContext(cx->llctx, 0);
    cx->vd = LLVMVoidTypeInContext(cx->llctx);

    m->all_serial = !only && om_cg_graph_is_small(g);
    for (size_t k = 0; k < g->n_nodes; k++) {
        const om_node *n = g->nodes[k];
        if (!n || (only ? n != only : n->dead))
            continue;
        if ((st = check_node(n)) != OM_OK)
            goto fail;
        if ((st = emit_node(m, n, m->n_live)) != OM_OK)
            goto fail;
        m->n_live++;
    }

    char *msg = NULL;
    if (LLVMVerifyModule(cx->mod, LLVMReturnStatusAction, &msg)) {
        st = om_error(OM_ERR_INTERNAL, "codegen: generated LLVM IR is invalid: %.400s", msg ? msg : "");
        LLVMDisposeMessage(msg);
        goto fail;
    }
    LLVMDisposeMessage(msg);

    char pipeline[32];
    snprintf(pipeline, sizeof pipeline, "default<O%d>", m->tg.opt_level);
    LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
    LLVMPassBuilderOptionsSetLoopVectorization(po, m->tg.opt_level >= 2);
    LLVMPassBuilderOptionsSetSLPVectorization(po, m->tg.opt_level >= 2);
    LLVMPassBuilderOptionsSetLoopUnrolling(po, m->tg.opt_level >= 2);
    LLVMPassBuilderOptionsSetLoopInterleaving(po, m->tg.opt_level >= 2);
    LLVMErrorRef err = LLVMRunPasses(cx->mod, pipeline, m->tg.tm, po);
    LLVMDisposePassBuilderOptions(po);
    if (err) {
        char *em = LLVMGetErrorMessage(err);
        st = om_error(OM_ERR_INTERNAL, "codegen: LLVM pass pipeline failed: %s", em);
        LLVMDisposeErrorMessage(em);
        goto fail;
    }
    return OM_OK;
fail:
    module_fini(m);
    return st;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

void om_cg_result_destroy(om_cg_result *r)
{
    if (!r)
        return;
    free(r->object);
    free(r->triple);
    free(r->cpu);
    free(r->features);
    free(r->required_cpu);
    if (r->steps)
        for (size_t k = 0; k < r->n_steps; k++) {
            free((char *)r->steps[k].symbol);
            free(r->steps[k].args);
        }
    free(r->steps);
    free(r);
}

static om_status fill_steps(om_cg_result *r, const om_graph *g, const int64_t *work_items,
                            const om_node *const *kernel_of, size_t n_live, const om_node *only)
{
    r->steps = calloc(n_live ? n_live : 1, sizeof *r->steps);
    if (!r->steps)
        return om_error(OM_ERR_NO_MEMORY, "codegen: out of memory");
    size_t s = 0;
    for (size_t k = 0; k < g->n_nodes && s < n_live; k++) {
        const om_node *n = g->nodes[k];
        if (!n || (only ? n != only : n->dead))
            continue;
        om_cg_step *st = &r->steps[s];
        char sym[160];
        kernel_symbol(kernel_of[s] ? kernel_of[s] : n, sym, sizeof sym);
        st->symbol = dup_str(sym);
        st->node = n;
        st->work_items = work_items[s];
        st->args = calloc((size_t)(n->n_inputs + n->n_outputs) + 1, sizeof *st->args);
        r->n_steps = ++s;
        if (!st->symbol || !st->args)
            return om_error(OM_ERR_NO_MEMORY, "codegen: out of memory");
        for (int i = 0; i < n->n_inputs; i++)
            if (n->inputs[i])
                st->args[st->n_args++] = n->inputs[i];
        for (int i = 0; i < n->n_outputs; i++)
            st->args[st->n_args++] = n->outputs[i];
    }
    return OM_OK;
}

/* AMX instructions come only from the tile intrinsics the bf16 kernels call (gemm_bf16.c):
 * a module that declares none needs no AMX, so an fp32 artifact built on an AMX host loads on
 * AVX-512 machines without it (and the runtime asks Linux for no tile permission). */
static bool module_uses_amx(LLVMModuleRef mod)
{
    for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) {
        size_t len;
        const char *name = LLVMGetValueName2(f, &len);
        if (len > 9 && !strncmp(name, "llvm.x86.", 9) && (strstr(name + 9, "tile") || !strncmp(name + 9, "tdp", 3)))
            return true;
    }
    return false;
}

/* Removes the word w from the space-separated list (in place). */
static void drop_word(char *list, const char *w)
{
    size_t n = strlen(w);
    for (char *p = list; *p;) {
        char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && !strncmp(p, w, n)) {
            if (!end) {
                *(p > list ? p - 1 : p) = '\0';
                return;
            }
            memmove(p, end + 1, strlen(end + 1) + 1);
            continue;
        }
        p = end ? end + 1 : p + len;
    }
}

static om_status compile_nodes(const om_graph *g, const om_cg_target_opts *t, const om_node *only,
                               om_cg_result **out)
{
    if (!out)
        return om_error(OM_ERR_INVALID_ARGUMENT, "codegen: out is NULL");
    *out = NULL;
    cg_module m;
    om_status st = build_module(&m, g, t, only);
    if (st != OM_OK)
        return st;
    om_cg_result *r = calloc(1, sizeof *r);
    if (!r) {
        st = om_error(OM_ERR_NO_MEMORY, "codegen: out of memory");
        goto fail;
    }
    bool amx = module_uses_amx(m.cx.mod); /* before emission, which lowers the intrinsics */
    char *err = NULL;
    LLVMMemoryBufferRef buf = NULL;
    if (LLVMTargetMachineEmitToMemoryBuffer(m.tg.tm, m.cx.mod, LLVMObjectFile, &err, &buf)) {
        st = om_error(OM_ERR_INTERNAL, "codegen: object emission failed: %s", err ? err : "");
        LLVMDisposeMessage(err);
        goto fail;
    }
    r->object_size = LLVMGetBufferSize(buf);
    r->object = malloc(r->object_size ? r->object_size : 1);
    if (r->object)
        memcpy(r->object, LLVMGetBufferStart(buf), r->object_size);
    LLVMDisposeMemoryBuffer(buf);
    r->triple = dup_str(m.tg.triple);
    r->cpu = dup_str(m.tg.cpu);
    r->features = dup_str(m.tg.features);
    r->required_cpu = dup_str(m.tg.required_cpu);
    if (!r->object || !r->triple || !r->cpu || !r->features || !r->required_cpu) {
        st = om_error(OM_ERR_NO_MEMORY, "codegen: out of memory");
        goto fail;
    }
    if (!amx) {
        drop_word(r->required_cpu, "amx-tile");
        drop_word(r->required_cpu, "amx-bf16");
    }
    if ((st = fill_steps(r, g, m.work_items, m.kernel_of, m.n_live, only)) != OM_OK)
        goto fail;
    module_fini(&m);
    *out = r;
    return OM_OK;
fail:
    om_cg_result_destroy(r);
    module_fini(&m);
    return st;
}

om_status om_cg_compile(const om_graph *g, const om_cg_target_opts *t, om_cg_result **out)
{
    return compile_nodes(g, t, NULL, out);
}

om_status om_cg_compile_node(const om_graph *g, const om_node *n, const om_cg_target_opts *t, om_cg_result **out)
{
    if (!n) {
        if (out)
            *out = NULL;
        return om_error(OM_ERR_INVALID_ARGUMENT, "codegen: node is NULL");
    }
    bool found = false;
    for (size_t k = 0; g && k < g->n_nodes && !found; k++)
        found = g->nodes[k] == n;
    if (!found) {
        if (out)
            *out = NULL;
        return om_error(OM_ERR_INVALID_ARGUMENT, "codegen: node '%s' is not in the graph", n->name);
    }
    return compile_nodes(g, t, n, out);
}

om_status om_cg_emit_llvm_ir(const om_graph *g, const om_cg_target_opts *t, FILE *out)
{
    if (!out)
        return om_error(OM_ERR_INVALID_ARGUMENT, "codegen: output stream is NULL");
    cg_module m;
    om_status st = build_module(&m, g, t, NULL);
    if (st != OM_OK)
        return st;
    char *text = LLVMPrintModuleToString(m.cx.mod);
    size_t len = strlen(text);
    if (fwrite(text, 1, len, out) != len)
        st = om_error(OM_ERR_IO, "codegen: writing LLVM IR failed");
    LLVMDisposeMessage(text);
    module_fini(&m);
    return st;
}
