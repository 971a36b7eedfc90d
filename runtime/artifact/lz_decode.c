/* OMLZ decoder (format in lz.h): hostile input gives an error, never a read or write outside
 * in[0..n) and out[0..out_size).
 *
 * Bit reader: a 64-bit LSB-first buffer refilled to >= 56 bits; past the input's end it shifts
 * in zero bytes and counts them (`pad`), and a read that consumed any of those bits makes the
 * stream "truncated" (checked after every symbol, before its value is used for memory).
 * Huffman decoding: a 2^FAST_BITS table for codes up to FAST_BITS long (symbol << 4 | length,
 * 0 = no such code), and for longer codes the canonical-code search by length (the next 16
 * bits reversed, compared with each length's limit) — unused patterns of an incomplete code
 * fail as "invalid Huffman code".
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "runtime/artifact/lz.h"

#define FAST_BITS 10u

const uint8_t om_lz_cl_order[OM_LZ_N_CL] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5,
                                            11, 4, 12, 3, 13, 2, 14, 1, 15};

typedef struct bitrd {
    const uint8_t *p;
    size_t n, pos;
    uint64_t buf;
    uint32_t cnt, pad;
} bitrd;

typedef struct huff {
    uint16_t fast[1u << FAST_BITS];
    uint32_t limit[17];      /* (first code + count) << (16 - len), for len > FAST_BITS */
    uint16_t first_code[17];
    uint16_t first_sym[17];  /* index into sorted of the first code of each length */
    uint16_t n_sorted;
    uint16_t sorted[OM_LZ_N_LL];
} huff;

typedef struct dec {
    bitrd br;
    char *err;
    size_t errlen;
    huff ll, dist, cl;
} dec;

static void refill_tail(bitrd *b)
{
    while (b->cnt <= 56) {
        uint64_t byte = 0;
        if (b->pos < b->n)
            byte = b->p[b->pos++];
        else
            b->pad += 8;
        b->buf |= byte << b->cnt;
        b->cnt += 8;
    }
}

/* Afterwards b->cnt > 56. */
static inline void refill(bitrd *b)
{
    if (b->cnt > 56)
        return;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (__builtin_expect(b->n - b->pos >= 8, 1)) {
        uint64_t v;
        memcpy(&v, b->p + b->pos, 8);
        b->buf |= v << b->cnt;
        b->pos += (63 - b->cnt) >> 3;
        b->cnt |= 56;
        return;
    }
#endif
    refill_tail(b);
}

/* The bits consumed so far include padding past the input's end. */
static inline bool overran(const bitrd *b) { return b->cnt < b->pad; }

static inline uint32_t bits(bitrd *b, uint32_t k)   /* k <= 32, after refill */
{
    uint32_t v = (uint32_t)(b->buf & ((1ull << k) - 1));
    b->buf >>= k;
    b->cnt -= k;
    return v;
}

