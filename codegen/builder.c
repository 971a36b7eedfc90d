/* Builder helpers for kernel emitters: tensor addresses, constants, typed loads and stores,
 * loops, index arithmetic, conversions, min/max, intrinsic calls (see cg_internal.h).
 *
 * Invariants: every helper emits at cx->b's current position, except om_cg_alloca and the
 * argument loads of om_cg_in/om_cg_out, which go to the top of the entry block so that they
 * dominate every use and LLVM hoists nothing out of loops by itself. Helpers accept scalar
 * or vector operands wherever an element value is expected (min/max/convert).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/cg_internal.h"
#include "codegen/cg_target.h"

/* ---- tensors --------------------------------------------------------------------------- */

/* A builder positioned at the top of the entry block (caller disposes). */
static LLVMBuilderRef entry_builder(om_cg_ctx *cx)
{
    LLVMBuilderRef eb = LLVMCreateBuilderInContext(cx->llctx);
    LLVMValueRef first = LLVMGetFirstInstruction(cx->entry);
    if (first)
        LLVMPositionBuilderBefore(eb, first);
    else
        LLVMPositionBuilderAtEnd(eb, cx->entry);
    return eb;
}

/* Loads args[slot] (a tensor address) at the top of the entry block. */
static LLVMValueRef arg_ptr(om_cg_ctx *cx, int slot, const char *name)
{
    LLVMBuilderRef eb = entry_builder(cx);
    LLVMValueRef idx = om_cg_i64(cx, slot);
    LLVMValueRef p = LLVMBuildInBoundsGEP2(eb, cx->ptr, cx->args, &idx, 1, "");
    LLVMValueRef v = LLVMBuildLoad2(eb, cx->ptr, p, name ? name : "");
    LLVMSetAlignment(v, 8);
    LLVMDisposeBuilder(eb);
    return v;
}

LLVMValueRef om_cg_in(om_cg_ctx *cx, int i)
{
    const om_node *n = cx->node;
    if (i < 0 || i >= n->n_inputs || !n->inputs[i])
        return NULL;
    int slot = 0;
    for (int k = 0; k < i; k++)
        slot += n->inputs[k] != NULL;
    char name[32];
    snprintf(name, sizeof name, "in%d", i);
    return arg_ptr(cx, slot, name);
}

LLVMValueRef om_cg_out(om_cg_ctx *cx, int i)
{
    const om_node *n = cx->node;
    if (i < 0 || i >= n->n_outputs)
        return NULL;
    int slot = 0;
    for (int k = 0; k < n->n_inputs; k++)
        slot += n->inputs[k] != NULL;
    char name[32];
    snprintf(name, sizeof name, "out%d", i);
    return arg_ptr(cx, slot + i, name);
}

/* ---- constants and types ------------------------------------------------------------- */

LLVMValueRef om_cg_i64(om_cg_ctx *cx, int64_t v) { return LLVMConstInt(cx->i64, (unsigned long long)v, 1); }
LLVMValueRef om_cg_i32(om_cg_ctx *cx, int32_t v) { return LLVMConstInt(cx->i32, (unsigned long long)(int64_t)v, 1); }
LLVMValueRef om_cg_f32(om_cg_ctx *cx, float v) { return LLVMConstReal(cx->f32, v); }

LLVMTypeRef om_cg_type(om_cg_ctx *cx, om_dtype dt)
{
    switch (dt) {
    case OM_DT_FLOAT: return cx->f32;
    case OM_DT_DOUBLE: return cx->f64;
    case OM_DT_FLOAT16: return cx->f16;
    case OM_DT_BFLOAT16: return cx->bf16;
    case OM_DT_INT8: case OM_DT_UINT8: case OM_DT_BOOL: return cx->i8;
    case OM_DT_INT16: case OM_DT_UINT16: return cx->i16;
    case OM_DT_INT32: case OM_DT_UINT32: return cx->i32;
    case OM_DT_INT64: case OM_DT_UINT64: return cx->i64;
    default: return NULL;
    }
}

