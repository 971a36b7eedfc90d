/* Host CPU feature detection with cpuid + xgetbv, and the load-time check of an artifact's
 * TARGET record. One table maps each feature name the codegen may record to its cpuid leaf,
 * register and bit, and to the XCR0 state the OS must enable for it. An unknown name is an
 * error (the artifact asks for something this runtime cannot verify), never ignored.
 */
#include <stdio.h>
#include <string.h>

#include "runtime/cpu_features.h"
#include "runtime/rt_internal.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>
#define HOST_X86 1
#else
#define HOST_X86 0
#endif

enum { EAX, EBX, ECX, EDX };
enum { OS_NONE, OS_AVX, OS_AVX512, OS_AMX };

typedef struct feature {
    const char *name;
    unsigned leaf, subleaf;
    int reg, bit;
    int os;
} feature;

static const feature features[] = {
    {"sse2", 1, 0, EDX, 26, OS_NONE},
    {"sse3", 1, 0, ECX, 0, OS_NONE},
    {"ssse3", 1, 0, ECX, 9, OS_NONE},
    {"sse4.1", 1, 0, ECX, 19, OS_NONE},
    {"sse4.2", 1, 0, ECX, 20, OS_NONE},
    {"popcnt", 1, 0, ECX, 23, OS_NONE},
    {"movbe", 1, 0, ECX, 22, OS_NONE},
    {"fma", 1, 0, ECX, 12, OS_AVX},
    {"avx", 1, 0, ECX, 28, OS_AVX},
    {"f16c", 1, 0, ECX, 29, OS_AVX},
    {"bmi", 7, 0, EBX, 3, OS_NONE},
    {"bmi2", 7, 0, EBX, 8, OS_NONE},
    {"avx2", 7, 0, EBX, 5, OS_AVX},
    {"avx512f", 7, 0, EBX, 16, OS_AVX512},
    {"avx512dq", 7, 0, EBX, 17, OS_AVX512},
    {"avx512ifma", 7, 0, EBX, 21, OS_AVX512},
    {"avx512cd", 7, 0, EBX, 28, OS_AVX512},
    {"avx512bw", 7, 0, EBX, 30, OS_AVX512},
    {"avx512vl", 7, 0, EBX, 31, OS_AVX512},
    {"avx512vbmi", 7, 0, ECX, 1, OS_AVX512},
    {"avx512vbmi2", 7, 0, ECX, 6, OS_AVX512},
    {"gfni", 7, 0, ECX, 8, OS_NONE},
    {"vaes", 7, 0, ECX, 9, OS_AVX},
    {"vpclmulqdq", 7, 0, ECX, 10, OS_AVX},
    {"avx512vnni", 7, 0, ECX, 11, OS_AVX512},
    {"avx512bitalg", 7, 0, ECX, 12, OS_AVX512},
    {"avx512vpopcntdq", 7, 0, ECX, 14, OS_AVX512},
    {"avx512fp16", 7, 0, EDX, 23, OS_AVX512},
    {"avxvnni", 7, 1, EAX, 4, OS_AVX},
    {"avx512bf16", 7, 1, EAX, 5, OS_AVX512},
    {"lzcnt", 0x80000001u, 0, ECX, 5, OS_NONE},
    {"amx-bf16", 7, 0, EDX, 22, OS_AMX},
    {"amx-tile", 7, 0, EDX, 24, OS_AMX},
};
#define N_FEATURES (sizeof features / sizeof features[0])

static bool override_on;
static char override_list[1024];

void om_rt_cpu_set_override(const char *list)
{
    override_on = list != NULL;
    if (list)
        snprintf(override_list, sizeof override_list, " %s ", list);
}

static const feature *find_feature(const char *name, size_t len)
{
    for (size_t i = 0; i < N_FEATURES; i++)
        if (strlen(features[i].name) == len && memcmp(features[i].name, name, len) == 0)
            return &features[i];
    return NULL;
}

