/* An artifact's bytes for a model's lifetime, read-only (runtime-internal, file_map.c).
 *
 * om_rt_file_map maps a regular file privately (no copy: the model's weights are used
 * straight from the page cache); a FIFO, or a file the system cannot map, is read() into
 * anonymous pages instead. om_rt_file_copy copies a caller's buffer into anonymous pages.
 * Either way the bytes start page-aligned (so the artifact's 64-aligned weights stay
 * 64-aligned), are readable only, and are released with om_rt_file_unmap(data, size).
 */
#ifndef OM_RUNTIME_FILE_MAP_H
#define OM_RUNTIME_FILE_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/include/omrt.h"

/* On success *data and *size hold the file's bytes. Failures: OMRT_ERR_IO (cannot open, not a
 * regular file or FIFO, read error), OMRT_ERR_UNSUPPORTED (larger than the runtime's sanity
 * bound), OMRT_ERR_NO_MEMORY; the message names the path. */
omrt_status om_rt_file_map(const char *path, uint8_t **data, size_t *size);
/* Copies buf[0..size) (label names it in messages). OMRT_ERR_NO_MEMORY on failure. */
omrt_status om_rt_file_copy(const void *buf, size_t size, const char *label, uint8_t **data);
/* Releases what om_rt_file_map or om_rt_file_copy returned; accepts NULL. */
void om_rt_file_unmap(uint8_t *data, size_t size);

#endif
