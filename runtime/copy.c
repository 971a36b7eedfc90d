/* Copies and memset, synchronous and on a stream. Every call is validated against the
 * memory registries first (devmem.c): the pointers must be on the side `kind` says (a host
 * pointer where a device pointer is due is an error, and the reverse), count must fit
 * dst_max and the rest of any tracked block it starts in, and a device-to-device copy must
 * stay on one device. An async task re-checks, when it runs, that its device blocks are
 * still allocated (a block freed in between fails the task instead of being written). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_internal.h"

static const char *kind_name(omrt_copy_kind k)
{
    static const char *const names[] = {"host-to-host", "host-to-device", "device-to-host",
                                        "device-to-device", "default"};
    return (unsigned)k < 5 ? names[k] : "?";
}

/* count must fit the tracked block p starts in (device or host), if any. */
static omrt_status fits(const void *p, size_t count, int device, const char *fn,
                        const char *which)
{
    om_rt_block b;
    if (!om_rt_block_find(device, p, &b))
        return OMRT_OK;
    size_t left = b.size - ((uintptr_t)p - b.base);
    if (count > left)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "%s: %zu bytes at %s %p run past the end "
                           "of its %s block (%zu bytes left)", fn, count, which, p,
                           device ? "device" : "host", left);
    return OMRT_OK;
}

omrt_status om_rt_copy_check(void *dst, size_t dst_max, const void *src, size_t count,
                             omrt_copy_kind *kind, const char *fn)
{
    if (!dst || !src)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "%s: NULL %s", fn, dst ? "src" : "dst");
    if ((unsigned)*kind > OMRT_COPY_DEFAULT)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "%s: unknown copy kind %d", fn,
                           (int)*kind);
    if (count > dst_max)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "%s: count %zu exceeds the destination "
                           "size %zu", fn, count, dst_max);
    om_rt_block db, sb;
    int dd = om_rt_block_find(1, dst, &db), sd = om_rt_block_find(1, src, &sb);
    if (*kind == OMRT_COPY_DEFAULT)
        *kind = dd ? (sd ? OMRT_COPY_DEVICE_TO_DEVICE : OMRT_COPY_HOST_TO_DEVICE)
                   : (sd ? OMRT_COPY_DEVICE_TO_HOST : OMRT_COPY_HOST_TO_HOST);
    int want_dd = *kind == OMRT_COPY_HOST_TO_DEVICE || *kind == OMRT_COPY_DEVICE_TO_DEVICE;
    int want_sd = *kind == OMRT_COPY_DEVICE_TO_HOST || *kind == OMRT_COPY_DEVICE_TO_DEVICE;
    if (want_dd != dd)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "%s: dst %p is %s memory but the copy "
                           "is %s", fn, dst, dd ? "device" : "not device", kind_name(*kind));
    if (want_sd != sd)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "%s: src %p is %s memory but the copy "
                           "is %s", fn, src, sd ? "device" : "not device", kind_name(*kind));
    if (dd && sd && db.device != sb.device)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "%s: src is on device %d and dst on "
                           "device %d (devices do not share memory)", fn, (int)sb.device,
                           (int)db.device);
    omrt_status st;
    if ((st = fits(dst, count, dd, fn, "dst")) != OMRT_OK ||
        (st = fits(src, count, sd, fn, "src")) != OMRT_OK)
        return st;
    return OMRT_OK;
}

OMRT_EXPORT omrt_status omrt_memcpy(void *dst, size_t dst_max, const void *src, size_t count,
                                    omrt_copy_kind kind)
{
    omrt_status st = om_rt_check_init("omrt_memcpy");
    if (st == OMRT_OK && (st = om_rt_copy_check(dst, dst_max, src, count, &kind,
                                                "omrt_memcpy")) == OMRT_OK && count)
        memmove(dst, src, count);
    return st;
}

static omrt_status memset_check(void *dst, size_t dst_max, size_t count, const char *fn,
                                int *on_device)
{
    if (!dst)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "%s: NULL dst", fn);
    if (count > dst_max)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "%s: count %zu exceeds the destination "
                           "size %zu", fn, count, dst_max);
    *on_device = om_rt_block_find(1, dst, NULL);
    if (!*on_device && !om_rt_block_find(0, dst, NULL))
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "%s: dst %p is neither device nor host "
                           "memory of the runtime", fn, dst);
    return fits(dst, count, *on_device, fn, "dst");
}

