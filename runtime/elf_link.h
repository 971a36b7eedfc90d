/* A minimal static linker for the CODE section (internal to the runtime; not installed).
 *
 * om_rt_elf_link takes an ELF64 relocatable object for x86-64 (what LLVM's
 * TargetMachineEmitToMemoryBuffer produces, or `cc -c -fPIC`), validates it completely,
 * loads its SHF_ALLOC sections into one fresh mmap'd region, applies its RELA relocations,
 * resolves external symbols only from a fixed table (memcpy, memmove, memset) and then
 * write-protects the region (text RX, read-only data R, data RW: never W and X at once).
 * The object bytes are only read and need not outlive the call.
 *
 * Ownership: *out is released with om_rt_elf_destroy (accepts NULL); on failure *out is
 * NULL, nothing needs releasing, and omrt_last_error() names the problem (section, symbol,
 * relocation).
 */
#ifndef OM_RUNTIME_ELF_LINK_H
#define OM_RUNTIME_ELF_LINK_H

#include <stddef.h>

#include "runtime/rt_internal.h"

omrt_status om_rt_elf_link(const void *obj, size_t size, om_rt_elf_image **out);
void om_rt_elf_destroy(om_rt_elf_image *img);
/* Address of the defined global (or weak) STT_FUNC symbol `name` in an executable section,
 * or NULL. */
void *om_rt_elf_find_function(const om_rt_elf_image *img, const char *name);

#endif