LLVMValueRef om_cg_const(om_cg_ctx *cx, om_dtype dt, double v)
{
    LLVMTypeRef t = om_cg_type(cx, dt);
    if (!t)
        return NULL;
    if (om_dtype_is_float(dt))
        return LLVMConstReal(t, v);
    if (dt == OM_DT_BOOL)
        return LLVMConstInt(t, v != 0, 0);
    if (om_dtype_is_unsigned_int(dt)) {
        unsigned long long u = v <= 0 ? 0 : v >= 18446744073709551615.0 ? ~0ull : (unsigned long long)v;
        return LLVMConstInt(t, u, 0);
    }
    long long s = v <= -9223372036854775808.0 ? INT64_MIN
                : v >= 9223372036854775807.0 ? INT64_MAX : (long long)v;
    return LLVMConstInt(t, (unsigned long long)s, 1);
}

/* ---- memory ---------------------------------------------------------------------------- */

LLVMValueRef om_cg_load(om_cg_ctx *cx, om_dtype dt, LLVMValueRef base, LLVMValueRef index)
{
    LLVMTypeRef t = om_cg_type(cx, dt);
    LLVMValueRef p = LLVMBuildInBoundsGEP2(cx->b, t, base, &index, 1, "");
    return LLVMBuildLoad2(cx->b, t, p, "");
}

void om_cg_store(om_cg_ctx *cx, om_dtype dt, LLVMValueRef base, LLVMValueRef index, LLVMValueRef v)
{
    LLVMTypeRef t = om_cg_type(cx, dt);
    LLVMValueRef p = LLVMBuildInBoundsGEP2(cx->b, t, base, &index, 1, "");
    LLVMBuildStore(cx->b, v, p);
}

LLVMValueRef om_cg_alloca(om_cg_ctx *cx, LLVMTypeRef t, const char *name)
{
    LLVMBuilderRef eb = entry_builder(cx);
    LLVMValueRef a = LLVMBuildAlloca(eb, t, name ? name : "");
    LLVMDisposeBuilder(eb);
    return a;
}

void om_cg_memcpy(om_cg_ctx *cx, LLVMValueRef dst, LLVMValueRef src, LLVMValueRef nbytes)
{
    LLVMBuildMemCpy(cx->b, dst, 1, src, 1, nbytes);
}

void om_cg_check(om_cg_ctx *cx, LLVMValueRef ok, int code)
{
    LLVMBasicBlockRef fail = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "check_fail");
    LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "check_ok");
    LLVMBuildCondBr(cx->b, ok, cont, fail);
    LLVMPositionBuilderAtEnd(cx->b, fail);
    LLVMBuildRet(cx->b, om_cg_i32(cx, code));
    LLVMPositionBuilderAtEnd(cx->b, cont);
}

/* ---- loops ----------------------------------------------------------------------------- */

LLVMValueRef om_cg_for(om_cg_ctx *cx, om_cg_loop *l, LLVMValueRef start, LLVMValueRef end, const char *name)
{
    const char *nm = name ? name : "i";
    l->preheader = LLVMGetInsertBlock(cx->b);
    l->header = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "loop");
    l->body = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "body");
    l->latch = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "latch");
    l->exit = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "done");
    l->start = start;
    LLVMBuildBr(cx->b, l->header);

    LLVMPositionBuilderAtEnd(cx->b, l->header);
    l->iv = LLVMBuildPhi(cx->b, cx->i64, nm);
    LLVMAddIncoming(l->iv, &start, &l->preheader, 1);
    LLVMValueRef more = LLVMBuildICmp(cx->b, LLVMIntSLT, l->iv, end, "");
    LLVMBuildCondBr(cx->b, more, l->body, l->exit);

    LLVMPositionBuilderAtEnd(cx->b, l->body);
    return l->iv;
}

void om_cg_for_end(om_cg_ctx *cx, om_cg_loop *l)
{
    LLVMBuildBr(cx->b, l->latch);
    LLVMPositionBuilderAtEnd(cx->b, l->latch);
    LLVMValueRef next = LLVMBuildNSWAdd(cx->b, l->iv, om_cg_i64(cx, 1), "");
    LLVMBuildBr(cx->b, l->header);
    LLVMAddIncoming(l->iv, &next, &l->latch, 1);
    /* keep the block order readable: the exit block goes last */
    LLVMMoveBasicBlockAfter(l->exit, LLVMGetLastBasicBlock(cx->fn));
    LLVMPositionBuilderAtEnd(cx->b, l->exit);
}

