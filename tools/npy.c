/* NumPy .npy reader and writer (see npy.h for what is supported).
 *
 * Layout: "\x93NUMPY", u8 major, u8 minor, header length (u16 LE for 1.0, u32 LE for 2.0
 * and 3.0), the header (an ASCII -- UTF-8 for 3.0 -- Python dict literal padded with
 * spaces and ending in '\n'), then the raw data.
 *
 * The header parser is a small cursor over [p, end): every read checks the bound first.
 * It accepts what numpy writes and any reordering of the three keys, single or double
 * quotes, optional trailing commas, and Python 2's "3L" dims; nothing else.
 */
#include "tools/npy.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_ALIGN 64

typedef struct npy_type {
    int32_t dtype;
    const char *descr;   /* what the writer uses */
    const char *alt;     /* another accepted spelling, or NULL */
    size_t size;
} npy_type;

static const npy_type npy_types[] = {
    {1, "<f4", NULL, 4},   {2, "|u1", "<u1", 1},  {3, "|i1", "<i1", 1},
    {4, "<u2", NULL, 2},   {5, "<i2", NULL, 2},   {6, "<i4", NULL, 4},
    {7, "<i8", NULL, 8},   {9, "|b1", "<b1", 1},  {10, "<f2", NULL, 2},
    {11, "<f8", NULL, 8},  {12, "<u4", NULL, 4},  {13, "<u8", NULL, 8},
};
#define N_TYPES (sizeof npy_types / sizeof npy_types[0])

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static const npy_type *type_of(int32_t dtype)
{
    for (size_t i = 0; i < N_TYPES; i++)
        if (npy_types[i].dtype == dtype)
            return &npy_types[i];
    return NULL;
}

size_t om_npy_dtype_size(int32_t dtype)
{
    const npy_type *t = type_of(dtype);
    return t ? t->size : 0;
}

const char *om_npy_dtype_descr(int32_t dtype)
{
    const npy_type *t = type_of(dtype);
    return t ? t->descr : NULL;
}

/* ---- header parsing ------------------------------------------------------------------- */

typedef struct cursor {
    const char *p, *end;
    char *err;
    size_t errlen;
} cursor;

static void skip_ws(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static bool accept(cursor *c, char ch)
{
    skip_ws(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return true;
    }
    return false;
}

static int expect(cursor *c, char ch, const char *where)
{
    if (accept(c, ch))
        return 0;
    if (c->p < c->end)
        return fail(c->err, c->errlen, "bad .npy header: expected '%c' %s, found '%c'", ch, where, *c->p);
    return fail(c->err, c->errlen, "bad .npy header: expected '%c' %s, found the end", ch, where);
}

/* A quoted string without escapes into buf. */
static int parse_string(cursor *c, char *buf, size_t cap, const char *what)
{
    skip_ws(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
        return fail(c->err, c->errlen, "bad .npy header: expected a quoted %s", what);
    char q = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != q) {
        if (*c->p == '\\' || *c->p == '\n')
            return fail(c->err, c->errlen, "bad .npy header: unexpected character in %s", what);
        if (n + 1 >= cap)
            return fail(c->err, c->errlen, "bad .npy header: %s too long", what);
        buf[n++] = *c->p++;
    }
    if (c->p >= c->end)
        return fail(c->err, c->errlen, "bad .npy header: unterminated %s", what);
    c->p++;
    buf[n] = '\0';
    return 0;
}

static bool accept_word(cursor *c, const char *w)
{
    skip_ws(c);
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) >= n && memcmp(c->p, w, n) == 0) {
        const char *after = c->p + n;
        if (after == c->end || !((*after >= 'a' && *after <= 'z') || (*after >= 'A' && *after <= 'Z') ||
                                 (*after >= '0' && *after <= '9') || *after == '_')) {
            c->p = after;
            return true;
        }
    }
    return false;
}

