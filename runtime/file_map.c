/* Getting an artifact's bytes into memory for a model (file_map.h).
 *
 * A regular file is mapped PROT_READ, MAP_PRIVATE: nothing is copied, the pages are mapped
 * as the loader's CRC check first reads them (MAP_POPULATE measured no faster), and two
 * models of one file share the page cache. The mapping shows the file as it is on disk: artifacts are replaced by rename
 * (om_art_write_file), which leaves an existing mapping on the old file; truncating an
 * artifact in place while a model uses it is not supported (the kernel would raise SIGBUS
 * on the lost pages, as for a loaded shared library).
 * A FIFO, or a regular file mmap refuses, is read() into anonymous pages that grow by
 * doubling; the unused tail pages are returned. Buffers from om_rt_file_copy are anonymous
 * pages too, so om_rt_file_unmap is always munmap. Every result is made read-only.
 * Zero bytes are represented by one anonymous page (mmap refuses length 0).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/file_map.h"
#include "runtime/rt_internal.h"

#define MAX_ARTIFACT_BYTES (1ull << 38) /* 256 GiB: a sanity bound, not a policy */
#define FIRST_READ_CHUNK (1u << 20)

static size_t page_round(size_t n)
{
    long ps = sysconf(_SC_PAGESIZE);
    size_t p = ps > 0 ? (size_t)ps : 4096;
    return n ? (n + p - 1) / p * p : p;
}

/* Writable anonymous pages (zeroed), or NULL. */
static uint8_t *anon_map(size_t size)
{
    void *p = mmap(NULL, size ? size : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void om_rt_file_unmap(uint8_t *data, size_t size)
{
    if (data)
        munmap(data, size ? size : 1);
}

static void seal(uint8_t *data, size_t size)
{
    mprotect(data, size ? size : 1, PROT_READ); /* best effort: the bytes stay valid anyway */
}

/* Reads the whole of fd into anonymous pages. `expect` is the regular file's size (0 for a
 * FIFO): exactly that many bytes must come. */
static omrt_status read_all(int fd, const char *path, size_t expect, uint8_t **data,
                            size_t *size)
{
    size_t cap = expect ? expect : FIRST_READ_CHUNK, got = 0;
    uint8_t *buf = anon_map(cap);
    if (!buf)
        return om_rt_error(OMRT_ERR_NO_MEMORY, "%s: cannot allocate %zu bytes", path, cap);
    for (;;) {
        if (got == cap) {
            if (expect)
                break;
            if (cap >= MAX_ARTIFACT_BYTES) {
                om_rt_file_unmap(buf, cap);
                return om_rt_error(OMRT_ERR_UNSUPPORTED, "%s: more than %llu bytes is too "
                                   "large", path, (unsigned long long)MAX_ARTIFACT_BYTES);
            }
            size_t ncap = cap * 2;
            uint8_t *nbuf = anon_map(ncap);
            if (!nbuf) {
                om_rt_file_unmap(buf, cap);
                return om_rt_error(OMRT_ERR_NO_MEMORY, "%s: cannot allocate %zu bytes", path,
                                   ncap);
            }
            memcpy(nbuf, buf, got);
            om_rt_file_unmap(buf, cap);
            buf = nbuf;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + got, cap - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 || (r == 0 && expect)) {
            int e = r < 0 ? errno : 0;
            om_rt_file_unmap(buf, cap);
            if (expect)
                return om_rt_error(OMRT_ERR_IO, "%s: read failed at byte %zu of %zu: %s", path,
                                   got, expect, e ? strerror(e) : "file shrank while reading");
            return om_rt_error(OMRT_ERR_IO, "%s: read failed at byte %zu: %s", path, got,
                               strerror(e));
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    size_t keep = page_round(got);
    if (keep < cap)
        munmap(buf + keep, cap - keep);
    seal(buf, got);
    *data = buf;
    *size = got;
    return OMRT_OK;
}

omrt_status om_rt_file_map(const char *path, uint8_t **data, size_t *size)
{
    *data = NULL;
    *size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return om_rt_error(OMRT_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    omrt_status st;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || (!S_ISREG(sb.st_mode) && !S_ISFIFO(sb.st_mode))) {
        st = om_rt_error(OMRT_ERR_IO, "%s: not a regular file", path);
        goto done;
    }
    if (S_ISFIFO(sb.st_mode)) {
        st = read_all(fd, path, 0, data, size);
        goto done;
    }
    if ((unsigned long long)sb.st_size > MAX_ARTIFACT_BYTES || (uint64_t)sb.st_size > SIZE_MAX) {
        st = om_rt_error(OMRT_ERR_UNSUPPORTED, "%s: %lld bytes is too large", path,
                         (long long)sb.st_size);
        goto done;
    }
    size_t n = (size_t)sb.st_size;
    if (n == 0) {
        st = om_rt_file_copy(NULL, 0, path, data);
        goto done;
    }
    void *p = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
        st = read_all(fd, path, n, data, size); /* a file system without mmap */
        goto done;
    }
    *data = p;
    *size = n;
    st = OMRT_OK;
done:
    close(fd);
    return st;
}

omrt_status om_rt_file_copy(const void *buf, size_t size, const char *label, uint8_t **data)
{
    *data = anon_map(size);
    if (!*data)
        return om_rt_error(OMRT_ERR_NO_MEMORY, "%s: cannot allocate %zu bytes", label, size);
    if (size)
        memcpy(*data, buf, size);
    seal(*data, size);
    return OMRT_OK;
}
