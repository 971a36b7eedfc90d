/* Target selection for codegen (private to codegen/): resolves om_cg_target_opts into a
 * triple, cpu and feature string, creates the LLVM target machine, and derives the
 * runtime's cpuid feature list. Owned strings are malloc'd; om_cg_target_fini frees
 * everything (also after a failed om_cg_target_init).
 */
#ifndef OM_CODEGEN_CG_TARGET_H
#define OM_CODEGEN_CG_TARGET_H

#include <llvm-c/TargetMachine.h>

#include "codegen/codegen.h"

typedef struct om_cg_target {
    char *triple, *cpu, *features;
    char *required_cpu;      /* space-separated cpuid names ("" for non-x86) */
    int opt_level;           /* 0..3 */
    bool split_small_steps;  /* om_cg_target_opts.split_small_steps */
    LLVMTargetMachineRef tm;
} om_cg_target;

/* Initializes the X86 and AArch64 backends once (thread-safe). */
void om_cg_init_llvm(void);
/* t may be NULL (host, O3). */
om_status om_cg_target_init(om_cg_target *tg, const om_cg_target_opts *t);
void om_cg_target_fini(om_cg_target *tg);
/* The cpuid names of the x86 features the runtime checks (AVX family, SSE3-4.2, BMI, POPCNT,
 * ...) that the target has: the AVX-family ones a known cpu name implies, then the LLVM
 * feature string's edits ("+avx2" adds, "-avx512f" removes). Malloc'd ("" for non-x86). */
char *om_cg_required_cpu(const char *triple, const char *cpu, const char *features);
/* An LLVM feature list ("+a,-b,...") with `edits` applied: entries of base that an edit
 * names (as +x or -x) are dropped, then the edits follow. Malloc'd (NULL: out of memory). */
char *om_cg_edit_features(const char *base, const char *edits);
/* Before this process runs code whose required list names an AMX feature (compile-time
 * evaluation, test JITs): asks Linux for the AMX tile-data permission (arch_prctl
 * ARCH_REQ_XCOMP_PERM; idempotent), else the first tile instruction raises SIGILL. OM_OK
 * when the list needs no AMX; OM_ERR_UNSUPPORTED naming AMX when refused. */
om_status om_cg_amx_permit(const char *required_cpu);

#endif