LLVMValueRef om_cg_for_work(om_cg_ctx *cx, om_cg_loop *l, int64_t extent, const char *name)
{
    LLVMValueRef zero = om_cg_i64(cx, 0), ext = om_cg_i64(cx, extent);
    if (cx->serial) {
        /* one work item: the range [first, last) either holds item 0 and the loop runs over
         * all of [0, extent) (constant bounds for LLVM), or the kernel returns at once */
        cx->work_items = 1;
        LLVMValueRef has0 = LLVMBuildAnd(cx->b, LLVMBuildICmp(cx->b, LLVMIntSLE, cx->first, zero, ""),
                                         LLVMBuildICmp(cx->b, LLVMIntSGT, cx->last, zero, ""), "has0");
        om_cg_check(cx, has0, OM_ART_CHECK_OK); /* no item 0: return, successfully */
        return om_cg_for(cx, l, zero, ext, name);
    }
    cx->work_items = extent;
    /* clamp [first, last) to [0, extent) so a bad range cannot write out of bounds */
    LLVMValueRef f = LLVMBuildSelect(cx->b, LLVMBuildICmp(cx->b, LLVMIntSLT, cx->first, zero, ""),
                                     zero, cx->first, "first");
    LLVMValueRef e = LLVMBuildSelect(cx->b, LLVMBuildICmp(cx->b, LLVMIntSGT, cx->last, ext, ""),
                                     ext, cx->last, "last");
    return om_cg_for(cx, l, f, e, name);
}

/* ---- arithmetic ------------------------------------------------------------------------ */

LLVMValueRef om_cg_add(om_cg_ctx *cx, LLVMValueRef a, LLVMValueRef b) { return LLVMBuildNSWAdd(cx->b, a, b, ""); }
LLVMValueRef om_cg_mul(om_cg_ctx *cx, LLVMValueRef a, LLVMValueRef b) { return LLVMBuildNSWMul(cx->b, a, b, ""); }

static bool is_const_zero(LLVMValueRef v)
{
    return v && LLVMIsAConstantInt(v) && LLVMConstIntGetSExtValue(v) == 0;
}

LLVMValueRef om_cg_mad(om_cg_ctx *cx, LLVMValueRef a, int64_t c, LLVMValueRef d)
{
    LLVMValueRef prod;
    if (c == 0)
        prod = om_cg_i64(cx, 0);
    else if (c == 1)
        prod = a;
    else
        prod = om_cg_mul(cx, a, om_cg_i64(cx, c));
    if (!d || is_const_zero(d))
        return prod;
    if (c == 0)
        return d;
    return om_cg_add(cx, prod, d);
}

/* The type with scalar element `elem` and the shape (scalar or vector) of v. */
static LLVMTypeRef like(LLVMValueRef v, LLVMTypeRef elem)
{
    LLVMTypeRef t = LLVMTypeOf(v);
    if (LLVMGetTypeKind(t) == LLVMVectorTypeKind)
        return LLVMVectorType(elem, LLVMGetVectorSize(t));
    return elem;
}

/* A constant of v's shape (scalar or splat) from a scalar constant. */
static LLVMValueRef splat_like(LLVMValueRef v, LLVMValueRef c)
{
    LLVMTypeRef t = LLVMTypeOf(v);
    if (LLVMGetTypeKind(t) != LLVMVectorTypeKind)
        return c;
    unsigned n = LLVMGetVectorSize(t);
    LLVMValueRef elems[1024]; /* vectors wider than 1024 lanes are not used */
    if (n > 1024)
        n = 1024;
    for (unsigned k = 0; k < n; k++)
        elems[k] = c;
    return LLVMConstVector(elems, n);
}

/* ---- 16-bit float conversions without libcalls ------------------------------------------
 * x86 without F16C lowers fpext/fptrunc of half to __extendhfsf2/__truncsfhf2 calls, and
 * without AVX512-BF16 fptrunc to bfloat to __truncsfbf2; the runtime resolves neither. On
 * such targets these conversions are done with integer operations instead (round to
 * nearest even, NaN stays NaN, overflow to inf, gradual underflow). */

/* Whether the current kernel's target converts half (bf = false) / to bfloat (bf = true)
 * in hardware; non-x86 targets are assumed to. */
