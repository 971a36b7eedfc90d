/* Devices and device contexts. Device i (0 <= i < omrt_device_count()) is a CPU device; each
 * has a default context, created by the first omrt_device_set and destroyed when the
 * matching number of omrt_device_reset calls has been made. The current context is a
 * thread-local pointer, checked against the registry of live contexts on every use (so a
 * context destroyed by another thread is never used). A context's default stream is created
 * on first use. */
#include <stdlib.h>

#include "runtime/rt_internal.h"

static _Thread_local omrt_devctx *current;
static _Thread_local uint64_t current_serial;   /* current's serial when it was set */

/* A context freed and another allocated at the same address is not mistaken for the one
 * this thread set: the serials differ. */
omrt_devctx *om_rt_current_locked(void)
{
    return om_rt_ptrset_has(&om_rt_g.contexts, current) && current->serial == current_serial
               ? current : NULL;
}

static void set_current(omrt_devctx *c)
{
    current = c;
    current_serial = c ? c->serial : 0;
}

static omrt_status new_ctx(int32_t device, int is_default, omrt_devctx **out)
{
    omrt_devctx *c = calloc(1, sizeof *c);
    if (!c || om_rt_ptrset_add(&om_rt_g.contexts, c) != 0) {
        free(c);
        return om_rt_error(OMRT_ERR_NO_MEMORY, "out of memory creating a context");
    }
    c->device = device;
    c->is_default = is_default;
    c->serial = ++om_rt_g.next_ctx_serial;
    *out = c;
    return OMRT_OK;
}

static omrt_status check_device(int32_t device, const char *fn)
{
    if (!om_rt_g.initialized)
        return om_rt_error(OMRT_ERR_NOT_INITIALIZED, "%s: the runtime is not initialized "
                           "(call omrt_init/aclInit first)", fn);
    if (device < 0 || device >= om_rt_g.n_devices)
        return om_rt_error(OMRT_ERR_INVALID_DEVICE, "%s: device %d does not exist (%d "
                           "device%s)", fn, (int)device, om_rt_g.n_devices,
                           om_rt_g.n_devices == 1 ? "" : "s");
    return OMRT_OK;
}

OMRT_EXPORT omrt_status omrt_device_set(int32_t device)
{
    pthread_mutex_lock(&om_rt_g.lock);
    omrt_status st = check_device(device, "omrt_device_set");
    if (st == OMRT_OK && !om_rt_g.default_ctx[device])
        st = new_ctx(device, 1, &om_rt_g.default_ctx[device]);
    if (st == OMRT_OK) {
        om_rt_g.default_refs[device]++;
        set_current(om_rt_g.default_ctx[device]);
    }
    pthread_mutex_unlock(&om_rt_g.lock);
    return st;
}

/* Removes c and its streams from the registries (lock held); the streams are returned for
 * freeing outside the lock. */
static omrt_status detach(omrt_devctx *c, om_rt_ptrset *gone)
{
    for (size_t i = 0; i < om_rt_g.streams.n;) {
        omrt_stream *s = om_rt_g.streams.v[i];
        if (s->ctx == c) {
            if (om_rt_ptrset_add(gone, s) != 0)
                return om_rt_error(OMRT_ERR_NO_MEMORY, "out of memory destroying a context");
            om_rt_ptrset_remove(&om_rt_g.streams, s);
        } else {
            i++;
        }
    }
    om_rt_ptrset_remove(&om_rt_g.contexts, c);
    if (current == c)
        set_current(NULL);
    return OMRT_OK;
}

static void free_detached(omrt_devctx *c, om_rt_ptrset *gone)
{
    for (size_t i = 0; i < gone->n; i++)
        om_rt_stream_free(gone->v[i]);
    free(gone->v);
    free(c);
}

OMRT_EXPORT omrt_status omrt_device_reset(int32_t device)
{
    om_rt_ptrset gone = {0};
    omrt_devctx *c = NULL;
    pthread_mutex_lock(&om_rt_g.lock);
    omrt_status st = check_device(device, "omrt_device_reset");
    if (st == OMRT_OK && om_rt_g.default_refs[device] == 0)
        st = om_rt_error(OMRT_ERR_INVALID_DEVICE, "omrt_device_reset: device %d was not set",
                         (int)device);
    if (st == OMRT_OK && --om_rt_g.default_refs[device] == 0) {
        c = om_rt_g.default_ctx[device];
        om_rt_g.default_ctx[device] = NULL;
        st = detach(c, &gone);
    }
    pthread_mutex_unlock(&om_rt_g.lock);
    if (c)
        free_detached(c, &gone);
    return st;
}

