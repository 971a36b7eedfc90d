/* CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, init and final xor 0xFFFFFFFF), the
 * checksum zlib, gzip and PNG use: om_art_crc32("123456789", 9) == 0xCBF43926. Artifacts
 * store these values, so every implementation here must give exactly them.
 *
 * Implementations (crc32_internal.h), all over the same "raw" state (the running CRC before
 * the final inversion):
 *   bytewise  one lookup in the 256-entry table per byte (the reference; also finishes the
 *             others' last < 16 bytes)
 *   slice8    eight lookups per 8 bytes (tables in crc32_tables.h): the portable path
 *   pclmul    x86-64 carry-less-multiply folding (the method of Intel's "Fast CRC
 *             Computation for Generic Polynomials Using PCLMULQDQ"): four 128-bit
 *             accumulators fold 64 bytes per step, then fold into one; its 128 bits are
 *             finished with the table (no Barrett reduction needed)
 *   vpclmul   the same with AVX-512 VPCLMULQDQ: four 512-bit accumulators, 256 bytes a step
 * Folding constants: a 128-bit block B followed by D bits of message contributes
 * B(x)*x^D; with lanes loaded little-endian, the low 64 bits hold the higher-degree half, so
 *   B*x^D == clmul(B.lo, k_lo) ^ clmul(B.hi, k_hi)  (mod P) as a 128-bit block, with
 *   k_lo = reflect32(x^(D+32) mod P) << 1 and k_hi = reflect32(x^(D-32) mod P) << 1.
 * The choice is made once per process (cpuid, plus xgetbv for the AVX-512 state) and cached
 * in an atomic; there is no run-time table initialization, so everything is thread-safe.
 */
#include <stdatomic.h>

#include "runtime/artifact/artifact.h"
#include "runtime/artifact/crc32_internal.h"
#include "runtime/artifact/crc32_tables.h"

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define CRC_X86 1
#include <cpuid.h>
#include <immintrin.h>
#else
#define CRC_X86 0
#endif

/* ---- portable ---------------------------------------------------------------------------- */

static uint32_t crc_bytewise(uint32_t c, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        c = om_art_crc32_tab[0][(c ^ p[i]) & 0xFFu] ^ (c >> 8);
    return c;
}

static inline uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t crc_slice8(uint32_t c, const uint8_t *p, size_t n)
{
    const uint32_t(*t)[256] = om_art_crc32_tab;
    for (; n >= 8; p += 8, n -= 8) {
        uint32_t lo = le32(p) ^ c, hi = le32(p + 4);
        c = t[7][lo & 0xFFu] ^ t[6][(lo >> 8) & 0xFFu] ^ t[5][(lo >> 16) & 0xFFu] ^
            t[4][lo >> 24] ^ t[3][hi & 0xFFu] ^ t[2][(hi >> 8) & 0xFFu] ^
            t[1][(hi >> 16) & 0xFFu] ^ t[0][hi >> 24];
    }
    return crc_bytewise(c, p, n);
}

/* ---- x86-64: carry-less multiplication ----------------------------------------------------- */

#if CRC_X86
/* k_lo, k_hi for D = 128 (fold one block into the next) and D = 512 (four blocks ahead), and
 * D = 2048 (four 512-bit blocks ahead). */
#define K128_LO 0x1751997d0ull
#define K128_HI 0x0ccaa009eull
#define K512_LO 0x154442bd4ull
#define K512_HI 0x1c6e41596ull
#define K2048_LO 0x11542778aull
#define K2048_HI 0x1322d1430ull

#define CRC_PCLMUL_TARGET __attribute__((target("pclmul,sse4.1")))
#define CRC_VPCLMUL_TARGET __attribute__((target("avx512f,vpclmulqdq,pclmul,sse4.1")))

CRC_PCLMUL_TARGET static inline __m128i fold128(__m128i x, __m128i k, __m128i next)
{
    __m128i a = _mm_clmulepi64_si128(x, k, 0x00), b = _mm_clmulepi64_si128(x, k, 0x11);
    return _mm_xor_si128(_mm_xor_si128(a, b), next);
}

