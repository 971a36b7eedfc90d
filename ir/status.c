/* Status codes and the per-thread error message.
 *
 * om_error formats into a thread-local buffer and returns its code, so a failing call
 * reads `return om_error(OM_ERR_..., "...")`. The buffer is fixed-size (long messages are
 * truncated, never overflowed); om_last_error returns it borrowed. om_error_prefix
 * prepends context ("file.onnx: ...") to the message already stored.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ir/ir.h"

#define OM_ERROR_BUF_SIZE 4096

static _Thread_local char error_buf[OM_ERROR_BUF_SIZE];

om_status om_error(om_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error_buf, sizeof error_buf, fmt, ap);
    va_end(ap);
    return code;
}

om_status om_error_prefix(om_status code, const char *fmt, ...)
{
    char old[OM_ERROR_BUF_SIZE];
    memcpy(old, error_buf, sizeof old);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(error_buf, sizeof error_buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    size_t at = (size_t)n < sizeof error_buf ? (size_t)n : sizeof error_buf - 1;
    const char *sep = ": ";
    for (const char *p = sep; *p && at + 1 < sizeof error_buf; p++)
        error_buf[at++] = *p;
    for (const char *p = old; *p && at + 1 < sizeof error_buf; p++)
        error_buf[at++] = *p;
    error_buf[at] = '\0';
    return code;
}

const char *om_last_error(void)
{
    return error_buf;
}

const char *om_status_name(om_status code)
{
    switch (code) {
    case OM_OK: return "ok";
    case OM_ERR_INVALID_ARGUMENT: return "invalid argument";
    case OM_ERR_INVALID_MODEL: return "invalid model";
    case OM_ERR_UNSUPPORTED: return "unsupported";
    case OM_ERR_NO_MEMORY: return "out of memory";
    case OM_ERR_IO: return "I/O error";
    case OM_ERR_PARSE: return "parse error";
    case OM_ERR_INTERNAL: return "internal error";
    }
    return "unknown status";
}
