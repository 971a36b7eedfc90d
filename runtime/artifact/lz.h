/* OMLZ: the artifact's own section codec (format 1.2), LZ77 + canonical Huffman, libc only.
 * Internal to the artifact library (not installed). lz_encode.c writes, lz_decode.c reads.
 *
 * Why not deflate: a deflate window is 32 KiB, while similar kernels sit hundreds of KiB apart
 * in an artifact's CODE. OMLZ keeps deflate's structure (LSB-first bit stream, dynamic blocks,
 * canonical Huffman codes sent as run-length-coded code lengths) and widens what it refers to:
 * distances up to 2^30 (the whole section), match lengths up to 65538, and a "repeat the last
 * distance" code (code repeats the same displacement often).
 *
 * Stream = blocks; block = 1 bit "last block", then the code lengths, then symbols until END.
 *   code lengths: 6 bits (n_ll - 257), 6 bits (n_dist - 1), 4 bits (n_cl - 4), n_cl x 3 bits
 *     (code-length-code lengths in OM_LZ_CL_ORDER), then n_ll + n_dist lengths coded with the
 *     code-length code: 0..15 a length, 16 = previous length 3..6 times (2 extra bits),
 *     17 = 3..10 zeros (3 bits), 18 = 11..138 zeros (7 bits). Lengths <= 15 (code-length
 *     code: <= 7); a code may be incomplete (unused bit patterns are errors when met), never
 *     oversubscribed; the literal/length code must have END.
 *   literal/length alphabet: 0..255 literal, 256 END, 257 + c length code c (0 <= c < 60):
 *     v = length - 3; c < 8: v = c; else b = 3 + (c - 8) / 4, v = 2^b + ((c - 8) % 4) * 2^(b-2)
 *     + (b - 2) extra bits.
 *   distance alphabet: 0 = the previous match's distance; 1 + c (0 <= c < 60): v = distance - 1;
 *     c < 4: v = c; else b = 2 + (c - 4) / 2, v = 2^b + ((c - 4) % 2) * 2^(b-1) + (b - 1) extra bits.
 *   Huffman codes are sent most significant bit first (as deflate), extra bits LSB first.
 * The decoder is told the exact output size and fails on anything that would go past it,
 * refer before its start, or read past the input; the stream must end on a last block's END
 * with exactly that many bytes out and no whole unused byte left.
 */
#ifndef OM_RUNTIME_ARTIFACT_LZ_H
#define OM_RUNTIME_ARTIFACT_LZ_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/artifact/art_internal.h"

#define OM_LZ_MIN_MATCH 3u
#define OM_LZ_MAX_MATCH (3u + 65535u)
#define OM_LZ_MAX_DIST (1u << 30)
#define OM_LZ_MAX_RAW ((uint64_t)1 << 30)    /* the largest section the codec takes */
#define OM_LZ_N_LEN 60u
#define OM_LZ_END 256u
#define OM_LZ_N_LL (257u + OM_LZ_N_LEN)      /* 317 */
#define OM_LZ_N_DIST 61u                     /* rep + 60 */
#define OM_LZ_N_CL 19u
#define OM_LZ_MAX_BITS 15u
#define OM_LZ_CL_MAX_BITS 7u

/* Most bytes a stream of `stream_bytes` can produce (each match needs >= 2 bits). */
static inline uint64_t om_lz_max_output(uint64_t stream_bytes)
{
    return stream_bytes > (UINT64_MAX / 4) / OM_LZ_MAX_MATCH ? UINT64_MAX
                                                            : stream_bytes * 4 * OM_LZ_MAX_MATCH;
}

extern const uint8_t om_lz_cl_order[OM_LZ_N_CL];

/* Length code c -> base value v (length - 3) and extra bits. */
static inline void om_lz_len_code(uint32_t c, uint32_t *base, uint32_t *extra)
{
    if (c < 8) {
        *base = c;
        *extra = 0;
        return;
    }
    uint32_t b = 3 + (c - 8) / 4;
    *extra = b - 2;
    *base = (1u << b) + ((c - 8) % 4) * (1u << (b - 2));
}

/* Distance code c (symbol - 1) -> base value v (distance - 1) and extra bits. */
static inline void om_lz_dist_code(uint32_t c, uint32_t *base, uint32_t *extra)
{
    if (c < 4) {
        *base = c;
        *extra = 0;
        return;
    }
    uint32_t b = 2 + (c - 4) / 2;
    *extra = b - 1;
    *base = (1u << b) + ((c - 4) % 2) * (1u << (b - 1));
}

/* Compresses in[0..n) (n <= OM_LZ_MAX_RAW) and appends the stream to out. effort: hash-chain
 * candidates tried per position (0: 1024, less above 1 MiB). Deterministic. Returns 0, or -1 when out of
 * memory (out->oom set, or an internal allocation failed). */
int om_lz_encode(const uint8_t *in, size_t n, int effort, om_art_buf *out);

/* Decodes the stream in[0..n) into out[0..out_size), which it must fill exactly. Returns 0,
 * or -1 with a one-line reason in err (no section name: the caller adds it), e.g.
 * "truncated stream", "distance 70 beyond the 12 bytes decoded". */
int om_lz_decode(const uint8_t *in, size_t n, uint8_t *out, size_t out_size, char *err,
                 size_t errlen);

#endif
