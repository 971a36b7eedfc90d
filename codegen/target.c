/* Target selection: host defaults (LLVMGetDefaultTargetTriple / LLVMGetHostCPUName /
 * LLVMGetHostCPUFeatures) or the triple/cpu/features named by the caller; the target
 * machine (PIC, default code model); and the list of CPU features the code needs.
 *
 * Defaults: with no triple, the host's; with no cpu, the host CPU on the host triple, else
 * "generic"; with no features, the host's features only when both triple and cpu are the
 * host's (an explicit --cpu implies its own features), else "". Features given for the host
 * CPU edit the host's list (`--mattr=-amx-tile` is the host without AMX: on its own, LLVM
 * would take only what the host's cpu *name* implies, and the kernels saw no AVX-512).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Core.h>
#include <llvm-c/Target.h>

#include "codegen/cg_target.h"

#if defined(__linux__) && defined(__x86_64__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

static void init_once(void)
{
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86Target();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86AsmPrinter();
    LLVMInitializeAArch64TargetInfo();
    LLVMInitializeAArch64Target();
    LLVMInitializeAArch64TargetMC();
    LLVMInitializeAArch64AsmPrinter();
}

void om_cg_init_llvm(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, init_once);
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* malloc'd copy of an LLVM message, which is then disposed */
static char *take_llvm(char *s)
{
    char *d = dup_str(s ? s : "");
    LLVMDisposeMessage(s);
    return d;
}

static bool is_x86(const char *triple)
{
    return !strncmp(triple, "x86_64", 6) || (triple[0] == 'i' && triple[2] == '8' && triple[3] == '6');
}

/* The features the code may need, as LLVM and the runtime's cpuid table (runtime/
 * cpu_features.c) both spell them. Beyond the AVX family, LLVM uses e.g. BMI2, POPCNT or
 * AVX512-VBMI instructions when the feature string enables them, so every enabled one is
 * recorded: an artifact built on this machine is refused, not crashed, elsewhere. The
 * first 11 entries and the last two (AMX) are the ones the cpu-name table below can imply.
 * AMX is recorded like the rest, and then dropped again by codegen/driver.c when the module
 * calls no tile intrinsic (only the bf16 kernels do); where it stays, the runtime also asks
 * Linux for the tile-data permission at load (runtime/cpu_features.c). */
static const char *const k_x86_feats[] = {
    "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512dq", "avx512vl",
    "avx512bf16", "avx512vnni", "avx512fp16",
    "sse3", "ssse3", "sse4.1", "sse4.2", "popcnt", "movbe", "bmi", "bmi2", "lzcnt",
    "avx512ifma", "avx512cd", "avx512vbmi", "avx512vbmi2", "gfni", "vaes", "vpclmulqdq",
    "avx512bitalg", "avx512vpopcntdq", "avxvnni", "amx-tile", "amx-bf16",
};
#define N_X86_FEATS (sizeof k_x86_feats / sizeof k_x86_feats[0])

/* Feature bits implied by well-known cpu names, for --cpu without --features (F_AMX: the
 * last two entries, amx-tile and amx-bf16). */
enum { F_AVX = 1, F_AVX2 = 2, F_FMA = 4, F_F16C = 8, F_512 = 16 | 32 | 64 | 128 };
#define F_AMX ((1u << (N_X86_FEATS - 2)) | (1u << (N_X86_FEATS - 1)))
static const struct { const char *cpu; unsigned bits; } k_cpus[] = {
    {"sandybridge", F_AVX}, {"ivybridge", F_AVX | F_F16C},
    {"haswell", F_AVX | F_AVX2 | F_FMA | F_F16C}, {"broadwell", F_AVX | F_AVX2 | F_FMA | F_F16C},
    {"skylake", F_AVX | F_AVX2 | F_FMA | F_F16C}, {"x86-64-v3", F_AVX | F_AVX2 | F_FMA | F_F16C},
    {"znver1", F_AVX | F_AVX2 | F_FMA | F_F16C}, {"znver2", F_AVX | F_AVX2 | F_FMA | F_F16C},
    {"znver3", F_AVX | F_AVX2 | F_FMA | F_F16C},
    {"x86-64-v4", F_AVX | F_AVX2 | F_FMA | F_F16C | F_512},
    {"skylake-avx512", F_AVX | F_AVX2 | F_FMA | F_F16C | F_512},
    {"cascadelake", F_AVX | F_AVX2 | F_FMA | F_F16C | F_512 | 512},
    {"icelake-server", F_AVX | F_AVX2 | F_FMA | F_F16C | F_512 | 512},
    {"znver4", F_AVX | F_AVX2 | F_FMA | F_F16C | F_512 | 256 | 512},
    {"sapphirerapids", F_AVX | F_AVX2 | F_FMA | F_F16C | F_512 | 256 | 512 | 1024 | F_AMX},
    {"emeraldrapids", F_AVX | F_AVX2 | F_FMA | F_F16C | F_512 | 256 | 512 | 1024 | F_AMX},
    {"graniterapids", F_AVX | F_AVX2 | F_FMA | F_F16C | F_512 | 256 | 512 | 1024 | F_AMX},
};

