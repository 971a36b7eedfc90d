/* Internal helpers of the artifact library (not installed, not part of the API):
 * - om_art_cur: a bounds-checked little-endian read cursor. Every read checks the remaining
 *   bytes first and, on a short buffer, sets `bad` and returns zero; callers test `bad` (or
 *   the bool result) before using what they read. A cursor never reads outside [p, p+size).
 * - om_art_buf: a growable little-endian write buffer with a sticky out-of-memory flag.
 * - om_art_err: printf-style message into the caller's (err, errlen), tolerating NULL/0.
 * - dtype sizes in ONNX TensorProto numbering.
 */
#ifndef OM_RUNTIME_ARTIFACT_INTERNAL_H
#define OM_RUNTIME_ARTIFACT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "runtime/artifact/artifact.h"

/* ---- reading ---- */
typedef struct om_art_cur {
    const uint8_t *p;
    size_t size, pos;
    bool bad;
} om_art_cur;

static inline uint64_t om_art_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static inline size_t om_art_cur_left(const om_art_cur *c) { return c->size - c->pos; }

static inline bool om_art_cur_need(om_art_cur *c, size_t n)
{
    if (c->bad || om_art_cur_left(c) < n) {
        c->bad = true;
        return false;
    }
    return true;
}

static inline uint32_t om_art_cur_u32(om_art_cur *c)
{
    if (!om_art_cur_need(c, 4))
        return 0;
    uint32_t v = (uint32_t)om_art_le(c->p + c->pos, 4);
    c->pos += 4;
    return v;
}

static inline uint64_t om_art_cur_u64(om_art_cur *c)
{
    if (!om_art_cur_need(c, 8))
        return 0;
    uint64_t v = om_art_le(c->p + c->pos, 8);
    c->pos += 8;
    return v;
}

static inline int64_t om_art_cur_i64(om_art_cur *c) { return (int64_t)om_art_cur_u64(c); }

/* A string: u32 length + bytes. On success *s points into the buffer (not NUL-terminated). */
static inline bool om_art_cur_str(om_art_cur *c, const uint8_t **s, uint32_t *len)
{
    uint32_t n = om_art_cur_u32(c);
    if (!om_art_cur_need(c, n))
        return false;
    *s = c->p + c->pos;
    *len = n;
    c->pos += n;
    return true;
}

/* ---- writing ---- */
typedef struct om_art_buf {
    uint8_t *p;
    size_t size, cap;
    bool oom;
} om_art_buf;

bool om_art_buf_reserve(om_art_buf *b, size_t extra);
void om_art_buf_bytes(om_art_buf *b, const void *data, size_t n);
void om_art_buf_zeros(om_art_buf *b, size_t n);
void om_art_buf_u16(om_art_buf *b, uint16_t v);
void om_art_buf_u32(om_art_buf *b, uint32_t v);
void om_art_buf_u64(om_art_buf *b, uint64_t v);
void om_art_buf_str(om_art_buf *b, const char *s);   /* NULL writes an empty string */
void om_art_buf_align(om_art_buf *b, size_t align);  /* zero padding */
void om_art_put_le(uint8_t *p, uint64_t v, int n);

/* ---- misc ---- */
void om_art_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Bytes per element of an ONNX dtype the runtime knows, or 0 for unknown / unsupported
 * (string, sub-byte types). */
size_t om_art_dtype_size(uint32_t dtype);

/* Reader's allocation: a chain of blocks freed together by om_art_model_free. */
void *om_art_owned_alloc(void **owned, size_t size);
char *om_art_owned_strdup(void **owned, const uint8_t *s, uint32_t len);

/* Required alignments per section kind as the writer lays them out. */
uint32_t om_art_section_align(uint32_t kind);

#endif
