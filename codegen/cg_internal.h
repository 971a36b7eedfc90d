/* Codegen internals shared by the driver (the .c files in codegen/) and the kernel emitters
 * (the .c files in codegen/kernels/). Not installed; LLVM types may appear here and nowhere outside
 * codegen/.
 *
 * How a kernel is emitted. For each node the driver:
 *   1. creates `i32 @om_k<id>_<Op>(ptr %args, i64 %first, i64 %last)` (nounwind, internal
 *      symbols are not used: kernels are external so the runtime can find them by name),
 *   2. positions cx->b at the end of the entry block,
 *   3. calls om_cg_emit_<family>(cx, node) (the family comes from ir/ops.def),
 *   4. adds `ret i32 0` at the builder's final position.
 * A kernel returns non-zero (om_art_check_code, runtime/artifact/artifact.h) when a run-time
 * check fails: emit those with om_cg_check.
 * The emitter reads tensors through om_cg_in/om_cg_out, builds loops with om_cg_for, and sets
 * cx->work_items to the extent of its outermost loop when it splits that loop by
 * [first, last) (om_cg_for_work); otherwise leaves work_items = 1 and ignores the range
 * (then the runtime always calls it with [0, 1)). A step the driver finds too small to
 * split (cx->serial, om_cg_step_is_small) gets work_items = 1 from om_cg_for_work, whose
 * loop then covers the whole extent: the runtime runs it on the calling thread.
 *
 * Shapes and attributes are compile-time constants: emit them as constants so LLVM can
 * unroll and vectorize (loops LLVM vectorizes are enough here; fast kernels come later).
 */
#ifndef OM_CODEGEN_CG_INTERNAL_H
#define OM_CODEGEN_CG_INTERNAL_H

#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>

#include "codegen/codegen.h"
#include "runtime/artifact/artifact.h"

typedef struct om_cg_ctx {
    LLVMContextRef llctx;
    LLVMModuleRef mod;
    LLVMBuilderRef b;
    LLVMTargetMachineRef tm;
    const om_graph *g;
    /* the kernel being emitted */
    const om_node *node;
    LLVMValueRef fn, args, first, last;
    LLVMBasicBlockRef entry;
    int64_t work_items;
    bool serial;          /* run the whole work loop as one item (a step too small to split) */
    /* common types */
    LLVMTypeRef i1, i8, i16, i32, i64, f16, bf16, f32, f64, ptr, vd;
} om_cg_ctx;

/* ---- tensors of the current node ---------------------------------------------------- */

/* Address of input i / output i of the current node (an i8-addressed ptr). NULL when input
 * i is omitted. */
LLVMValueRef om_cg_in(om_cg_ctx *cx, int i);
LLVMValueRef om_cg_out(om_cg_ctx *cx, int i);

/* ---- constants and types ------------------------------------------------------------- */

LLVMValueRef om_cg_i64(om_cg_ctx *cx, int64_t v);
LLVMValueRef om_cg_i32(om_cg_ctx *cx, int32_t v);
LLVMValueRef om_cg_f32(om_cg_ctx *cx, float v);
/* A constant of the element type of dt holding v (converted; for floats, ints and bool). */
LLVMValueRef om_cg_const(om_cg_ctx *cx, om_dtype dt, double v);
/* LLVM type of one element of dt (bool is i8 in memory). NULL if unsupported. */
LLVMTypeRef om_cg_type(om_cg_ctx *cx, om_dtype dt);

/* ---- memory ---------------------------------------------------------------------------- */

/* Element `index` (i64 value, in elements) of the tensor at base, typed by dt. */
LLVMValueRef om_cg_load(om_cg_ctx *cx, om_dtype dt, LLVMValueRef base, LLVMValueRef index);
void om_cg_store(om_cg_ctx *cx, om_dtype dt, LLVMValueRef base, LLVMValueRef index, LLVMValueRef v);
/* A stack slot in the entry block (promoted to a register by LLVM's mem2reg/SROA). */
LLVMValueRef om_cg_alloca(om_cg_ctx *cx, LLVMTypeRef t, const char *name);
/* A compile-time table: a private constant global of `count` elements of dt, 64-byte
 * aligned, from vals (doubles) or ivals (int64, exact for integer dtypes). `tag` names it in
 * the IR. NULL on an unsupported dtype, count < 1, or out of memory. */
LLVMValueRef om_cg_const_table(om_cg_ctx *cx, om_dtype dt, const double *vals, const int64_t *ivals,
                               int64_t count, const char *tag);
/* memcpy of a compile-time byte count (llvm.memcpy intrinsic; LLVM lowers small ones inline). */
void om_cg_memcpy(om_cg_ctx *cx, LLVMValueRef dst, LLVMValueRef src, LLVMValueRef nbytes);

/* ---- loops ----------------------------------------------------------------------------- */

/* for (iv = start; iv < end; iv++) { body } with i64 bounds.
 *
 *     om_cg_loop l;
 *     LLVMValueRef i = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, n), "i");
 *     ... body at the builder's position ...
 *     om_cg_for_end(cx, &l);   // builder continues after the loop
 *
 * Loops nest freely. The loop carries llvm.loop metadata only when asked. */
