/* Error reporting: a per-thread last message (thread-local, so concurrent callers do not see
 * each other's errors) and the status names. Messages are truncated to 511 bytes, and control
 * characters in them are replaced by '?'. */
#include <stdarg.h>
#include <stdio.h>

#include "runtime/rt_internal.h"

static _Thread_local char last_error[512];

omrt_status om_rt_error(omrt_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    /* names in messages come from artifacts, which may be hostile: no control characters
     * (a terminal escape sequence or a newline in a tensor name) reach the caller's output */
    for (char *p = last_error; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return s;
}

OMRT_EXPORT const char *omrt_last_error(void)
{
    return last_error;
}

OMRT_EXPORT const char *omrt_status_name(omrt_status s)
{
    switch (s) {
    case OMRT_OK: return "OK";
    case OMRT_ERR_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case OMRT_ERR_INVALID_ARTIFACT: return "INVALID_ARTIFACT";
    case OMRT_ERR_UNSUPPORTED: return "UNSUPPORTED";
    case OMRT_ERR_NO_MEMORY: return "NO_MEMORY";
    case OMRT_ERR_IO: return "IO";
    case OMRT_ERR_INTERNAL: return "INTERNAL";
    case OMRT_ERR_NOT_INITIALIZED: return "NOT_INITIALIZED";
    case OMRT_ERR_ALREADY: return "ALREADY";
    case OMRT_ERR_TIMEOUT: return "TIMEOUT";
    case OMRT_ERR_INVALID_DEVICE: return "INVALID_DEVICE";
    case OMRT_ERR_INVALID_HANDLE: return "INVALID_HANDLE";
    case OMRT_ERR_NOT_SUBSCRIBED: return "NOT_SUBSCRIBED";
    case OMRT_ERR_THREAD_NOT_SUBSCRIBED: return "THREAD_NOT_SUBSCRIBED";
    case OMRT_ERR_TASK_FAILED: return "TASK_FAILED";
    case OMRT_ERR_EXECUTION: return "EXECUTION";
    }
    return "UNKNOWN_STATUS";
}