/* Finishes a folded 128-bit block x (state 0) and the remaining bytes. */
CRC_PCLMUL_TARGET static uint32_t finish128(__m128i x, const uint8_t *p, size_t n)
{
    uint8_t tmp[16];
    _mm_storeu_si128((__m128i *)tmp, x);
    return crc_slice8(crc_bytewise(0, tmp, 16), p, n);
}

CRC_PCLMUL_TARGET static uint32_t crc_pclmul(uint32_t c, const uint8_t *p, size_t n)
{
    if (n < 64)
        return crc_slice8(c, p, n);
    const __m128i k512 = _mm_set_epi64x((long long)K512_HI, (long long)K512_LO);
    const __m128i k128 = _mm_set_epi64x((long long)K128_HI, (long long)K128_LO);
    __m128i x0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)p), _mm_cvtsi32_si128((int)c));
    __m128i x1 = _mm_loadu_si128((const __m128i *)(p + 16));
    __m128i x2 = _mm_loadu_si128((const __m128i *)(p + 32));
    __m128i x3 = _mm_loadu_si128((const __m128i *)(p + 48));
    for (p += 64, n -= 64; n >= 64; p += 64, n -= 64) {
        x0 = fold128(x0, k512, _mm_loadu_si128((const __m128i *)p));
        x1 = fold128(x1, k512, _mm_loadu_si128((const __m128i *)(p + 16)));
        x2 = fold128(x2, k512, _mm_loadu_si128((const __m128i *)(p + 32)));
        x3 = fold128(x3, k512, _mm_loadu_si128((const __m128i *)(p + 48)));
    }
    __m128i x = fold128(fold128(fold128(x0, k128, x1), k128, x2), k128, x3);
    for (; n >= 16; p += 16, n -= 16)
        x = fold128(x, k128, _mm_loadu_si128((const __m128i *)p));
    return finish128(x, p, n);
}

CRC_VPCLMUL_TARGET static inline __m512i fold512(__m512i z, __m512i k, __m512i next)
{
    __m512i a = _mm512_clmulepi64_epi128(z, k, 0x00), b = _mm512_clmulepi64_epi128(z, k, 0x11);
    return _mm512_ternarylogic_epi64(a, b, next, 0x96); /* a ^ b ^ next */
}

CRC_VPCLMUL_TARGET static uint32_t crc_vpclmul(uint32_t c, const uint8_t *p, size_t n)
{
    if (n < 256)
        return crc_pclmul(c, p, n);
    const __m512i k2048 = _mm512_set_epi64((long long)K2048_HI, (long long)K2048_LO,
                                           (long long)K2048_HI, (long long)K2048_LO,
                                           (long long)K2048_HI, (long long)K2048_LO,
                                           (long long)K2048_HI, (long long)K2048_LO);
    const __m512i k512 = _mm512_set_epi64((long long)K512_HI, (long long)K512_LO,
                                          (long long)K512_HI, (long long)K512_LO,
                                          (long long)K512_HI, (long long)K512_LO,
                                          (long long)K512_HI, (long long)K512_LO);
    const __m128i k128 = _mm_set_epi64x((long long)K128_HI, (long long)K128_LO);
    __m512i z0 = _mm512_xor_si512(_mm512_loadu_si512(p),
                                  _mm512_zextsi128_si512(_mm_cvtsi32_si128((int)c)));
    __m512i z1 = _mm512_loadu_si512(p + 64);
    __m512i z2 = _mm512_loadu_si512(p + 128);
    __m512i z3 = _mm512_loadu_si512(p + 192);
    for (p += 256, n -= 256; n >= 256; p += 256, n -= 256) {
        z0 = fold512(z0, k2048, _mm512_loadu_si512(p));
        z1 = fold512(z1, k2048, _mm512_loadu_si512(p + 64));
        z2 = fold512(z2, k2048, _mm512_loadu_si512(p + 128));
        z3 = fold512(z3, k2048, _mm512_loadu_si512(p + 192));
    }
    __m512i z = fold512(fold512(fold512(z0, k512, z1), k512, z2), k512, z3);
    for (; n >= 64; p += 64, n -= 64)
        z = fold512(z, k512, _mm512_loadu_si512(p));
    /* the four 128-bit lanes, earliest first, folded one into the next */
    __m128i x = _mm512_extracti32x4_epi32(z, 0);
    x = fold128(x, k128, _mm512_extracti32x4_epi32(z, 1));
    x = fold128(x, k128, _mm512_extracti32x4_epi32(z, 2));
    x = fold128(x, k128, _mm512_extracti32x4_epi32(z, 3));
    for (; n >= 16; p += 16, n -= 16)
        x = fold128(x, k128, _mm_loadu_si128((const __m128i *)p));
    return finish128(x, p, n);
}

