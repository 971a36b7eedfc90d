/* Private: a growable output buffer for the printer. With a FILE sink the buffer is
 * flushed whenever it passes a threshold, so printing large constants needs bounded
 * memory; without one it accumulates the whole text. The first failure (out of memory or
 * a write error) sticks in `status`; later appends are ignored.
 */
#ifndef OM_IR_STRBUF_H
#define OM_IR_STRBUF_H

#include <stddef.h>
#include <stdio.h>

#include "ir/ir.h"

typedef struct om_strbuf {
    char *data;
    size_t len, cap;
    FILE *sink;       /* NULL: keep everything in data */
    om_status status; /* OM_OK until something fails */
} om_strbuf;

void om_sb_put(om_strbuf *b, const char *s, size_t n);
void om_sb_puts(om_strbuf *b, const char *s);
void om_sb_putc(om_strbuf *b, char c);
void om_sb_printf(om_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
om_status om_sb_flush(om_strbuf *b); /* writes pending bytes to the sink, if any */
void om_sb_free(om_strbuf *b);

#endif /* OM_IR_STRBUF_H */
