/* om_art_write_file: serialize, then replace `path` atomically.
 *
 * The bytes go to a temporary `path.tmp.XXXXXX` in the same folder (so rename stays within
 * one file system), every write is checked (short writes retried, EINTR retried, ENOSPC and
 * other errors reported), then fsync, close (also checked: NFS and some file systems report
 * a full disk only there), rename over path, and fsync of the folder (best effort). On any
 * failure the temporary is unlinked and path is untouched: there is never a partial file.
 * The file gets mode 0644 minus the umask, as a file made by open(2) would.
 * A path that exists and is not a regular file (/dev/null, a FIFO) is written in place:
 * renaming over it would replace the device by a regular file (as root, /dev/null itself).
 */
#define _GNU_SOURCE 1 /* mkostemp */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/artifact/art_internal.h"

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n > (1u << 30) ? (1u << 30) : n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (w == 0) {
            errno = ENOSPC;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash)
        strcpy(dir, ".");
    else if (slash == path)
        strcpy(dir, "/");
    else if ((size_t)(slash - path) < sizeof dir) {
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = '\0';
    } else
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

/* The process umask without changing it (umask(2) would race with other threads):
 * /proc/self/status has it since Linux 4.7; 022 otherwise. */
static mode_t current_umask(void)
{
    mode_t mask = 022;
    FILE *f = fopen("/proc/self/status", "re");
    if (!f)
        return mask;
    char line[256];
    unsigned v;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "Umask: %o", &v) == 1) {
            mask = (mode_t)(v & 0777);
            break;
        }
    fclose(f);
    return mask;
}

int om_art_write_file(const om_art_model *m, const char *path, char *err, size_t errlen)
{
    void *bytes = NULL;
    size_t size = 0;
    char *tmp = NULL;
    int fd = -1, rc = -1;

    if (!path || !path[0]) {
        om_art_err(err, errlen, "om_art_write_file: no output path");
        return -1;
    }
    if (om_art_serialize(m, &bytes, &size, err, errlen) != 0)
        return -1;
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode)) {
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write_all(fd, bytes, size) != 0) {
            om_art_err(err, errlen, "cannot write %s: %s", path, strerror(errno));
            goto fail;
        }
        rc = close(fd) == 0 ? 0 : -1;
        fd = -1;
        if (rc != 0)
            om_art_err(err, errlen, "cannot write %s: %s", path, strerror(errno));
        goto fail;
    }
    size_t plen = strlen(path);
    tmp = malloc(plen + sizeof ".tmp.XXXXXX");
    if (!tmp) {
        om_art_err(err, errlen, "out of memory writing %s", path);
        goto fail;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        om_art_err(err, errlen, "cannot create a temporary file beside %s: %s", path,
                   strerror(errno));
        free(tmp);
        tmp = NULL; /* nothing to unlink */
        goto fail;
    }
    if (fchmod(fd, 0644 & ~current_umask()) != 0 || write_all(fd, bytes, size) != 0 || fsync(fd) != 0) {
        om_art_err(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        goto fail;
    }
    int cfd = fd;
    fd = -1;
    if (close(cfd) != 0) {
        om_art_err(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        goto fail;
    }
    if (rename(tmp, path) != 0) {
        om_art_err(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        goto fail;
    }
    free(tmp);
    tmp = NULL;
    sync_dir(path);
    rc = 0;
fail:
    if (fd >= 0)
        close(fd);
    if (tmp) {
        unlink(tmp);
        free(tmp);
    }
    free(bytes);
    return rc;
}
