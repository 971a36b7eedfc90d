/* CRC-32 implementations behind om_art_crc32, exposed for the unit tests and benchmarks.
 *
 * Every implementation computes the same function (zlib/gzip/PNG CRC-32, reflected
 * polynomial 0xEDB88320, init and final xor 0xFFFFFFFF). om_art_crc32 picks the fastest one
 * the CPU supports, once (a cached cpuid check); om_art_crc32_with runs a named one, which
 * must be supported (om_art_crc32_impl_supported) -- an unsupported one falls back to the
 * portable code rather than executing an illegal instruction.
 */
#ifndef OM_RUNTIME_ARTIFACT_CRC32_INTERNAL_H
#define OM_RUNTIME_ARTIFACT_CRC32_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

typedef enum om_art_crc32_impl {
    OM_ART_CRC32_BYTEWISE = 0,   /* one table lookup per byte: the reference */
    OM_ART_CRC32_SLICE8 = 1,     /* slice-by-8 tables: portable, ~8 bytes per step */
    OM_ART_CRC32_PCLMUL = 2,     /* x86-64 PCLMULQDQ+SSE4.1 folding, 4x128-bit lanes */
    OM_ART_CRC32_VPCLMUL = 3,    /* x86-64 AVX-512F+VPCLMULQDQ folding, 4x512-bit lanes */
    OM_ART_CRC32_N_IMPLS = 4,
} om_art_crc32_impl;

/* 1 if this build and this CPU can run impl. */
int om_art_crc32_impl_supported(om_art_crc32_impl impl);
/* The implementation om_art_crc32 uses on this CPU. */
om_art_crc32_impl om_art_crc32_best(void);
/* "bytewise", "slice8", "pclmul", "vpclmul"; "?" otherwise. */
const char *om_art_crc32_impl_name(om_art_crc32_impl impl);
/* The CRC-32 of data[0..size) with impl (same value as om_art_crc32). */
uint32_t om_art_crc32_with(om_art_crc32_impl impl, const void *data, size_t size);

#endif
