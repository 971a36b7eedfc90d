/* omrun's data handling: filling model inputs (from .npy or raw .bin files, zeros, or
 * seeded random values), and writing outputs as .npy or printing a summary of them.
 * libc + omrt.h only.
 */
#ifndef OM_TOOLS_OMRUN_DATA_H
#define OM_TOOLS_OMRUN_DATA_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "runtime/include/omrt.h"

/* Loads `path` into buf (info->nbytes bytes) after checking it matches input `index`:
 * a .npy file must have the input's dtype and shape (for a bfloat16 input, which numpy has
 * no dtype for, a float32 .npy, rounded to nearest even); a file that is not .npy but is
 * named *.bin is raw bytes and must have exactly nbytes. Returns 0, or -1 with a message in
 * err naming the input and the file. */
int omrun_load_input(const omrt_tensor_info *info, size_t index, const char *path, void *buf,
                     char *err, size_t errlen);

/* Fills buf with uniform values from a generator seeded with seed + index: floats in [-1, 1),
 * signed ints in [-4, 4], unsigned ints in [0, 8], bools 0/1. Deterministic. */
void omrun_fill_random(const omrt_tensor_info *info, size_t index, uint64_t seed, void *buf);

/* Writes output `info` (data: info->nbytes bytes) to path as .npy: as it is, or a bfloat16
 * output as float32 (exact), since numpy has no bfloat16. Returns 0, or -1 with a message. */
int omrun_write_output(const omrt_tensor_info *info, const void *data, const char *path, char *err,
                       size_t errlen);

/* "y" -> "y", "conv/out:0" -> "conv_out_0"; never empty, "." or "..". cap >= 16. */
void omrun_sanitize_name(const char *name, size_t index, char *out, size_t cap);

/* Creates dir and its parents (mkdir -p). Returns 0, or -1 with a message. */
int omrun_make_dirs(const char *dir, char *err, size_t errlen);

/* Prints "output 0: 'y' f32 [1, 10] (40 bytes)", the first few values and min/max/mean. */
void omrun_print_summary(FILE *out, const char *what, size_t index, const omrt_tensor_info *info,
                         const void *data);

#endif
