/* Device and host memory: two allocators with separate registries (a device block is
 * never a host block). Each registry is an array of blocks sorted by base address, guarded
 * by its own mutex; a lookup is a binary search for the block containing a pointer, which is
 * how copies and executions tell device memory from host memory and check sizes.
 * Device blocks carry their device; devices never share memory. All blocks are 64-aligned. */
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_internal.h"

typedef struct registry {
    pthread_mutex_t lock;
    om_rt_block *b;
    size_t n, cap;
} registry;

static registry dev_reg = {.lock = PTHREAD_MUTEX_INITIALIZER};
static registry host_reg = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* First index whose base is > p (lock held). */
static size_t upper(const registry *r, uintptr_t p)
{
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->b[mid].base <= p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int find(registry *r, const void *p, om_rt_block *out)
{
    uintptr_t u = (uintptr_t)p;
    int found = 0;
    pthread_mutex_lock(&r->lock);
    size_t i = upper(r, u);
    if (i > 0 && u - r->b[i - 1].base < r->b[i - 1].size) {
        found = 1;
        if (out)
            *out = r->b[i - 1];
    }
    pthread_mutex_unlock(&r->lock);
    return found;
}

int om_rt_block_find(int device, const void *p, om_rt_block *b)
{
    return p ? find(device ? &dev_reg : &host_reg, p, b) : 0;
}

OMRT_EXPORT size_t omrt_device_block_remaining(const void *p, int32_t *device)
{
    om_rt_block b;
    if (!om_rt_block_find(1, p, &b))
        return 0;
    if (device)
        *device = b.device;
    return b.size - ((uintptr_t)p - b.base);
}

static omrt_status alloc(registry *r, int32_t device, size_t size, void **out, const char *fn)
{
    void *p = om_rt_block_alloc(size);
    if (!p)
        return om_rt_error(OMRT_ERR_NO_MEMORY, "%s: cannot allocate %zu bytes", fn, size);
    pthread_mutex_lock(&r->lock);
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        om_rt_block *nb = realloc(r->b, cap * sizeof *nb);
        if (!nb) {
            pthread_mutex_unlock(&r->lock);
            om_rt_block_free(p, size);
            return om_rt_error(OMRT_ERR_NO_MEMORY, "%s: out of memory tracking a block", fn);
        }
        r->b = nb;
        r->cap = cap;
    }
    size_t i = upper(r, (uintptr_t)p);
    memmove(r->b + i + 1, r->b + i, (r->n - i) * sizeof *r->b);
    r->b[i] = (om_rt_block){(uintptr_t)p, size ? size : 1, device};
    r->n++;
    pthread_mutex_unlock(&r->lock);
    *out = p;
    return OMRT_OK;
}

static omrt_status release(registry *r, void *p, const char *fn, const char *what)
{
    if (!p)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "%s: NULL pointer", fn);
    pthread_mutex_lock(&r->lock);
    size_t i = upper(r, (uintptr_t)p);
    int ok = i > 0 && r->b[i - 1].base == (uintptr_t)p;
    size_t size = ok ? r->b[i - 1].size : 0;
    if (ok) {
        memmove(r->b + i - 1, r->b + i, (r->n - i) * sizeof *r->b);
        r->n--;
    }
    pthread_mutex_unlock(&r->lock);
    if (!ok) {
        int other = om_rt_block_find(r == &dev_reg ? 0 : 1, p, NULL);
        return om_rt_error(OMRT_ERR_INVALID_HANDLE, "%s: %p is not the start of a live %s "
                           "block%s", fn, p, what,
                           other ? (r == &dev_reg ? " (it is host memory)"
                                                  : " (it is device memory)") : "");
    }
    om_rt_block_free(p, size);
    return OMRT_OK;
}

OMRT_EXPORT omrt_status omrt_malloc_device(size_t size, void **out)
{
    if (out)
        *out = NULL;
    if (!out)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "omrt_malloc_device: NULL out");
    if (size == 0)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "omrt_malloc_device: size 0");
    pthread_mutex_lock(&om_rt_g.lock);
    omrt_devctx *c = om_rt_g.initialized ? om_rt_current_locked() : NULL;
    int32_t dev = c ? c->device : -1;
    int init = om_rt_g.initialized;
    pthread_mutex_unlock(&om_rt_g.lock);
    if (!init)
        return om_rt_error(OMRT_ERR_NOT_INITIALIZED, "omrt_malloc_device: the runtime is not "
                           "initialized");
    if (!c)
        return om_rt_error(OMRT_ERR_INVALID_DEVICE, "omrt_malloc_device: this thread has no "
                           "current context (set a device first)");
    return alloc(&dev_reg, dev, size, out, "omrt_malloc_device");
}

OMRT_EXPORT omrt_status omrt_free_device(void *p)
{
    return release(&dev_reg, p, "omrt_free_device", "device");
}

OMRT_EXPORT omrt_status omrt_malloc_host(size_t size, void **out)
{
    if (out)
        *out = NULL;
    if (!out)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "omrt_malloc_host: NULL out");
    if (size == 0)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "omrt_malloc_host: size 0");
    omrt_status st = om_rt_check_init("omrt_malloc_host");
    return st != OMRT_OK ? st : alloc(&host_reg, -1, size, out, "omrt_malloc_host");
}

OMRT_EXPORT omrt_status omrt_free_host(void *p)
{
    return release(&host_reg, p, "omrt_free_host", "host");
}

void om_rt_mem_release_all(void)
{
    registry *rs[2] = {&dev_reg, &host_reg};
    for (int k = 0; k < 2; k++) {
        pthread_mutex_lock(&rs[k]->lock);
        for (size_t i = 0; i < rs[k]->n; i++)
            om_rt_block_free((void *)rs[k]->b[i].base, rs[k]->b[i].size);
        free(rs[k]->b);
        rs[k]->b = NULL;
        rs[k]->n = rs[k]->cap = 0;
        pthread_mutex_unlock(&rs[k]->lock);
    }
}