/* How the comma-separated LLVM feature list names `name`, the last mention winning as in
 * LLVM: '+' (enables it), '-' (disables it) or 0 (not at all). */
static char feature_sign(const char *features, const char *name)
{
    size_t n = strlen(name);
    char sign = 0;
    for (const char *p = features; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n + 1 && (p[0] == '+' || p[0] == '-') && !strncmp(p + 1, name, n))
            sign = p[0];
        p = end ? end + 1 : NULL;
    }
    return sign;
}

char *om_cg_required_cpu(const char *triple, const char *cpu, const char *features)
{
    char buf[512] = "";
    if (triple && is_x86(triple)) {
        /* what the cpu name implies (when the table knows it), then the list's edits */
        uint64_t bits = 0;
        for (size_t k = 0; cpu && k < sizeof k_cpus / sizeof k_cpus[0]; k++)
            if (!strcmp(cpu, k_cpus[k].cpu))
                bits = k_cpus[k].bits;
        for (size_t k = 0; k < N_X86_FEATS; k++) {
            char sign = feature_sign(features, k_x86_feats[k]);
            if (sign == '+')
                bits |= (uint64_t)1 << k;
            else if (sign == '-')
                bits &= ~((uint64_t)1 << k);
        }
        for (size_t k = 0; k < N_X86_FEATS; k++) {
            if (!(bits & ((uint64_t)1 << k)))
                continue;
            if (buf[0])
                strcat(buf, " ");
            strcat(buf, k_x86_feats[k]);
        }
    }
    return dup_str(buf);
}

char *om_cg_edit_features(const char *base, const char *edits)
{
    size_t cap = strlen(base) + strlen(edits) + 2;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    out[0] = '\0';
    /* base entries not named by an edit, in order, then every edit */
    for (const char *p = base; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char name[128] = "";
        if (len > 1 && len <= sizeof name)
            memcpy(name, p + 1, len - 1);
        if (len > 0 && !(name[0] && feature_sign(edits, name))) {
            if (out[0])
                strcat(out, ",");
            strncat(out, p, len);
        }
        p = end ? end + 1 : p + len;
    }
    if (edits[0]) {
        if (out[0])
            strcat(out, ",");
        strcat(out, edits);
    }
    return out;
}

om_status om_cg_amx_permit(const char *required_cpu)
{
    bool amx = false;
    for (const char *p = required_cpu ? strstr(required_cpu, "amx-") : NULL; p && !amx; p = strstr(p + 1, "amx-"))
        amx = p == required_cpu || p[-1] == ' ';
    if (!amx)
        return OM_OK;
#if defined(__linux__) && defined(__x86_64__)
    if (syscall(SYS_arch_prctl, 0x1023 /* ARCH_REQ_XCOMP_PERM */, 18 /* XFEATURE_XTILEDATA */) == 0)
        return OM_OK;
    return om_error(OM_ERR_UNSUPPORTED, "codegen: the code uses AMX tiles, but the kernel refused the tile-data "
                    "permission (arch_prctl ARCH_REQ_XCOMP_PERM: %s)", strerror(errno));
#else
    return om_error(OM_ERR_UNSUPPORTED, "codegen: the code uses AMX tiles, which this process cannot run");
#endif
}