static int parse_shape(cursor *c, int32_t *rank, int64_t *dims)
{
    if (expect(c, '(', "to open the shape tuple"))
        return -1;
    int r = 0;
    bool need_comma_for_one = true;
    for (;;) {
        skip_ws(c);
        if (accept(c, ')'))
            break;
        if (c->p >= c->end || *c->p < '0' || *c->p > '9')
            return fail(c->err, c->errlen, "bad .npy header: shape holds something other than "
                        "non-negative integers");
        int64_t v = 0;
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
            int d = *c->p++ - '0';
            if (v > (INT64_MAX - d) / 10)
                return fail(c->err, c->errlen, "bad .npy header: shape dim too large");
            v = v * 10 + d;
        }
        if (c->p < c->end && *c->p == 'L')
            c->p++;
        if (r == OM_NPY_MAX_RANK)
            return fail(c->err, c->errlen, "unsupported .npy: more than %d dims", OM_NPY_MAX_RANK);
        dims[r++] = v;
        if (accept(c, ',')) {
            need_comma_for_one = false;
            continue;
        }
        if (expect(c, ')', "to close the shape tuple"))
            return -1;
        break;
    }
    if (r == 1 && need_comma_for_one)
        return fail(c->err, c->errlen, "bad .npy header: shape '(n)' is not a tuple (expected '(n,)')");
    *rank = r;
    return 0;
}

static int parse_header(const char *hdr, size_t len, om_npy_array *out, char *err, size_t errlen)
{
    cursor c = {hdr, hdr + len, err, errlen};
    bool have_descr = false, have_order = false, have_shape = false;
    char descr[32] = "";
    bool fortran = false;
    if (expect(&c, '{', "at the start of the header"))
        return -1;
    for (;;) {
        if (accept(&c, '}'))
            break;
        char key[32];
        if (parse_string(&c, key, sizeof key, "key"))
            return -1;
        if (expect(&c, ':', "after a key"))
            return -1;
        if (strcmp(key, "descr") == 0) {
            if (have_descr)
                return fail(err, errlen, "bad .npy header: key 'descr' given twice");
            skip_ws(&c);
            if (c.p < c.end && (*c.p == '[' || *c.p == '{'))
                return fail(err, errlen, "unsupported .npy: structured dtype");
            if (parse_string(&c, descr, sizeof descr, "descr"))
                return -1;
            have_descr = true;
        } else if (strcmp(key, "fortran_order") == 0) {
            if (have_order)
                return fail(err, errlen, "bad .npy header: key 'fortran_order' given twice");
            if (accept_word(&c, "True"))
                fortran = true;
            else if (accept_word(&c, "False"))
                fortran = false;
            else
                return fail(err, errlen, "bad .npy header: fortran_order is not True or False");
            have_order = true;
        } else if (strcmp(key, "shape") == 0) {
            if (have_shape)
                return fail(err, errlen, "bad .npy header: key 'shape' given twice");
            if (parse_shape(&c, &out->rank, out->dims))
                return -1;
            have_shape = true;
        } else {
            return fail(err, errlen, "bad .npy header: unknown key '%s'", key);
        }
        if (accept(&c, ','))
            continue;
        if (expect(&c, '}', "to close the header"))
            return -1;
        break;
    }
    skip_ws(&c);
    if (c.p != c.end)
        return fail(err, errlen, "bad .npy header: unexpected text after the closing '}'");
    if (!have_descr || !have_order || !have_shape)
        return fail(err, errlen, "bad .npy header: missing key '%s'",
                    !have_descr ? "descr" : !have_order ? "fortran_order" : "shape");
    if (fortran)
        return fail(err, errlen, "unsupported .npy: fortran_order is True (save a C-order array: "
                    "np.ascontiguousarray)");
    if (descr[0] == '>')
        return fail(err, errlen, "unsupported .npy: big-endian dtype '%s' (convert with "
                    "arr.astype(arr.dtype.newbyteorder('<')))", descr);
    for (size_t i = 0; i < N_TYPES; i++) {
        if (strcmp(descr, npy_types[i].descr) == 0 ||
            (npy_types[i].alt && strcmp(descr, npy_types[i].alt) == 0)) {
            out->dtype = npy_types[i].dtype;
            return 0;
        }
    }
    return fail(err, errlen, "unsupported .npy dtype '%s'", descr);
}