#if HOST_X86
static bool os_supports(int os)
{
    if (os == OS_NONE)
        return true;
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) /* OSXSAVE */
        return false;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    /* SSE|YMM, + opmask|ZMM_Hi256|Hi16_ZMM; AMX: XTILECFG|XTILEDATA (bits 17, 18) */
    unsigned need = os == OS_AVX ? 0x6u : os == OS_AVX512 ? 0xE6u : 0x60000u;
    return (lo & need) == need;
}

/* Linux hands out the AMX tile-data state per process on request (arch_prctl
 * ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA, kernel 5.16+); the first tile instruction
 * without it raises SIGILL. Idempotent; errno from the kernel, or 0. */
static int amx_request(void)
{
#if defined(__linux__)
    static int granted;
    if (__atomic_load_n(&granted, __ATOMIC_ACQUIRE))
        return 0;
    if (syscall(SYS_arch_prctl, 0x1023 /* ARCH_REQ_XCOMP_PERM */, 18 /* XFEATURE_XTILEDATA */) != 0)
        return errno ? errno : EPERM;
    __atomic_store_n(&granted, 1, __ATOMIC_RELEASE);
    return 0;
#else
    return ENOSYS;
#endif
}

static bool hw_has(const feature *f)
{
    unsigned r[4] = {0};
    unsigned max = __get_cpuid_max(f->leaf & 0x80000000u, NULL);
    if (max < f->leaf)
        return false;
    __cpuid_count(f->leaf, f->subleaf, r[EAX], r[EBX], r[ECX], r[EDX]);
    if (f->leaf == 7 && f->subleaf > 0) {
        unsigned a, b, c, d;
        __cpuid_count(7, 0, a, b, c, d);
        if (a < f->subleaf) /* max subleaf of leaf 7 */
            return false;
    }
    return ((r[f->reg] >> f->bit) & 1u) && os_supports(f->os);
}
#else
static bool hw_has(const feature *f) { return false; }
#endif

static bool has_feature(const feature *f)
{
    if (override_on) {
        size_t n = strlen(f->name);
        for (const char *p = strstr(override_list, f->name); p; p = strstr(p + 1, f->name))
            if (p[-1] == ' ' && p[n] == ' ')
                return true;
        return false;
    }
    return hw_has(f);
}

bool om_rt_cpu_has(const char *name, bool *known)
{
    const feature *f = name ? find_feature(name, strlen(name)) : NULL;
    if (known)
        *known = f != NULL;
    return f && has_feature(f);
}

omrt_status om_rt_cpu_check(const char *triple, const char *cpu, const char *required,
                            const char *label)
{
    const char *arch_end = triple ? strchr(triple, '-') : NULL;
    size_t arch_len = arch_end ? (size_t)(arch_end - triple) : (triple ? strlen(triple) : 0);
    bool x86_64 = arch_len == 6 && memcmp(triple, "x86_64", 6) == 0;
    if (!x86_64 || !HOST_X86)
        return om_rt_error(OMRT_ERR_UNSUPPORTED, "%s was compiled for %.*s, this runtime runs "
                           "x86_64 code only; recompile with --target=x86_64-linux-gnu", label,
                           (int)arch_len, triple ? triple : "");
    bool amx = false;
    for (const char *p = required ? required : ""; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, " ,");
        if (n == 0)
            break;
        const feature *f = find_feature(p, n);
        if (!f)
            return om_rt_error(OMRT_ERR_INVALID_ARTIFACT, "%s requires CPU feature '%.*s', "
                               "which this runtime does not know how to check", label, (int)n, p);
        if (!has_feature(f))
            return om_rt_error(OMRT_ERR_UNSUPPORTED, "this CPU lacks %s required by %s "
                               "(compiled for %s); recompile with --cpu=<yours>", f->name, label,
                               cpu && cpu[0] ? cpu : "an unnamed cpu");
        amx |= f->os == OS_AMX;
        p += n;
    }
#if HOST_X86
    int err = amx && !override_on ? amx_request() : 0;
    if (err)
        return om_rt_error(OMRT_ERR_UNSUPPORTED, "%s uses AMX tiles, but the kernel refused the "
                           "tile-data permission (arch_prctl ARCH_REQ_XCOMP_PERM: %s); recompile "
                           "with --mattr=-amx-tile", label, strerror(err));
#endif
    return OMRT_OK;
}
