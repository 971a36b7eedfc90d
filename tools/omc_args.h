/* omc's command line: what the user asked for, parsed into plain fields and the
 * compiler's om_compile_opts. Accepts omc's own options and ATC's habits
 * (--model=, --framework=5, --output=<stem>, --input_shape=, --soc_version=).
 */
#ifndef OM_TOOLS_OMC_ARGS_H
#define OM_TOOLS_OMC_ARGS_H

#include <stdbool.h>

#include "compiler/compile.h"

typedef enum omc_emit { OMC_EMIT_OM, OMC_EMIT_IR, OMC_EMIT_LLVM } omc_emit;

typedef struct omc_args {
    const char *input;
    char *output;                 /* malloc'd; NULL: stdout for ir/llvm, "<stem>.om" for om */
    omc_emit emit;
    bool output_is_stem;          /* the output came from ATC's --output (".om" is added) */
    bool stats, list_ops, list_passes;
    bool list_markdown;           /* --format markdown for --list-ops */
    om_compile_pins pins;
    const char **disabled;        /* malloc'd array of argv strings */
    om_pass_precision_opts precision;  /* --precision and friends (owns its lists) */
    om_compile_opts opts;         /* points into pins, disabled, precision and argv */
} omc_args;

/* Parses argv. Returns -1 to go on compiling, or an exit status (usage errors are printed
 * and give OM_CLI_EXIT_USAGE; --help / --version / --list-* are handled and give 0). */
int omc_args_parse(int argc, char **argv, omc_args *a);
void omc_args_free(omc_args *a);

#endif