/* Parses the preamble and header of buf; sets out's dtype/rank/dims/nbytes and *data_off. */
static int parse_prefix(const unsigned char *b, size_t size, om_npy_array *out, size_t *data_off,
                        char *err, size_t errlen)
{
    if (size < NPY_MAGIC_LEN || memcmp(b, NPY_MAGIC, NPY_MAGIC_LEN) != 0)
        return fail(err, errlen, "not a .npy file (bad magic)");
    if (size < 8)
        return fail(err, errlen, "truncated .npy file (%zu bytes)", size);
    unsigned major = b[6], minor = b[7];
    size_t hlen, pre;
    if (major == 1 && minor == 0) {
        pre = 10;
        if (size < pre)
            return fail(err, errlen, "truncated .npy file (%zu bytes)", size);
        hlen = (size_t)b[8] | (size_t)b[9] << 8;
    } else if ((major == 2 || major == 3) && minor == 0) {
        pre = 12;
        if (size < pre)
            return fail(err, errlen, "truncated .npy file (%zu bytes)", size);
        hlen = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
    } else {
        return fail(err, errlen, "unsupported .npy format version %u.%u (reads 1.0, 2.0, 3.0)", major, minor);
    }
    if (hlen > size - pre)
        return fail(err, errlen, "truncated .npy file: header of %zu bytes, file has %zu after the preamble",
                    hlen, size - pre);
    const char *hdr = (const char *)b + pre;
    if (hlen == 0 || hdr[hlen - 1] != '\n')
        return fail(err, errlen, "bad .npy header: does not end with a newline");
    for (size_t i = 0; i < hlen; i++) {
        unsigned char ch = (unsigned char)hdr[i];
        if (ch == 0 || (ch >= 0x80 && major < 3))
            return fail(err, errlen, "bad .npy header: byte 0x%02x at offset %zu", ch, pre + i);
    }
    if (parse_header(hdr, hlen, out, err, errlen))
        return -1;
    size_t item = om_npy_dtype_size(out->dtype);
    uint64_t count = 1;
    for (int i = 0; i < out->rank; i++) {
        uint64_t d = (uint64_t)out->dims[i];
        if (d && count > UINT64_MAX / d)
            return fail(err, errlen, "bad .npy header: shape too large");
        count *= d;
    }
    if (count > SIZE_MAX / item)
        return fail(err, errlen, "bad .npy header: shape too large");
    out->nbytes = (size_t)count * item;
    *data_off = pre + hlen;
    size_t have = size - *data_off;
    if (have < out->nbytes)
        return fail(err, errlen, "truncated .npy file: data has %zu bytes, shape and dtype need %zu",
                    have, out->nbytes);
    if (have > out->nbytes)
        return fail(err, errlen, ".npy file has %zu bytes after the data that shape and dtype "
                    "account for", have - out->nbytes);
    return 0;
}

int om_npy_parse(const void *buf, size_t size, om_npy_array *out, char *err, size_t errlen)
{
    if (!out)
        return fail(err, errlen, "om_npy_parse: NULL argument");
    memset(out, 0, sizeof *out);
    if (!buf)
        return fail(err, errlen, "om_npy_parse: NULL argument");
    size_t off;
    om_npy_array a;
    memset(&a, 0, sizeof a);
    if (parse_prefix(buf, size, &a, &off, err, errlen))
        return -1;
    a.data = malloc(a.nbytes ? a.nbytes : 1);
    if (!a.data)
        return fail(err, errlen, "out of memory (%zu bytes)", a.nbytes);
    memcpy(a.data, (const unsigned char *)buf + off, a.nbytes);
    *out = a;
    return 0;
}

int om_npy_read_file(const char *path, om_npy_array *out, char *err, size_t errlen)
{
    if (!out || !path)
        return fail(err, errlen, "om_npy_read_file: NULL argument");
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    unsigned char *buf = NULL;
    size_t size = 0, cap = 0;
    int rc = -1;
    for (;;) {
        if (size == cap) {
            size_t ncap = cap ? cap * 2 : 1 << 16;
            unsigned char *nb = ncap > cap ? realloc(buf, ncap) : NULL;
            if (!nb) {
                fail(err, errlen, "%s: out of memory", path);
                goto done;
            }
            buf = nb;
            cap = ncap;
        }
        size_t n = fread(buf + size, 1, cap - size, f);
        size += n;
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        fail(err, errlen, "%s: read error", path);
        goto done;
    }
    size_t off;
    if (parse_prefix(buf, size, out, &off, err, errlen)) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", err ? err : "");
        fail(err, errlen, "%s: %s", path, msg);
        memset(out, 0, sizeof *out);
        goto done;
    }
    /* keep the buffer: slide the data to its start */
    memmove(buf, buf + off, out->nbytes);
    out->data = buf;
    buf = NULL;
    rc = 0;
done:
    free(buf);
    fclose(f);
    return rc;
}