OMRT_EXPORT omrt_status omrt_devctx_create(int32_t device, omrt_devctx **out)
{
    if (out)
        *out = NULL;
    if (!out)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "omrt_devctx_create: NULL out");
    pthread_mutex_lock(&om_rt_g.lock);
    omrt_status st = check_device(device, "omrt_devctx_create");
    if (st == OMRT_OK && (st = new_ctx(device, 0, out)) == OMRT_OK)
        set_current(*out);   /* AscendCL: the new context becomes current */
    pthread_mutex_unlock(&om_rt_g.lock);
    return st;
}

OMRT_EXPORT omrt_status omrt_devctx_destroy(omrt_devctx *c)
{
    om_rt_ptrset gone = {0};
    pthread_mutex_lock(&om_rt_g.lock);
    omrt_status st = OMRT_OK;
    if (!om_rt_ptrset_has(&om_rt_g.contexts, c))
        st = om_rt_error(c ? OMRT_ERR_INVALID_HANDLE : OMRT_ERR_INVALID_ARGUMENT,
                         "omrt_devctx_destroy: %s", c ? "not a live context" : "NULL context");
    else if (c->is_default)
        st = om_rt_error(OMRT_ERR_INVALID_HANDLE, "omrt_devctx_destroy: context of device %d "
                         "is its default context (released by the device reset)",
                         (int)c->device);
    else
        st = detach(c, &gone);
    pthread_mutex_unlock(&om_rt_g.lock);
    if (st == OMRT_OK)
        free_detached(c, &gone);
    else
        free(gone.v);
    return st;
}

OMRT_EXPORT omrt_status omrt_devctx_set_current(omrt_devctx *c)
{
    pthread_mutex_lock(&om_rt_g.lock);
    omrt_status st = OMRT_OK;
    if (!om_rt_g.initialized)
        st = om_rt_error(OMRT_ERR_NOT_INITIALIZED, "omrt_devctx_set_current: the runtime is "
                         "not initialized");
    else if (c && !om_rt_ptrset_has(&om_rt_g.contexts, c))
        st = om_rt_error(OMRT_ERR_INVALID_HANDLE, "omrt_devctx_set_current: not a live context");
    else
        set_current(c);
    pthread_mutex_unlock(&om_rt_g.lock);
    return st;
}

OMRT_EXPORT omrt_status omrt_devctx_get_current(omrt_devctx **out)
{
    if (!out)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "omrt_devctx_get_current: NULL out");
    pthread_mutex_lock(&om_rt_g.lock);
    omrt_status st = OMRT_OK;
    if (!om_rt_g.initialized)
        st = om_rt_error(OMRT_ERR_NOT_INITIALIZED, "omrt_devctx_get_current: the runtime is "
                         "not initialized");
    else if (!(*out = om_rt_current_locked()))
        st = om_rt_error(OMRT_ERR_INVALID_DEVICE, "omrt_devctx_get_current: this thread has "
                         "no current context (set a device or a context first)");
    pthread_mutex_unlock(&om_rt_g.lock);
    return st;
}

OMRT_EXPORT int32_t omrt_devctx_device(const omrt_devctx *c)
{
    return c ? c->device : -1;
}

OMRT_EXPORT omrt_status omrt_device_synchronize(void)
{
    om_rt_ptrset list = {0};
    pthread_mutex_lock(&om_rt_g.lock);
    omrt_status st = OMRT_OK;
    omrt_devctx *c = om_rt_g.initialized ? om_rt_current_locked() : NULL;
    if (!om_rt_g.initialized)
        st = om_rt_error(OMRT_ERR_NOT_INITIALIZED, "omrt_device_synchronize: the runtime is "
                         "not initialized");
    else if (!c)
        st = om_rt_error(OMRT_ERR_INVALID_DEVICE, "omrt_device_synchronize: this thread has "
                         "no current context");
    for (size_t i = 0; st == OMRT_OK && i < om_rt_g.streams.n; i++) {
        omrt_stream *s = om_rt_g.streams.v[i];
        if (s->ctx->device == c->device && om_rt_ptrset_add(&list, s) != 0)
            st = om_rt_error(OMRT_ERR_NO_MEMORY, "out of memory synchronizing the device");
    }
    pthread_mutex_unlock(&om_rt_g.lock);
    omrt_status first = st;
    for (size_t i = 0; st == OMRT_OK && i < list.n; i++) {
        omrt_status r = omrt_stream_synchronize(list.v[i]);
        if (r != OMRT_OK && first == OMRT_OK)
            first = r;
    }
    free(list.v);
    return first;
}