static bool native_16(om_cg_ctx *cx, bool bf)
{
    if (!cx->fn || !cx->mod)
        return true;
    const char *triple = LLVMGetTarget(cx->mod);
    if (!triple || (strncmp(triple, "x86_64", 6) && strncmp(triple, "i686", 4) && strncmp(triple, "i386", 4)))
        return true;
    unsigned len;
    const char *cpu = "", *feat = "";
    LLVMAttributeRef a = LLVMGetStringAttributeAtIndex(cx->fn, LLVMAttributeFunctionIndex, "target-cpu", 10);
    char cbuf[128] = "", *fbuf = NULL;
    if (a) {
        cpu = LLVMGetStringAttributeValue(a, &len);
        snprintf(cbuf, sizeof cbuf, "%.*s", (int)len, cpu);
    }
    a = LLVMGetStringAttributeAtIndex(cx->fn, LLVMAttributeFunctionIndex, "target-features", 15);
    if (a) {
        feat = LLVMGetStringAttributeValue(a, &len);
        fbuf = malloc(len + 1);
        if (!fbuf)
            return false;
        memcpy(fbuf, feat, len);
        fbuf[len] = 0;
    }
    char *req = om_cg_required_cpu(triple, cbuf, fbuf ? fbuf : "");
    free(fbuf);
    if (!req)
        return false;
    const char *want = bf ? "avx512bf16" : "f16c";
    bool found = false;
    char *save = NULL;
    for (char *p = strtok_r(req, " ", &save); p; p = strtok_r(NULL, " ", &save))
        found |= !strcmp(p, want);
    free(req);
    return found;
}

static LLVMValueRef icst_like(om_cg_ctx *cx, LLVMValueRef v, LLVMTypeRef t, uint64_t c);

static LLVMValueRef soft_f16_to_f32(om_cg_ctx *cx, LLVMValueRef v)
{
    LLVMBuilderRef b = cx->b;
    LLVMTypeRef i32t = like(v, cx->i32), f32t = like(v, cx->f32);
    LLVMValueRef h = LLVMBuildZExt(b, LLVMBuildBitCast(b, v, like(v, cx->i16), ""), i32t, "");
    LLVMValueRef o = LLVMBuildShl(b, LLVMBuildAnd(b, h, icst_like(cx, v, cx->i32, 0x7fff), ""),
                                  icst_like(cx, v, cx->i32, 13), "");
    /* exponent/mantissa as f32 bits scaled by 2^112 gives the value (subnormals too) */
    LLVMValueRef f = LLVMBuildFMul(b, LLVMBuildBitCast(b, o, f32t, ""),
                                   splat_like(v, LLVMConstReal(cx->f32, 0x1p112)), "");
    LLVMValueRef fu = LLVMBuildBitCast(b, f, i32t, "");
    LLVMValueRef infnan = LLVMBuildICmp(b, LLVMIntUGE, o, icst_like(cx, v, cx->i32, 0x7c00u << 13), "");
    fu = LLVMBuildSelect(b, infnan, LLVMBuildOr(b, fu, icst_like(cx, v, cx->i32, 0x7f800000u), ""), fu, "");
    LLVMValueRef sign = LLVMBuildShl(b, LLVMBuildAnd(b, h, icst_like(cx, v, cx->i32, 0x8000), ""),
                                     icst_like(cx, v, cx->i32, 16), "");
    return LLVMBuildBitCast(b, LLVMBuildOr(b, fu, sign, ""), f32t, "");
}

