/* External tensor data: TensorProto.data_location == EXTERNAL with external_data entries
 * "location" (required; a relative POSIX path from the model's folder), "offset" and
 * "length" (optional decimal byte counts), "checksum" (ignored).
 *
 * Safety: the location must be relative and must not contain a ".." component; after
 * resolving symlinks (realpath) it must still lie inside the model's folder. The file must
 * be a regular file whose size covers offset + length, and length (or file size - offset
 * when absent) must equal the tensor's numel * dtype size. Only then is memory allocated.
 */
#include "frontend/fe_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Strict non-negative decimal (no sign, no spaces, no overflow). */
static bool parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s)
        return false;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        unsigned digit = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - digit) / 10)
            return false;
        v = v * 10 + digit;
    }
    *out = v;
    return true;
}

/* A relative path without ".." components (and not empty). */
static bool location_is_safe(const char *loc)
{
    if (!loc[0] || loc[0] == '/')
        return false;
    const char *p = loc;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 2 && p[0] == '.' && p[1] == '.')
            return false;
        if (!end)
            break;
        p = end + 1;
    }
    return true;
}

/* real is inside real_dir (a prefix followed by '/'). */
static bool path_inside(const char *real_dir, const char *real)
{
    size_t n = strlen(real_dir);
    if (n == 1 && real_dir[0] == '/')
        return real[0] == '/';
    return strncmp(real_dir, real, n) == 0 && real[n] == '/';
}

om_status om_fe_external_read(const Onnx__TensorProto *t, const char *base_dir, const char *what,
                              size_t nbytes, void **out)
{
    *out = NULL;
    const char *location = NULL;
    const char *offset_s = NULL, *length_s = NULL;
    for (size_t i = 0; i < t->n_external_data; i++) {
        const Onnx__StringStringEntryProto *e = t->external_data[i];
        if (!e || !e->key)
            continue;
        if (strcmp(e->key, "location") == 0)
            location = om_fe_str(e->value);
        else if (strcmp(e->key, "offset") == 0)
            offset_s = om_fe_str(e->value);
        else if (strcmp(e->key, "length") == 0)
            length_s = om_fe_str(e->value);
    }
    if (!location || !location[0])
        return om_error(OM_ERR_INVALID_MODEL, "%s: external data without a 'location'", what);
    if (!base_dir)
        return om_error(OM_ERR_INVALID_MODEL,
                        "%s: external data '%s' refused (model loaded from memory without a base directory)",
                        what, location);
    if (!location_is_safe(location))
        return om_error(OM_ERR_INVALID_MODEL,
                        "%s: external data location '%s' must be a relative path inside the model's folder",
                        what, location);
    uint64_t offset = 0, length = 0;
    if (offset_s && !parse_u64(offset_s, &offset))
        return om_error(OM_ERR_INVALID_MODEL, "%s: external data offset '%s' is not a byte count", what,
                        offset_s);
    if (length_s && !parse_u64(length_s, &length))
        return om_error(OM_ERR_INVALID_MODEL, "%s: external data length '%s' is not a byte count", what,
                        length_s);

    om_status st = OM_OK;
    char *path = NULL, *real = NULL, *real_dir = NULL;
    void *buf = NULL;
    int fd = -1;
    size_t plen = strlen(base_dir) + 1 + strlen(location) + 1;
    path = malloc(plen);
    if (!path) {
        st = om_error(OM_ERR_NO_MEMORY, "%s: out of memory", what);
        goto fail;
    }
    snprintf(path, plen, "%s/%s", base_dir, location);
    real_dir = realpath(base_dir, NULL);
    real = realpath(path, NULL);
    if (!real_dir || !real) {
        st = om_error(OM_ERR_IO, "%s: cannot open external data '%s': %s", what, path, strerror(errno));
        goto fail;
    }
    if (!path_inside(real_dir, real)) {
        st = om_error(OM_ERR_INVALID_MODEL, "%s: external data '%s' resolves outside the model's folder",
                      what, location);
        goto fail;
    }
    fd = open(real, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        st = om_error(OM_ERR_IO, "%s: cannot open external data '%s': %s", what, path, strerror(errno));
        goto fail;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = om_error(OM_ERR_IO, "%s: external data '%s' is not a regular file", what, path);
        goto fail;
    }
    uint64_t fsize = (uint64_t)sb.st_size;
    if (offset > fsize) {
        st = om_error(OM_ERR_INVALID_MODEL, "%s: external data offset %llu is past the end of '%s' (%llu bytes)",
                      what, (unsigned long long)offset, location, (unsigned long long)fsize);
        goto fail;
    }
    if (!length_s)
        length = fsize - offset;
    if (length > fsize - offset) {
        st = om_error(OM_ERR_INVALID_MODEL,
                      "%s: external data '%s' has %llu bytes, offset %llu + length %llu does not fit",
                      what, location, (unsigned long long)fsize, (unsigned long long)offset,
                      (unsigned long long)length);
        goto fail;
    }
    if (length != nbytes) {
        st = om_error(OM_ERR_INVALID_MODEL, "%s: external data length %llu, expected %zu bytes", what,
                      (unsigned long long)length, nbytes);
        goto fail;
    }
    buf = malloc(nbytes ? nbytes : 1);
    if (!buf) {
        st = om_error(OM_ERR_NO_MEMORY, "%s: out of memory (%zu bytes)", what, nbytes);
        goto fail;
    }
    size_t got = 0;
    while (got < nbytes) {
        ssize_t r = pread(fd, (uint8_t *)buf + got, nbytes - got, (off_t)(offset + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            st = om_error(OM_ERR_IO, "%s: cannot read external data '%s'%s%s", what, path,
                          r < 0 ? ": " : " (file shrank)", r < 0 ? strerror(errno) : "");
            goto fail;
        }
        got += (size_t)r;
    }
    close(fd);
    free(path);
    free(real);
    free(real_dir);
    *out = buf;
    return OM_OK;
fail:
    if (fd >= 0)
        close(fd);
    free(buf);
    free(path);
    free(real);
    free(real_dir);
    return st;
}