static int fail(dec *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(dec *d, const char *fmt, ...)
{
    if (d->err && d->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(d->err, d->errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static uint32_t reverse(uint32_t v, uint32_t n)
{
    uint32_t r = 0;
    for (uint32_t i = 0; i < n; i++, v >>= 1)
        r = (r << 1) | (v & 1);
    return r;
}

/* Builds h from lens[0..n); what: "literal/length", ... for messages. */
static int build(dec *d, huff *h, const uint8_t *lens, uint32_t n, uint32_t max_bits,
                 const char *what)
{
    uint32_t count[17] = {0};
    for (uint32_t s = 0; s < n; s++) {
        if (lens[s] > max_bits)
            return fail(d, "bad code lengths: %s code length %u > %u", what, lens[s], max_bits);
        count[lens[s]]++;
    }
    int32_t left = 1;   /* Kraft: code space left at each length */
    for (uint32_t l = 1; l <= 15; l++) {
        left = left * 2 - (int32_t)count[l];
        if (left < 0)
            return fail(d, "bad code lengths: %s code is oversubscribed at length %u", what, l);
    }
    memset(h->fast, 0, sizeof h->fast);
    uint32_t code = 0, k = 0, next[17];
    for (uint32_t l = 1; l <= 16; l++) {
        uint32_t c = l <= 15 ? count[l] : 0;
        h->first_code[l] = (uint16_t)code;
        h->first_sym[l] = (uint16_t)k;
        next[l] = code;
        code += c;
        k += c;
        h->limit[l] = l <= 15 ? code << (16 - l) : 0x10000;   /* <= 2^16 (Kraft) */
        code <<= 1;
    }
    h->limit[16] = 0xFFFFFFFFu;
    h->n_sorted = (uint16_t)k;
    for (uint32_t s = 0; s < n; s++) {
        uint32_t l = lens[s];
        if (!l)
            continue;
        uint32_t c = next[l]++;
        h->sorted[h->first_sym[l] + (c - h->first_code[l])] = (uint16_t)s;
        if (l <= FAST_BITS)
            for (uint32_t j = reverse(c, l); j < (1u << FAST_BITS); j += 1u << l)
                h->fast[j] = (uint16_t)(s << 4 | l);
    }
    return 0;
}

static inline uint32_t reverse16(uint32_t v)
{
    v = ((v >> 1) & 0x5555) | ((v & 0x5555) << 1);
    v = ((v >> 2) & 0x3333) | ((v & 0x3333) << 2);
    v = ((v >> 4) & 0x0F0F) | ((v & 0x0F0F) << 4);
    return ((v >> 8) & 0x00FF) | ((v & 0x00FF) << 8);
}

/* Next symbol of h, or -1 (message set). */
static inline __attribute__((always_inline)) int decode(dec *d, const huff *h, const char *what)
{
    bitrd *b = &d->br;
    if (b->cnt < 16)
        refill(b);
    uint32_t e = h->fast[b->buf & ((1u << FAST_BITS) - 1)];
    if (e) {
        b->buf >>= e & 15;
        b->cnt -= e & 15;
        if (overran(b))
            return fail(d, "truncated stream (input ends inside a %s code)", what);
        return (int)(e >> 4);
    }
    uint32_t k = reverse16((uint32_t)(b->buf & 0xFFFF)), l = FAST_BITS + 1;
    while (l <= 15 && k >= h->limit[l])
        l++;
    if (l > 15 && b->cnt - b->pad < 16)
        return fail(d, "truncated stream (input ends inside a %s code)", what);
    if (l > 15)
        return fail(d, "invalid Huffman code in the %s code", what);
    uint32_t idx = h->first_sym[l] + ((k >> (16 - l)) - h->first_code[l]);
    if (idx >= h->n_sorted)
        return fail(d, "invalid Huffman code in the %s code", what);
    b->buf >>= l;
    b->cnt -= l;
    if (overran(b))
        return fail(d, "truncated stream (input ends inside a %s code)", what);
    return h->sorted[idx];
}

static int read_tables(dec *d)
{
    bitrd *b = &d->br;
    refill(b);
    uint32_t n_ll = 257 + bits(b, 6), n_dist = 1 + bits(b, 6), n_cl = 4 + bits(b, 4);
    if (overran(b))
        return fail(d, "truncated stream (in a block header)");
    if (n_ll > OM_LZ_N_LL || n_dist > OM_LZ_N_DIST)
        return fail(d, "bad block header: %" PRIu32 " literal/length and %" PRIu32
                    " distance codes (at most %u and %u)", n_ll, n_dist, OM_LZ_N_LL, OM_LZ_N_DIST);
    uint8_t cl[OM_LZ_N_CL] = {0}, lens[OM_LZ_N_LL + OM_LZ_N_DIST];
    for (uint32_t i = 0; i < n_cl; i++) {
        refill(b);
        cl[om_lz_cl_order[i]] = (uint8_t)bits(b, 3);
    }
    if (overran(b))
        return fail(d, "truncated stream (in a block header)");
    if (build(d, &d->cl, cl, OM_LZ_N_CL, OM_LZ_CL_MAX_BITS, "code-length"))
        return -1;
    uint32_t total = n_ll + n_dist;
    for (uint32_t i = 0; i < total;) {
        int s = decode(d, &d->cl, "code-length");
        if (s < 0)
            return -1;
        if (s < 16) {
            lens[i++] = (uint8_t)s;
            continue;
        }
        uint32_t rep, val = 0;
        refill(b);
        if (s == 16) {
            if (i == 0)
                return fail(d, "bad code lengths: a repeat before any length");
            val = lens[i - 1];
            rep = 3 + bits(b, 2);
        } else if (s == 17) {
            rep = 3 + bits(b, 3);
        } else {
            rep = 11 + bits(b, 7);
        }
        if (overran(b))
            return fail(d, "truncated stream (in the code lengths)");
        if (rep > total - i)
            return fail(d, "bad code lengths: a run of %" PRIu32 " goes past the %" PRIu32
                        " lengths", rep, total);
        memset(lens + i, (int)val, rep);
        i += rep;
    }
    if (lens[OM_LZ_END] == 0)
        return fail(d, "bad code lengths: the literal/length code has no end-of-block code");
    if (build(d, &d->ll, lens, n_ll, OM_LZ_MAX_BITS, "literal/length") ||
        build(d, &d->dist, lens + n_ll, n_dist, OM_LZ_MAX_BITS, "distance"))
        return -1;
    return 0;
}

int om_lz_decode(const uint8_t *in, size_t n, uint8_t *out, size_t out_size, char *err,
                 size_t errlen)
{
    dec *d = malloc(sizeof *d);
    if (!d) {
        om_art_err(err, errlen, "out of memory decoding");
        return -1;
    }
    memset(&d->br, 0, sizeof d->br);
    d->br.p = in;
    d->br.n = n;
    d->err = err;
    d->errlen = errlen;
    bitrd *b = &d->br;
    uint8_t *op = out, *const end = out + out_size;
    uint64_t rep = 0;
    int rc = -1;
    for (bool last = false; !last;) {
        refill(b);
        last = bits(b, 1) != 0;
        if (overran(b)) {
            fail(d, "truncated stream (%zu bytes of %zu decoded)", (size_t)(op - out), out_size);
            goto done;
        }
        if (read_tables(d))
            goto done;
        for (;;) {
            int s = decode(d, &d->ll, "literal/length");
            if (s < 0)
                goto done;
            if (s < 256) {
                if (op == end) {
                    fail(d, "output overflow: a literal past the declared %zu bytes", out_size);
                    goto done;
                }
                *op++ = (uint8_t)s;
                continue;
            }
            if (s == OM_LZ_END)
                break;
            uint32_t base, extra;
            om_lz_len_code((uint32_t)s - 257, &base, &extra);
            if (b->cnt < 16)
                refill(b);
            uint64_t len = OM_LZ_MIN_MATCH + base + bits(b, extra);
            int ds = decode(d, &d->dist, "distance");
            if (ds < 0)
                goto done;
            uint64_t dist;
            if (ds == 0) {
                if (rep == 0) {
                    fail(d, "a repeated distance before any match");
                    goto done;
                }
                dist = rep;
            } else {
                om_lz_dist_code((uint32_t)ds - 1, &base, &extra);
                if (b->cnt < 32)
                    refill(b);
                dist = 1 + (uint64_t)base + bits(b, extra);
                if (overran(b)) {
                    fail(d, "truncated stream (input ends inside a distance)");
                    goto done;
                }
            }
            rep = dist;
            size_t have = (size_t)(op - out);
            if (dist > have) {
                fail(d, "distance %" PRIu64 " beyond the %zu bytes decoded", dist, have);
                goto done;
            }
            if (len > (size_t)(end - op)) {
                fail(d, "length overflow: a match of %" PRIu64 " bytes at byte %zu goes past "
                     "the declared %zu bytes", len, have, out_size);
                goto done;
            }
            const uint8_t *src = op - dist;
            if (dist >= 8 && (size_t)(end - op) >= len + 8) {
                /* 8-byte chunks never overlap (dist >= 8); the last may write up to 7 bytes
                 * past the match, inside the output, which later symbols overwrite */
                for (size_t i = 0; i < len; i += 8)
                    memcpy(op + i, src + i, 8);
            } else if (dist >= 8) {
                size_t i = 0;
                for (; i + 8 <= len; i += 8)
                    memcpy(op + i, src + i, 8);
                for (; i < len; i++)
                    op[i] = src[i];
            } else {
                for (size_t i = 0; i < len; i++)
                    op[i] = src[i];
            }
            op += len;
        }
    }
    if (op != end) {
        fail(d, "stream ends after %zu of the declared %zu bytes", (size_t)(op - out), out_size);
        goto done;
    }
    /* whole bytes the reader fetched but did not use: buffered bits minus padding, over 8 */
    size_t unused = (b->cnt - b->pad) / 8 + (n - b->pos);
    if (unused) {
        fail(d, "%zu unused bytes after the end of the stream", unused);
        goto done;
    }
    rc = 0;
done:
    free(d);
    return rc;
}