static LLVMValueRef soft_f32_to_f16(om_cg_ctx *cx, LLVMValueRef v)
{
    LLVMBuilderRef b = cx->b;
    LLVMTypeRef i32t = like(v, cx->i32), f32t = like(v, cx->f32);
#define K(c) icst_like(cx, v, cx->i32, (c))
    LLVMValueRef u = LLVMBuildBitCast(b, v, i32t, "");
    LLVMValueRef sign = LLVMBuildAnd(b, u, K(0x80000000u), "");
    LLVMValueRef a = LLVMBuildXor(b, u, sign, "");
    /* inf / nan / overflow */
    LLVMValueRef big = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntUGT, a, K(0x7f800000u), ""), K(0x7e00), K(0x7c00), "");
    /* subnormal or zero: add 0.5 (2^-1) so the FPU rounds the mantissa, subtract the bits */
    uint32_t dm = ((127 - 15) + (23 - 10) + 1) << 23;
    LLVMValueRef dmf = LLVMBuildBitCast(b, K(dm), f32t, "");
    LLVMValueRef sub = LLVMBuildSub(b, LLVMBuildBitCast(b, LLVMBuildFAdd(b, LLVMBuildBitCast(b, a, f32t, ""), dmf, ""),
                                                        i32t, ""), K(dm), "");
    /* normal: rebias, round to nearest even */
    LLVMValueRef odd = LLVMBuildAnd(b, LLVMBuildLShr(b, a, K(13), ""), K(1), "");
    LLVMValueRef nrm = LLVMBuildAdd(b, a, K(0xC8000000u + 0xfff) /* (15 - 127) << 23 */, "");
    nrm = LLVMBuildLShr(b, LLVMBuildAdd(b, nrm, odd, ""), K(13), "");
    LLVMValueRef r = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntULT, a, K(113u << 23), ""), sub, nrm, "");
    r = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntUGE, a, K(143u << 23), ""), big, r, "");
    r = LLVMBuildOr(b, r, LLVMBuildLShr(b, sign, K(16), ""), "");
#undef K
    return LLVMBuildBitCast(b, LLVMBuildTrunc(b, r, like(v, cx->i16), ""), like(v, cx->f16), "");
}

static LLVMValueRef soft_f32_to_bf16(om_cg_ctx *cx, LLVMValueRef v)
{
    LLVMBuilderRef b = cx->b;
    LLVMTypeRef i32t = like(v, cx->i32);
    LLVMValueRef u = LLVMBuildBitCast(b, v, i32t, "");
    LLVMValueRef lsb = LLVMBuildAnd(b, LLVMBuildLShr(b, u, icst_like(cx, v, cx->i32, 16), ""),
                                    icst_like(cx, v, cx->i32, 1), "");
    LLVMValueRef r = LLVMBuildAdd(b, LLVMBuildAdd(b, u, icst_like(cx, v, cx->i32, 0x7fff), ""), lsb, "");
    LLVMValueRef qnan = LLVMBuildOr(b, u, icst_like(cx, v, cx->i32, 0x400000), "");
    LLVMValueRef isnan = LLVMBuildFCmp(b, LLVMRealUNO, v, v, "");
    r = LLVMBuildLShr(b, LLVMBuildSelect(b, isnan, qnan, r, ""), icst_like(cx, v, cx->i32, 16), "");
    return LLVMBuildBitCast(b, LLVMBuildTrunc(b, r, like(v, cx->i16), ""), like(v, cx->bf16), "");
}

static LLVMValueRef icst_like(om_cg_ctx *cx, LLVMValueRef v, LLVMTypeRef t, uint64_t c)
{
    return splat_like(v, LLVMConstInt(t, c, 0));
}

/* f32 <-> f16/bf16 when the target needs the integer sequence; NULL otherwise. */
static LLVMValueRef soft_convert(om_cg_ctx *cx, LLVMValueRef v, om_dtype from, om_dtype to)
{
    if (from == OM_DT_FLOAT16 && to == OM_DT_FLOAT && !native_16(cx, false))
        return soft_f16_to_f32(cx, v);
    if (from == OM_DT_FLOAT && to == OM_DT_FLOAT16 && !native_16(cx, false))
        return soft_f32_to_f16(cx, v);
    if (from == OM_DT_FLOAT && to == OM_DT_BFLOAT16 && !native_16(cx, true))
        return soft_f32_to_bf16(cx, v);
    return NULL;
}

