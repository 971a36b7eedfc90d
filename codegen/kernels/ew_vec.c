/* See ew_vec.h. Lane counts come from the target machine's feature string, or (when it
 * names none) from the cpuid names om_cg_required_cpu derives from the cpu name. Partial
 * vectors use llvm.masked.load / llvm.masked.store with a constant mask (one instruction
 * with AVX-512 and AVX; LLVM scalarizes them on SSE and NEON, still without libcalls).
 */
#include <stdlib.h>
#include <string.h>

#include "codegen/cg_target.h"
#include "codegen/kernels/ew_vec.h"

/* w appears in list as a whole word (separated by ' ' or ','; a leading '+' or '-' in the
 * list is part of the word only when w has it). */
static bool has_word(const char *list, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = list; p && (p = strstr(p, w)); p += n) {
        bool start = p == list || p[-1] == ' ' || p[-1] == ',' || (p[-1] == '+' && w[0] != '+' && w[0] != '-');
        bool end = p[n] == 0 || p[n] == ' ' || p[n] == ',';
        if (start && end)
            return true;
    }
    return false;
}

static void vec_shape(om_cg_ctx *cx, int *lanes, int *regs)
{
    *lanes = 4;
    *regs = 16;
    if (!cx->tm)
        return;
    char *triple = LLVMGetTargetMachineTriple(cx->tm);
    char *cpu = LLVMGetTargetMachineCPU(cx->tm);
    char *feat = LLVMGetTargetMachineFeatureString(cx->tm);
    if (triple && (!strncmp(triple, "aarch64", 7) || !strncmp(triple, "arm64", 5))) {
        *regs = 32;
    } else {
        char *req = om_cg_required_cpu(triple, cpu, feat);
        bool off512 = feat && has_word(feat, "-avx512f");
        if (req && has_word(req, "avx512f") && !off512) {
            *lanes = 16;
            *regs = 32;
        } else if (req && (has_word(req, "avx") || has_word(req, "avx2"))) {
            *lanes = 8;
        }
        free(req);
    }
    LLVMDisposeMessage(triple);
    LLVMDisposeMessage(cpu);
    LLVMDisposeMessage(feat);
}

int om_cg_vec_lanes(om_cg_ctx *cx)
{
    int l, r;
    vec_shape(cx, &l, &r);
    return l;
}

int om_cg_vec_regs(om_cg_ctx *cx)
{
    int l, r;
    vec_shape(cx, &l, &r);
    return r;
}

LLVMTypeRef om_cg_vec_type(LLVMTypeRef t, int lanes)
{
    return LLVMVectorType(t, (unsigned)lanes);
}

LLVMValueRef om_cg_vec_splat(om_cg_ctx *cx, LLVMValueRef s, int lanes)
{
    LLVMTypeRef vt = om_cg_vec_type(LLVMTypeOf(s), lanes);
    LLVMValueRef v = LLVMBuildInsertElement(cx->b, LLVMGetPoison(vt), s, om_cg_i32(cx, 0), "");
    LLVMValueRef zeros = LLVMConstNull(om_cg_vec_type(cx->i32, lanes));
    return LLVMBuildShuffleVector(cx->b, v, LLVMGetPoison(vt), zeros, "splat");
}

LLVMValueRef om_cg_vec_const(LLVMTypeRef t, double v, int lanes)
{
    LLVMValueRef e[64];
    if (lanes > 64)
        lanes = 64;
    LLVMValueRef c = LLVMGetTypeKind(t) == LLVMIntegerTypeKind ? LLVMConstInt(t, (unsigned long long)(long long)v, 1)
                                                                 : LLVMConstReal(t, v);
    for (int k = 0; k < lanes; k++)
        e[k] = c;
    return LLVMConstVector(e, (unsigned)lanes);
}

static LLVMValueRef mask(om_cg_ctx *cx, int lanes, int active)
{
    LLVMValueRef e[64];
    for (int k = 0; k < lanes && k < 64; k++)
        e[k] = LLVMConstInt(cx->i1, k < active, 0);
    return LLVMConstVector(e, (unsigned)(lanes < 64 ? lanes : 64));
}

