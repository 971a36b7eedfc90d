/* Growable output buffer with an optional FILE sink (see strbuf.h). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ir/strbuf.h"

#define FLUSH_AT ((size_t)1 << 16)

static void reserve(om_strbuf *b, size_t extra)
{
    if (b->status != OM_OK)
        return;
    if (extra > SIZE_MAX - b->len - 1) {
        b->status = om_error(OM_ERR_NO_MEMORY, "printer: output too large");
        return;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t ncap = b->cap ? b->cap : 256;
    while (ncap < need)
        ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
    char *nd = realloc(b->data, ncap);
    if (!nd) {
        b->status = om_error(OM_ERR_NO_MEMORY, "printer: out of memory");
        return;
    }
    b->data = nd;
    b->cap = ncap;
}

om_status om_sb_flush(om_strbuf *b)
{
    if (b->status != OM_OK || !b->sink || b->len == 0)
        return b->status;
    if (fwrite(b->data, 1, b->len, b->sink) != b->len)
        b->status = om_error(OM_ERR_IO, "printer: write failed");
    b->len = 0;
    return b->status;
}

void om_sb_put(om_strbuf *b, const char *s, size_t n)
{
    reserve(b, n);
    if (b->status != OM_OK)
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    if (b->sink && b->len >= FLUSH_AT)
        om_sb_flush(b);
}

void om_sb_puts(om_strbuf *b, const char *s)
{
    om_sb_put(b, s, strlen(s));
}

void om_sb_putc(om_strbuf *b, char c)
{
    om_sb_put(b, &c, 1);
}

void om_sb_printf(om_strbuf *b, const char *fmt, ...)
{
    char small[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        if (b->status == OM_OK)
            b->status = om_error(OM_ERR_INTERNAL, "printer: bad format");
        return;
    }
    if ((size_t)n < sizeof small) {
        om_sb_put(b, small, (size_t)n);
        return;
    }
    reserve(b, (size_t)n);
    if (b->status != OM_OK)
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    if (b->sink && b->len >= FLUSH_AT)
        om_sb_flush(b);
}

void om_sb_free(om_strbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