LLVMValueRef om_cg_convert(om_cg_ctx *cx, LLVMValueRef v, om_dtype from, om_dtype to)
{
    if (from == to)
        return v;
    bool half_from = from == OM_DT_FLOAT16 || from == OM_DT_BFLOAT16;
    bool half_to = to == OM_DT_FLOAT16 || to == OM_DT_BFLOAT16;
    if ((half_from || half_to) && !LLVMIsConstant(v)) {
        /* route every 16-bit float conversion through f32 so soft_convert sees it */
        if (half_from && to != OM_DT_FLOAT) {
            LLVMValueRef f = om_cg_convert(cx, v, from, OM_DT_FLOAT);
            return om_cg_convert(cx, f, OM_DT_FLOAT, to);
        }
        if (half_to && from != OM_DT_FLOAT) {
            LLVMValueRef f = om_cg_convert(cx, v, from, OM_DT_FLOAT);
            return om_cg_convert(cx, f, OM_DT_FLOAT, to);
        }
        LLVMValueRef s = soft_convert(cx, v, from, to);
        if (s)
            return s;
    }
    LLVMTypeRef te = om_cg_type(cx, to);
    LLVMTypeRef tt = like(v, te);
    if (to == OM_DT_BOOL) {
        LLVMValueRef nz;
        if (om_dtype_is_float(from))
            nz = LLVMBuildFCmp(cx->b, LLVMRealUNE, v, splat_like(v, LLVMConstReal(om_cg_type(cx, from), 0)), "");
        else
            nz = LLVMBuildICmp(cx->b, LLVMIntNE, v, splat_like(v, LLVMConstInt(om_cg_type(cx, from), 0, 0)), "");
        return LLVMBuildZExt(cx->b, nz, tt, "");
    }
    bool ff = om_dtype_is_float(from), tf = om_dtype_is_float(to);
    if (ff && tf) {
        unsigned fb = (unsigned)om_dtype_size(from) * 8, tb = (unsigned)om_dtype_size(to) * 8;
        if (fb == tb) { /* f16 <-> bf16: through f32 */
            LLVMValueRef w = LLVMBuildFPExt(cx->b, v, like(v, cx->f32), "");
            return LLVMBuildFPTrunc(cx->b, w, tt, "");
        }
        return fb < tb ? LLVMBuildFPExt(cx->b, v, tt, "") : LLVMBuildFPTrunc(cx->b, v, tt, "");
    }
    bool fs = om_dtype_is_signed_int(from), ts = om_dtype_is_signed_int(to);
    if (tf)
        return fs ? LLVMBuildSIToFP(cx->b, v, tt, "") : LLVMBuildUIToFP(cx->b, v, tt, "");
    if (ff)
        return ts ? LLVMBuildFPToSI(cx->b, v, tt, "") : LLVMBuildFPToUI(cx->b, v, tt, "");
    size_t fs_b = om_dtype_size(from), ts_b = om_dtype_size(to);
    if (fs_b == ts_b)
        return v;
    if (fs_b > ts_b)
        return LLVMBuildTrunc(cx->b, v, tt, "");
    return fs ? LLVMBuildSExt(cx->b, v, tt, "") : LLVMBuildZExt(cx->b, v, tt, "");
}

/* max/min via compare+select: NaN in either operand gives NaN (ONNX Max/Min); for
 * non-NaN inputs the result is the larger/smaller one. Selects vectorize everywhere and
 * never become libm calls. */
static LLVMValueRef minmax(om_cg_ctx *cx, om_dtype dt, LLVMValueRef a, LLVMValueRef b, bool is_max)
{
    if (om_dtype_is_float(dt)) {
        LLVMValueRef c = LLVMBuildFCmp(cx->b, is_max ? LLVMRealOGT : LLVMRealOLT, a, b, "");
        LLVMValueRef m = LLVMBuildSelect(cx->b, c, a, b, "");
        LLVMValueRef a_nan = LLVMBuildFCmp(cx->b, LLVMRealUNO, a, a, "");
        return LLVMBuildSelect(cx->b, a_nan, a, m, is_max ? "max" : "min");
    }
    LLVMIntPredicate p;
    if (om_dtype_is_signed_int(dt))
        p = is_max ? LLVMIntSGT : LLVMIntSLT;
    else
        p = is_max ? LLVMIntUGT : LLVMIntULT;
    LLVMValueRef c = LLVMBuildICmp(cx->b, p, a, b, "");
    return LLVMBuildSelect(cx->b, c, a, b, is_max ? "max" : "min");
}

LLVMValueRef om_cg_max(om_cg_ctx *cx, om_dtype dt, LLVMValueRef a, LLVMValueRef b) { return minmax(cx, dt, a, b, true); }
LLVMValueRef om_cg_min(om_cg_ctx *cx, om_dtype dt, LLVMValueRef a, LLVMValueRef b) { return minmax(cx, dt, a, b, false); }