typedef struct om_cg_loop {
    LLVMBasicBlockRef preheader, header, body, latch, exit;
    LLVMValueRef iv, start;
} om_cg_loop;
LLVMValueRef om_cg_for(om_cg_ctx *cx, om_cg_loop *l, LLVMValueRef start, LLVMValueRef end, const char *name);
void om_cg_for_end(om_cg_ctx *cx, om_cg_loop *l);
/* The parallel outer loop over [first, last) of `extent` work items: sets cx->work_items =
 * extent and returns the iv. Close with om_cg_for_end. Use at most once per kernel. */
LLVMValueRef om_cg_for_work(om_cg_ctx *cx, om_cg_loop *l, int64_t extent, const char *name);
/* Whether node n's step is estimated to take less on one thread than splitting it over
 * threads costs (codegen/step_cost.c). */
bool om_cg_step_is_small(const om_node *n);
/* Whether every step of g should run serially (a model of many small steps; step_cost.c). */
bool om_cg_graph_is_small(const om_graph *g);

/* ---- arithmetic helpers ------------------------------------------------------------------ */

/* i64 index arithmetic (nsw). */
LLVMValueRef om_cg_add(om_cg_ctx *cx, LLVMValueRef a, LLVMValueRef b);
LLVMValueRef om_cg_mul(om_cg_ctx *cx, LLVMValueRef a, LLVMValueRef b);
/* a * c + d for compile-time constants c, d, folding the trivial cases. */
LLVMValueRef om_cg_mad(om_cg_ctx *cx, LLVMValueRef a, int64_t c, LLVMValueRef d);
/* Converts an element value from dt `from` to `to` (floats widen/narrow; ints sign/zero-extend
 * or truncate; bool is != 0). Used for accumulating f16 in f32. */
LLVMValueRef om_cg_convert(om_cg_ctx *cx, LLVMValueRef v, om_dtype from, om_dtype to);
/* max/min for floats (NaN-propagating like ONNX Max) and ints. */
LLVMValueRef om_cg_max(om_cg_ctx *cx, om_dtype dt, LLVMValueRef a, LLVMValueRef b);
LLVMValueRef om_cg_min(om_cg_ctx *cx, om_dtype dt, LLVMValueRef a, LLVMValueRef b);
/* Vectorizable f32 math without libm calls (the runtime links no libm): max error is
 * stated in math.c. Inputs and outputs are f32 (or <N x float>). */
LLVMValueRef om_cg_exp_f32(om_cg_ctx *cx, LLVMValueRef x);
LLVMValueRef om_cg_tanh_f32(om_cg_ctx *cx, LLVMValueRef x);
LLVMValueRef om_cg_sigmoid_f32(om_cg_ctx *cx, LLVMValueRef x);
/* Calls an LLVM intrinsic by name on same-typed operands ("llvm.sqrt", "llvm.fabs",
 * "llvm.fma", "llvm.maxnum", ...), overloaded on the first operand's type. */
LLVMValueRef om_cg_intrinsic(om_cg_ctx *cx, const char *name, LLVMValueRef *ops, unsigned n);
/* Calls llvm.masked.load / llvm.masked.store (`name`) on vector type vt with operands ops
 * (overloaded on vt and the pointer type). */
LLVMValueRef om_cg_masked_intrinsic(om_cg_ctx *cx, const char *name, LLVMTypeRef vt, LLVMValueRef *ops, unsigned n);
/* Read prefetch of the cache line holding base[idx] (elements of type elt) into the level
 * `locality` names (llvm.prefetch: 3 = L1, 2 = L2, 1 = L3). The address may lie past the
 * tensor: prefetches never fault. */
void om_cg_prefetch(om_cg_ctx *cx, LLVMTypeRef elt, LLVMValueRef base, LLVMValueRef idx, int locality);
/* One step of a prefetch stream that `shares` loops divide between them: prefetches into L2
 * the `count` lines (`line` elements apart) from element start + (pos / shares) * unit of
 * base, where loop i of the shares passes pos = i * length + its progress (both in units).
 * Used where several tiles read the same weight panel: each fetches its share of the next
 * panel while it runs, so the panel streams in from DRAM during all of them instead of
 * during the first (gemm_tile.c, gemm_bf16.c, conv_small.c). */
void om_cg_prefetch_share(om_cg_ctx *cx, LLVMTypeRef elt, LLVMValueRef base, LLVMValueRef start, LLVMValueRef pos,
                          int64_t shares, int64_t unit, int64_t count, int64_t line);

/* Run-time check: when `ok` (i1) is false the kernel returns `code` (an om_art_check_code)
 * at once; the builder continues on the true path. Use for inputs whose values the compiled
 * shapes assume (a non-constant shape/axes/sizes input checked against the static output
 * shape) and for data-dependent output sizes checked against the declared shape. */
void om_cg_check(om_cg_ctx *cx, LLVMValueRef ok, int code);

/* Reports an unsupported case of the current node (names node, op and the reason). */
om_status om_cg_unsupported(om_cg_ctx *cx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- emitters, one per family in ir/ops.def ------------------------------------------------ */

#define OM_OP(e, name, min_in, max_in, min_out, max_out, family) \
    om_status om_cg_emit_##family(om_cg_ctx *cx, const om_node *n);
#include "ir/ops.def"
#undef OM_OP

#endif