om_status om_cg_target_init(om_cg_target *tg, const om_cg_target_opts *t)
{
    om_status st = OM_OK;
    memset(tg, 0, sizeof *tg);
    om_cg_init_llvm();
    tg->opt_level = t ? t->opt_level : 3;
    tg->split_small_steps = t && t->split_small_steps;
    if (tg->opt_level < 0 || tg->opt_level > 3) {
        st = om_error(OM_ERR_INVALID_ARGUMENT, "codegen: opt level %d out of range 0..3", tg->opt_level);
        goto fail;
    }
    char *host = LLVMGetDefaultTargetTriple();
    char *host_norm = LLVMNormalizeTargetTriple(host);
    LLVMDisposeMessage(host);
    bool on_host = !t || !t->triple;
    if (on_host) {
        tg->triple = take_llvm(host_norm);
    } else {
        tg->triple = take_llvm(LLVMNormalizeTargetTriple(t->triple));
        on_host = tg->triple && !strcmp(tg->triple, host_norm);
        LLVMDisposeMessage(host_norm);
    }
    if (!tg->triple)
        goto nomem;
    bool host_cpu = on_host && !(t && t->cpu);
    if (t && t->cpu)
        tg->cpu = dup_str(t->cpu);
    else
        tg->cpu = on_host ? take_llvm(LLVMGetHostCPUName()) : dup_str("generic");
    if (t && t->features && host_cpu) {
        char *host_feats = take_llvm(LLVMGetHostCPUFeatures());
        tg->features = host_feats ? om_cg_edit_features(host_feats, t->features) : NULL;
        free(host_feats);
    } else if (t && t->features) {
        tg->features = dup_str(t->features);
    } else {
        tg->features = host_cpu ? take_llvm(LLVMGetHostCPUFeatures()) : dup_str("");
    }
    if (!tg->cpu || !tg->features)
        goto nomem;

    LLVMTargetRef target;
    char *err = NULL;
    if (LLVMGetTargetFromTriple(tg->triple, &target, &err)) {
        st = om_error(OM_ERR_UNSUPPORTED, "codegen: target '%s' is not available: %s", tg->triple,
                      err ? err : "unknown target");
        LLVMDisposeMessage(err);
        goto fail;
    }
    static const LLVMCodeGenOptLevel levels[] = {LLVMCodeGenLevelNone, LLVMCodeGenLevelLess,
                                                 LLVMCodeGenLevelDefault, LLVMCodeGenLevelAggressive};
    tg->tm = LLVMCreateTargetMachine(target, tg->triple, tg->cpu, tg->features, levels[tg->opt_level],
                                     LLVMRelocPIC, LLVMCodeModelDefault);
    if (!tg->tm) {
        st = om_error(OM_ERR_UNSUPPORTED, "codegen: cannot create a target machine for '%s' cpu '%s'",
                      tg->triple, tg->cpu);
        goto fail;
    }
    tg->required_cpu = om_cg_required_cpu(tg->triple, tg->cpu, tg->features);
    if (!tg->required_cpu)
        goto nomem;
    return OM_OK;
nomem:
    st = om_error(OM_ERR_NO_MEMORY, "codegen: out of memory");
fail:
    om_cg_target_fini(tg);
    return st;
}

void om_cg_target_fini(om_cg_target *tg)
{
    if (tg->tm)
        LLVMDisposeTargetMachine(tg->tm);
    free(tg->triple);
    free(tg->cpu);
    free(tg->features);
    free(tg->required_cpu);
    memset(tg, 0, sizeof *tg);
}

void om_cg_print_host(FILE *out)
{
    om_cg_init_llvm();
    char *triple = LLVMGetDefaultTargetTriple();
    char *cpu = LLVMGetHostCPUName();
    char *feat = LLVMGetHostCPUFeatures();
    char *req = om_cg_required_cpu(triple, cpu, feat);
    fprintf(out, "host: %s, cpu %s, features %s\n", triple, cpu, req && req[0] ? req : "(baseline)");
    free(req);
    LLVMDisposeMessage(triple);
    LLVMDisposeMessage(cpu);
    LLVMDisposeMessage(feat);
}