OMRT_EXPORT omrt_status omrt_memset(void *dst, size_t dst_max, int value, size_t count)
{
    int dev;
    omrt_status st = om_rt_check_init("omrt_memset");
    if (st == OMRT_OK && (st = memset_check(dst, dst_max, count, "omrt_memset", &dev)) == OMRT_OK)
        memset(dst, value, count);
    return st;
}

typedef struct copy_task {
    om_rt_task t;
    void *dst;
    const void *src;
    size_t count;
    int value;                 /* memset only */
    int dst_dev, src_dev;      /* were device blocks at enqueue time */
    int is_memset;
} copy_task;

static omrt_status still_there(const void *p, int was_dev, size_t count, const char *which)
{
    if (was_dev && count && !om_rt_block_find(1, p, NULL))
        return om_rt_error(OMRT_ERR_INVALID_HANDLE, "%s device block %p was freed before the "
                           "task ran", which, p);
    return OMRT_OK;
}

static omrt_status copy_run(om_rt_task *t)
{
    copy_task *c = (copy_task *)t;
    omrt_status st;
    if ((st = still_there(c->dst, c->dst_dev, c->count, "dst")) != OMRT_OK)
        return st;
    if (c->is_memset) {
        memset(c->dst, c->value, c->count);
        return OMRT_OK;
    }
    if ((st = still_there(c->src, c->src_dev, c->count, "src")) != OMRT_OK)
        return st;
    if (c->count)
        memmove(c->dst, c->src, c->count);
    return OMRT_OK;
}

/* The bytes as one uint8 vector each side (memset: output only). */
static void copy_describe(om_rt_task *t, om_rt_operands *ops)
{
    copy_task *c = (copy_task *)t;
    om_rt_operand bytes = {2 /* ONNX uint8 */, 1, {(int64_t)c->count}, c->dst};
    ops->out[0] = bytes;
    ops->n_out = 1;
    if (!c->is_memset) {
        bytes.address = (void *)c->src;
        ops->in[0] = bytes;
        ops->n_in = 1;
    }
}

static omrt_status push_copy(copy_task *c, omrt_stream *s, const char *fn)
{
    omrt_stream *rs;
    omrt_status st = om_rt_stream_resolve(s, fn, &rs);
    if (st != OMRT_OK) {
        free(c);
        return st;
    }
    return om_rt_stream_push(rs, &c->t);
}

OMRT_EXPORT omrt_status omrt_memcpy_async(void *dst, size_t dst_max, const void *src,
                                          size_t count, omrt_copy_kind kind, omrt_stream *s)
{
    omrt_status st = om_rt_check_init("omrt_memcpy_async");
    if (st != OMRT_OK ||
        (st = om_rt_copy_check(dst, dst_max, src, count, &kind, "omrt_memcpy_async")) != OMRT_OK)
        return st;
    copy_task *c = calloc(1, sizeof *c);
    if (!c)
        return om_rt_error(OMRT_ERR_NO_MEMORY, "omrt_memcpy_async: out of memory");
    c->t.run = copy_run;
    c->t.describe = copy_describe;
    snprintf(c->t.op, sizeof c->t.op, "memcpy:%s", kind_name(kind));
    c->dst = dst;
    c->src = src;
    c->count = count;
    c->dst_dev = kind == OMRT_COPY_HOST_TO_DEVICE || kind == OMRT_COPY_DEVICE_TO_DEVICE;
    c->src_dev = kind == OMRT_COPY_DEVICE_TO_HOST || kind == OMRT_COPY_DEVICE_TO_DEVICE;
    return push_copy(c, s, "omrt_memcpy_async");
}

OMRT_EXPORT omrt_status omrt_memset_async(void *dst, size_t dst_max, int value, size_t count,
                                          omrt_stream *s)
{
    int dev = 0;
    omrt_status st = om_rt_check_init("omrt_memset_async");
    if (st != OMRT_OK ||
        (st = memset_check(dst, dst_max, count, "omrt_memset_async", &dev)) != OMRT_OK)
        return st;
    copy_task *c = calloc(1, sizeof *c);
    if (!c)
        return om_rt_error(OMRT_ERR_NO_MEMORY, "omrt_memset_async: out of memory");
    c->t.run = copy_run;
    c->t.describe = copy_describe;
    snprintf(c->t.op, sizeof c->t.op, "memset");
    c->dst = dst;
    c->count = count;
    c->value = value;
    c->dst_dev = dev;
    c->is_memset = 1;
    return push_copy(c, s, "omrt_memset_async");
}
