/* Small shared pieces of the artifact library: the write buffer, error formatting, section
 * and dtype tables, and the reader's owned-allocation chain (a singly linked list of blocks,
 * each 16-byte aligned after its link header, released together). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "runtime/artifact/art_internal.h"

bool om_art_buf_reserve(om_art_buf *b, size_t extra)
{
    if (b->oom)
        return false;
    if (extra > SIZE_MAX - b->size) {
        b->oom = true;
        return false;
    }
    size_t need = b->size + extra;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    uint8_t *p = realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void om_art_buf_bytes(om_art_buf *b, const void *data, size_t n)
{
    if (n == 0 || !om_art_buf_reserve(b, n))
        return;
    memcpy(b->p + b->size, data, n);
    b->size += n;
}

void om_art_buf_zeros(om_art_buf *b, size_t n)
{
    if (n == 0 || !om_art_buf_reserve(b, n))
        return;
    memset(b->p + b->size, 0, n);
    b->size += n;
}

void om_art_put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void buf_le(om_art_buf *b, uint64_t v, int n)
{
    if (!om_art_buf_reserve(b, (size_t)n))
        return;
    om_art_put_le(b->p + b->size, v, n);
    b->size += (size_t)n;
}

void om_art_buf_u16(om_art_buf *b, uint16_t v) { buf_le(b, v, 2); }
void om_art_buf_u32(om_art_buf *b, uint32_t v) { buf_le(b, v, 4); }
void om_art_buf_u64(om_art_buf *b, uint64_t v) { buf_le(b, v, 8); }

void om_art_buf_str(om_art_buf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n > UINT32_MAX) {
        b->oom = true;
        return;
    }
    om_art_buf_u32(b, (uint32_t)n);
    om_art_buf_bytes(b, s, n);
}

void om_art_buf_align(om_art_buf *b, size_t align)
{
    size_t rem = b->size % align;
    if (rem)
        om_art_buf_zeros(b, align - rem);
}

void om_art_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

const char *om_art_check_text(int32_t code)
{
    switch (code) {
    case OM_ART_CHECK_SHAPE_VALUE:
        return "a run-time shape input (shape, axes, sizes, repeats, pads, K...) gives other shapes than "
               "the ones the model declares and omc compiled";
    case OM_ART_CHECK_OUTPUT_SIZE:
        return "a data-dependent output size differs from the output shape the model declares";
    case OM_ART_CHECK_INDEX: return "an index input is out of range";
    default: return "unknown run-time check";
    }
}

const char *om_art_section_name(uint32_t kind)
{
    switch (kind) {
    case OM_ART_SEC_TARGET: return "TARGET";
    case OM_ART_SEC_DESC: return "DESC";
    case OM_ART_SEC_PLAN: return "PLAN";
    case OM_ART_SEC_GRAPH: return "GRAPH";
    case OM_ART_SEC_WEIGHTS: return "WEIGHTS";
    case OM_ART_SEC_CODE: return "CODE";
    default: return "?";
    }
}

uint32_t om_art_section_align(uint32_t kind)
{
    return kind == OM_ART_SEC_WEIGHTS || kind == OM_ART_SEC_CODE ? OM_ART_WEIGHT_ALIGN : 8;
}

size_t om_art_dtype_size(uint32_t dtype)
{
    switch (dtype) {
    case 1: return 4;   /* float */
    case 2: return 1;   /* uint8 */
    case 3: return 1;   /* int8 */
    case 4: return 2;   /* uint16 */
    case 5: return 2;   /* int16 */
    case 6: return 4;   /* int32 */
    case 7: return 8;   /* int64 */
    case 9: return 1;   /* bool */
    case 10: return 2;  /* float16 */
    case 11: return 8;  /* double */
    case 12: return 4;  /* uint32 */
    case 13: return 8;  /* uint64 */
    case 14: return 8;  /* complex64 */
    case 15: return 16; /* complex128 */
    case 16: return 2;  /* bfloat16 */
    case 17: case 18: case 19: case 20: return 1;  /* float8 variants */
    default: return 0;  /* 0 undefined, 8 string, 21+ sub-byte or unknown */
    }
}

typedef struct owned_block {
    struct owned_block *next;
    max_align_t pad_;   /* payload follows, maximally aligned */
} owned_block;

void *om_art_owned_alloc(void **owned, size_t size)
{
    if (size > SIZE_MAX - sizeof(owned_block))
        return NULL;
    owned_block *b = calloc(1, sizeof(owned_block) + size);
    if (!b)
        return NULL;
    b->next = *owned;
    *owned = b;
    return &b->pad_;
}

char *om_art_owned_strdup(void **owned, const uint8_t *s, uint32_t len)
{
    char *d = om_art_owned_alloc(owned, (size_t)len + 1);
    if (!d)
        return NULL;
    if (len)
        memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

void om_art_model_free(om_art_model *m)
{
    if (!m)
        return;
    owned_block *b = m->owned_;
    while (b) {
        owned_block *n = b->next;
        free(b);
        b = n;
    }
    memset(m, 0, sizeof(*m));
}