LLVMValueRef om_cg_intrinsic(om_cg_ctx *cx, const char *name, LLVMValueRef *ops, unsigned n)
{
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    if (id == 0 || n == 0)
        return NULL;
    LLVMTypeRef over = LLVMTypeOf(ops[0]);
    size_t n_over = LLVMIntrinsicIsOverloaded(id) ? 1 : 0;
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(cx->mod, id, &over, n_over);
    LLVMTypeRef fty = LLVMIntrinsicGetType(cx->llctx, id, &over, n_over);
    return LLVMBuildCall2(cx->b, fty, fn, ops, n, "");
}

LLVMValueRef om_cg_masked_intrinsic(om_cg_ctx *cx, const char *name, LLVMTypeRef vt, LLVMValueRef *ops, unsigned n)
{
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    LLVMTypeRef over[2] = {vt, cx->ptr};
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(cx->mod, id, over, 2);
    LLVMTypeRef fty = LLVMIntrinsicGetType(cx->llctx, id, over, 2);
    return LLVMBuildCall2(cx->b, fty, fn, ops, n, "");
}

void om_cg_prefetch(om_cg_ctx *cx, LLVMTypeRef elt, LLVMValueRef base, LLVMValueRef idx, int locality)
{
    unsigned id = LLVMLookupIntrinsicID("llvm.prefetch", 13);
    LLVMTypeRef over = cx->ptr;
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(cx->mod, id, &over, 1);
    LLVMTypeRef fty = LLVMIntrinsicGetType(cx->llctx, id, &over, 1);
    LLVMValueRef p = LLVMBuildGEP2(cx->b, elt, base, &idx, 1, ""); /* not inbounds: may pass the end */
    LLVMValueRef ops[4] = {p, om_cg_i32(cx, 0), om_cg_i32(cx, locality), om_cg_i32(cx, 1)};
    LLVMBuildCall2(cx->b, fty, fn, ops, 4, "");
}

void om_cg_prefetch_share(om_cg_ctx *cx, LLVMTypeRef elt, LLVMValueRef base, LLVMValueRef start, LLVMValueRef pos,
                          int64_t shares, int64_t unit, int64_t count, int64_t line)
{
    LLVMValueRef first = LLVMBuildUDiv(cx->b, pos, om_cg_i64(cx, shares), "pfs");
    LLVMValueRef at = om_cg_add(cx, start, om_cg_mul(cx, first, om_cg_i64(cx, unit)));
    for (int64_t j = 0; j < count; j++)
        om_cg_prefetch(cx, elt, base, om_cg_add(cx, at, om_cg_i64(cx, j * line)), 2);
}

/* ---- diagnostics ------------------------------------------------------------------------ */

om_status om_cg_unsupported(om_cg_ctx *cx, const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    const om_node *n = cx->node;
    return om_error(OM_ERR_UNSUPPORTED, "node '%s' (%s): %s", n && n->name ? n->name : "",
                    n ? om_op_name(n->op) : "?", reason);
}

/* A private constant global array (64-byte aligned) of count elements of dt, from vals
 * (floats) or ivals (integers, used as is for integer dtypes). NULL on a bad dtype or no memory. */
LLVMValueRef om_cg_const_table(om_cg_ctx *cx, om_dtype dt, const double *vals, const int64_t *ivals, int64_t count,
                             const char *tag)
{
    LLVMTypeRef t = om_cg_type(cx, dt);
    if (!t || count < 1 || (!vals && !ivals))
        return NULL;
    LLVMValueRef *el = malloc(sizeof *el * (size_t)count);
    if (!el)
        return NULL;
    for (int64_t i = 0; i < count; i++) {
        if (ivals && !om_dtype_is_float(dt))
            el[i] = LLVMConstInt(t, (unsigned long long)ivals[i], om_dtype_is_signed_int(dt));
        else
            el[i] = om_cg_const(cx, dt, vals ? vals[i] : (double)ivals[i]);
    }
    char name[96];
    snprintf(name, sizeof name, "om_%s%u", tag ? tag : "tab", cx->node ? cx->node->id : 0u);
    LLVMValueRef g = LLVMAddGlobal(cx->mod, LLVMArrayType2(t, (uint64_t)count), name);
    LLVMSetInitializer(g, LLVMConstArray2(t, el, (uint64_t)count));
    LLVMSetGlobalConstant(g, 1);
    LLVMSetLinkage(g, LLVMPrivateLinkage);
    LLVMSetUnnamedAddress(g, LLVMGlobalUnnamedAddr);
    LLVMSetAlignment(g, 64);
    free(el);
    return g;
}