static om_art_crc32_impl detect_x86(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return OM_ART_CRC32_SLICE8;
    int pclmul = (c >> 1) & 1, sse41 = (c >> 19) & 1, osxsave = (c >> 27) & 1;
    if (!pclmul || !sse41)
        return OM_ART_CRC32_SLICE8;
    if (!osxsave || __get_cpuid_max(0, NULL) < 7)
        return OM_ART_CRC32_PCLMUL;
    __cpuid_count(7, 0, a, b, c, d);
    int avx512f = (b >> 16) & 1, vpclmul = (c >> 10) & 1;
    unsigned xcr0_lo, xcr0_hi;
    __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    /* the OS saves SSE, AVX, opmask and both halves of the zmm registers */
    int os_avx512 = (xcr0_lo & 0xE6u) == 0xE6u;
    return avx512f && vpclmul && os_avx512 ? OM_ART_CRC32_VPCLMUL : OM_ART_CRC32_PCLMUL;
}
#endif

/* ---- dispatch ------------------------------------------------------------------------------- */

om_art_crc32_impl om_art_crc32_best(void)
{
    static _Atomic int best = -1; /* -1: not detected yet (a race only detects twice) */
    int b = atomic_load_explicit(&best, memory_order_relaxed);
    if (b < 0) {
#if CRC_X86
        b = (int)detect_x86();
#else
        b = (int)OM_ART_CRC32_SLICE8;
#endif
        atomic_store_explicit(&best, b, memory_order_relaxed);
    }
    return (om_art_crc32_impl)b;
}

int om_art_crc32_impl_supported(om_art_crc32_impl impl)
{
    switch (impl) {
    case OM_ART_CRC32_BYTEWISE:
    case OM_ART_CRC32_SLICE8:
        return 1;
    case OM_ART_CRC32_PCLMUL:
    case OM_ART_CRC32_VPCLMUL:
        return CRC_X86 && om_art_crc32_best() >= impl;
    default:
        return 0;
    }
}

const char *om_art_crc32_impl_name(om_art_crc32_impl impl)
{
    static const char *const names[] = {"bytewise", "slice8", "pclmul", "vpclmul"};
    return (unsigned)impl < OM_ART_CRC32_N_IMPLS ? names[impl] : "?";
}

static uint32_t crc_raw(om_art_crc32_impl impl, uint32_t c, const uint8_t *p, size_t n)
{
    switch (impl) {
    case OM_ART_CRC32_BYTEWISE:
        return crc_bytewise(c, p, n);
#if CRC_X86
    case OM_ART_CRC32_PCLMUL:
        return crc_pclmul(c, p, n);
    case OM_ART_CRC32_VPCLMUL:
        return crc_vpclmul(c, p, n);
#endif
    default:
        return crc_slice8(c, p, n);
    }
}

uint32_t om_art_crc32_with(om_art_crc32_impl impl, const void *data, size_t size)
{
    if (!om_art_crc32_impl_supported(impl))
        impl = OM_ART_CRC32_SLICE8;
    return crc_raw(impl, 0xFFFFFFFFu, data, size) ^ 0xFFFFFFFFu;
}

uint32_t om_art_crc32(const void *data, size_t size)
{
    return crc_raw(om_art_crc32_best(), 0xFFFFFFFFu, data, size) ^ 0xFFFFFFFFu;
}