void om_npy_free(om_npy_array *a)
{
    if (!a)
        return;
    free(a->data);
    memset(a, 0, sizeof *a);
}

/* ---- writing ---------------------------------------------------------------------------- */

int om_npy_serialize(int32_t dtype, int32_t rank, const int64_t *dims, const void *data,
                     size_t nbytes, void **out, size_t *out_size, char *err, size_t errlen)
{
    if (!out || !out_size || (rank > 0 && !dims) || (nbytes && !data))
        return fail(err, errlen, "om_npy_serialize: NULL argument");
    *out = NULL;
    *out_size = 0;
    const npy_type *t = type_of(dtype);
    if (!t)
        return fail(err, errlen, "dtype %d cannot be stored in a .npy file", (int)dtype);
    if (rank < 0 || rank > OM_NPY_MAX_RANK)
        return fail(err, errlen, "rank %d out of range", (int)rank);
    char shape[OM_NPY_MAX_RANK * 24 + 8];
    size_t n = 0;
    uint64_t count = 1;
    n += (size_t)snprintf(shape + n, sizeof shape - n, "(");
    for (int i = 0; i < rank; i++) {
        if (dims[i] < 0)
            return fail(err, errlen, "negative dim %lld", (long long)dims[i]);
        if (dims[i] && count > UINT64_MAX / (uint64_t)dims[i])
            return fail(err, errlen, "shape too large");
        count *= (uint64_t)dims[i];
        n += (size_t)snprintf(shape + n, sizeof shape - n, "%s%lld", i ? ", " : "", (long long)dims[i]);
    }
    snprintf(shape + n, sizeof shape - n, rank == 1 ? ",)" : ")");
    if (count > SIZE_MAX / t->size || count * t->size != nbytes)
        return fail(err, errlen, "data has %zu bytes, shape and dtype need %llu", nbytes,
                    (unsigned long long)(count * t->size));

    char dict[sizeof shape + 96];
    int dlen = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                        t->descr, shape);
    size_t pre = 10;
    size_t total = pre + (size_t)dlen + 1;
    size_t hlen = (total + NPY_ALIGN - 1) / NPY_ALIGN * NPY_ALIGN - pre;
    if (hlen > 0xffff) {
        pre = 12;
        total = pre + (size_t)dlen + 1;
        hlen = (total + NPY_ALIGN - 1) / NPY_ALIGN * NPY_ALIGN - pre;
    }
    if (nbytes > SIZE_MAX - pre - hlen)
        return fail(err, errlen, "data too large");
    unsigned char *b = malloc(pre + hlen + nbytes);
    if (!b)
        return fail(err, errlen, "out of memory (%zu bytes)", pre + hlen + nbytes);
    memcpy(b, NPY_MAGIC, NPY_MAGIC_LEN);
    b[6] = pre == 10 ? 1 : 2;
    b[7] = 0;
    if (pre == 10) {
        b[8] = (unsigned char)(hlen & 0xff);
        b[9] = (unsigned char)(hlen >> 8);
    } else {
        for (int i = 0; i < 4; i++)
            b[8 + i] = (unsigned char)(hlen >> (8 * i));
    }
    memcpy(b + pre, dict, (size_t)dlen);
    memset(b + pre + dlen, ' ', hlen - (size_t)dlen - 1);
    b[pre + hlen - 1] = '\n';
    if (nbytes)
        memcpy(b + pre + hlen, data, nbytes);
    *out = b;
    *out_size = pre + hlen + nbytes;
    return 0;
}

int om_npy_write_file(const char *path, int32_t dtype, int32_t rank, const int64_t *dims,
                      const void *data, size_t nbytes, char *err, size_t errlen)
{
    if (!path)
        return fail(err, errlen, "om_npy_write_file: NULL path");
    void *buf;
    size_t size;
    if (om_npy_serialize(dtype, rank, dims, data, nbytes, &buf, &size, err, errlen)) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", err ? err : "");
        return fail(err, errlen, "%s: %s", path, msg);
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        int e = errno;
        free(buf);
        return fail(err, errlen, "%s: cannot create: %s", path, strerror(e));
    }
    bool ok = fwrite(buf, 1, size, f) == size;
    ok = (fclose(f) == 0) && ok;
    free(buf);
    if (!ok) {
        remove(path);
        return fail(err, errlen, "%s: write failed (disk full?)", path);
    }
    return 0;
}