static unsigned elem_align(LLVMTypeRef t)
{
    switch (LLVMGetTypeKind(t)) {
    case LLVMDoubleTypeKind: return 8;
    case LLVMFloatTypeKind: return 4;
    case LLVMHalfTypeKind: case LLVMBFloatTypeKind: return 2;
    case LLVMIntegerTypeKind: {
        unsigned w = LLVMGetIntTypeWidth(t) / 8;
        return w ? w : 1;
    }
    default: return 1;
    }
}

LLVMValueRef om_cg_vec_load(om_cg_ctx *cx, LLVMTypeRef t, LLVMValueRef base, LLVMValueRef index, int lanes,
                            int active)
{
    LLVMTypeRef vt = om_cg_vec_type(t, lanes);
    LLVMValueRef p = LLVMBuildInBoundsGEP2(cx->b, t, base, &index, 1, "");
    if (active >= lanes) {
        LLVMValueRef v = LLVMBuildLoad2(cx->b, vt, p, "");
        LLVMSetAlignment(v, elem_align(t));
        return v;
    }
    LLVMValueRef ops[4] = {p, om_cg_i32(cx, (int32_t)elem_align(t)), mask(cx, lanes, active), LLVMConstNull(vt)};
    return om_cg_masked_intrinsic(cx, "llvm.masked.load", vt, ops, 4);
}

void om_cg_vec_store(om_cg_ctx *cx, LLVMValueRef base, LLVMValueRef index, LLVMValueRef v, int active)
{
    LLVMTypeRef vt = LLVMTypeOf(v), t = LLVMGetElementType(vt);
    int lanes = (int)LLVMGetVectorSize(vt);
    LLVMValueRef p = LLVMBuildInBoundsGEP2(cx->b, t, base, &index, 1, "");
    if (active >= lanes) {
        LLVMValueRef s = LLVMBuildStore(cx->b, v, p);
        LLVMSetAlignment(s, elem_align(t));
        return;
    }
    LLVMValueRef ops[4] = {v, p, om_cg_i32(cx, (int32_t)elem_align(t)), mask(cx, lanes, active)};
    om_cg_masked_intrinsic(cx, "llvm.masked.store", vt, ops, 4);
}

LLVMValueRef om_cg_vec_mask_lt(om_cg_ctx *cx, LLVMValueRef n, int lanes)
{
    LLVMValueRef e[64];
    for (int k = 0; k < lanes && k < 64; k++)
        e[k] = om_cg_i64(cx, k);
    LLVMValueRef iota = LLVMConstVector(e, (unsigned)(lanes < 64 ? lanes : 64));
    return LLVMBuildICmp(cx->b, LLVMIntSLT, iota, om_cg_vec_splat(cx, n, lanes), "tail");
}

LLVMValueRef om_cg_vec_load_masked(om_cg_ctx *cx, LLVMTypeRef t, LLVMValueRef base, LLVMValueRef index,
                                   LLVMValueRef mask)
{
    int lanes = (int)LLVMGetVectorSize(LLVMTypeOf(mask));
    LLVMTypeRef vt = om_cg_vec_type(t, lanes);
    LLVMValueRef p = LLVMBuildInBoundsGEP2(cx->b, t, base, &index, 1, "");
    LLVMValueRef ops[4] = {p, om_cg_i32(cx, (int32_t)elem_align(t)), mask, LLVMConstNull(vt)};
    return om_cg_masked_intrinsic(cx, "llvm.masked.load", vt, ops, 4);
}

void om_cg_vec_store_masked(om_cg_ctx *cx, LLVMValueRef base, LLVMValueRef index, LLVMValueRef v, LLVMValueRef mask)
{
    LLVMTypeRef vt = LLVMTypeOf(v), t = LLVMGetElementType(vt);
    LLVMValueRef p = LLVMBuildInBoundsGEP2(cx->b, t, base, &index, 1, "");
    LLVMValueRef ops[4] = {v, p, om_cg_i32(cx, (int32_t)elem_align(t)), mask};
    om_cg_masked_intrinsic(cx, "llvm.masked.store", vt, ops, 4);
}
