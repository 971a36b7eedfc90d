/* Host CPU checks for a loaded artifact (internal to the runtime; not installed).
 *
 * The TARGET section records the triple, the cpu the code was compiled for and the
 * space-separated feature names (cpuid spelling: "avx2 fma avx512f avx512bf16") the code
 * needs. om_rt_cpu_check verifies the triple's architecture is the host's (x86_64) and that
 * the host has every listed feature, including operating-system support for the register
 * state (XGETBV: YMM for AVX*, opmask/ZMM for AVX-512*, XTILECFG/XTILEDATA for amx-*).
 * When the list names an AMX feature (amx-tile, amx-bf16), it also asks Linux for the
 * process's tile-data permission (arch_prctl ARCH_REQ_XCOMP_PERM, once per process; not
 * under the test override); a refusal is OMRT_ERR_UNSUPPORTED naming AMX.
 */
#ifndef OM_RUNTIME_CPU_FEATURES_H
#define OM_RUNTIME_CPU_FEATURES_H

#include <stdbool.h>

#include "runtime/include/omrt.h"

/* OMRT_OK, or OMRT_ERR_UNSUPPORTED naming the missing feature / wrong architecture,
 * or OMRT_ERR_INVALID_ARTIFACT naming an unknown feature name. `label` names the model in
 * messages (e.g. the file name). */
omrt_status om_rt_cpu_check(const char *triple, const char *cpu, const char *required,
                            const char *label);

/* Whether the host has feature `name`; *known is false for a name this runtime cannot check. */
bool om_rt_cpu_has(const char *name, bool *known);

/* Test hook: pretend the host has exactly the space-separated features in `features`
 * (NULL restores real detection). Not thread-safe; for tests only. */
void om_rt_cpu_set_override(const char *features);

#endif
