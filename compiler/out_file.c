/* Atomic output files for omc's text outputs (--emit ir / llvm with -o): the text goes to
 * a temporary file beside the destination ("<path>.tmp.XXXXXX"), which is flushed, synced
 * and renamed over the destination on commit, and removed on abort or on any failure. So
 * an interrupted or failed run never leaves a partial file at the destination.
 * (The .om artifact uses om_art_write_file, which does the same.) A destination that exists
 * and is not a regular file (/dev/null, a FIFO, a terminal) is opened and written directly:
 * renaming over it would replace the device by a regular file (as root, /dev/null itself).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compiler/compile.h"

static bool is_stdout(const char *path)
{
    return !path || strcmp(path, "-") == 0;
}

om_status om_compile_out_open(om_compile_out_file *o, const char *path)
{
    if (!o)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_compile_out_open: NULL argument");
    memset(o, 0, sizeof *o);
    if (is_stdout(path)) {
        o->f = stdout;
        return OM_OK;
    }
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode)) {
        o->f = fopen(path, "wb");
        if (!o->f)
            return om_error(OM_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        o->direct = true;
        return OM_OK;
    }
    size_t n = strlen(path);
    o->path = malloc(n + 1);
    o->tmp_path = malloc(n + 12);
    if (!o->path || !o->tmp_path) {
        om_compile_out_abort(o);
        return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", path);
    }
    memcpy(o->path, path, n + 1);
    snprintf(o->tmp_path, n + 12, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(o->tmp_path);
    if (fd < 0) {
        om_status st = om_error(OM_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
        free(o->tmp_path);
        o->tmp_path = NULL;
        om_compile_out_abort(o);
        return st;
    }
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask);
    o->f = fdopen(fd, "wb");
    if (!o->f) {
        close(fd);
        om_status st = om_error(OM_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        om_compile_out_abort(o);
        return st;
    }
    return OM_OK;
}

om_status om_compile_out_commit(om_compile_out_file *o)
{
    if (!o || !o->f)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_compile_out_commit: file not open");
    if (o->direct) {
        int bad = fflush(o->f) != 0 || ferror(o->f);
        bad |= fclose(o->f) != 0;
        o->f = NULL;
        o->direct = false;
        return bad ? om_error(OM_ERR_IO, "write error on a device or FIFO output") : OM_OK;
    }
    if (!o->tmp_path) {
        int bad = fflush(o->f) != 0 || ferror(o->f);
        o->f = NULL;
        return bad ? om_error(OM_ERR_IO, "<stdout>: write error") : OM_OK;
    }
    const char *path = o->path;
    int err = 0;
    if (fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) != 0)
        err = errno ? errno : EIO;
    if (fclose(o->f) != 0 && !err)
        err = errno ? errno : EIO;
    o->f = NULL;
    if (!err && rename(o->tmp_path, path) != 0)
        err = errno;
    if (err) {
        om_status st = om_error(OM_ERR_IO, "%s: write failed: %s", path, strerror(err));
        om_compile_out_abort(o);
        return st;
    }
    free(o->tmp_path);
    free(o->path);
    o->tmp_path = o->path = NULL;
    return OM_OK;
}

void om_compile_out_abort(om_compile_out_file *o)
{
    if (!o)
        return;
    if (o->direct) {
        if (o->f)
            fclose(o->f);
        o->direct = false;
    } else if (o->tmp_path) {
        if (o->f)
            fclose(o->f);
        remove(o->tmp_path);
    } else if (o->f) {
        fflush(o->f);
    }
    free(o->tmp_path);
    free(o->path);
    o->f = NULL;
    o->tmp_path = o->path = NULL;
}
