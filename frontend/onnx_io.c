/* Bounded file reading and path helpers for the frontend.
 *
 * om_fe_read_file refuses anything that is not a regular file or is larger than
 * OM_FE_MAX_FILE_BYTES before allocating, and reads in a loop (short reads, EINTR), so a
 * file that shrinks while being read is an I/O error, not a crash.
 */
#include "frontend/fe_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

om_status om_fe_read_file(const char *path, const char *what, uint8_t **out, size_t *out_size)
{
    *out = NULL;
    *out_size = 0;
    if (!path)
        return om_error(OM_ERR_INVALID_ARGUMENT, "%s: no path given", what);
    uint8_t *buf = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return om_error(OM_ERR_IO, "cannot open %s '%s': %s", what, path, strerror(errno));
    om_status st = OM_OK;
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        st = om_error(OM_ERR_IO, "cannot stat %s '%s': %s", what, path, strerror(errno));
        goto fail;
    }
    if (!S_ISREG(sb.st_mode)) {
        st = om_error(OM_ERR_IO, "%s '%s' is not a regular file", what, path);
        goto fail;
    }
    if (sb.st_size < 0 || (uint64_t)sb.st_size > OM_FE_MAX_FILE_BYTES) {
        st = om_error(OM_ERR_INVALID_MODEL, "%s '%s' is too large (%lld bytes; the limit is 2 GiB)",
                      what, path, (long long)sb.st_size);
        goto fail;
    }
    size_t size = (size_t)sb.st_size;
    buf = malloc(size ? size : 1);
    if (!buf) {
        st = om_error(OM_ERR_NO_MEMORY, "out of memory reading %s '%s' (%zu bytes)", what, path, size);
        goto fail;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            st = om_error(OM_ERR_IO, "cannot read %s '%s': %s", what, path, strerror(errno));
            goto fail;
        }
        if (r == 0) {
            st = om_error(OM_ERR_IO, "cannot read %s '%s': file shrank while reading", what, path);
            goto fail;
        }
        got += (size_t)r;
    }
    close(fd);
    *out = buf;
    *out_size = size;
    return OM_OK;
fail:
    free(buf);
    close(fd);
    return st;
}

char *om_fe_dirname(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    size_t len = (size_t)(slash - path);
    char *d = malloc(len + 1);
    if (!d)
        return NULL;
    memcpy(d, path, len);
    d[len] = '\0';
    return d;
}
