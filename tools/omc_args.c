/* omc's command line (see omc_args.h): options, ATC spellings, --help, --version and the
 * listing options. Only parsing and printing happen here; compiling is in omc.c. */
#include "tools/omc_args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/onnx_import.h"
#include "tools/cli.h"

static void usage(FILE *out)
{
    fprintf(out,
"usage: omc [options] MODEL\n"
"\n"
"Compiles an ONNX model (opsets 7-17) or an IR text file into a self-contained .om\n"
"artifact, or prints the optimized IR or the kernels' LLVM IR.\n"
"\n"
"Input and output:\n"
"  MODEL, --model FILE       the model: .onnx, or IR text (.ir; detected by content)\n"
"  -o FILE                   output file (default: <model stem>.om in the working directory;\n"
"                            for --emit ir|llvm: stdout, '-' is stdout too)\n"
"  --output STEM             ATC spelling: writes STEM.om ('.om' is added if missing)\n"
"  --emit om|ir|llvm         what to produce (default om)\n"
"  --input-shape SPEC        pin input shapes: \"x:1,3,224,224;y:1,128\" (-1 keeps a dim);\n"
"                            repeatable; ATC's --input_shape is accepted. A sequence\n"
"                            input: \"s:[[2,3],[4,3]]\" (fed as tensors s.0, s.1; outputs\n"
"                            likewise); an absent optional input: \"o:none\"\n"
"\n"
"Target:\n"
"  --target TRIPLE           target triple (default: the host's)\n"
"  --cpu NAME                target CPU (default: the host CPU, or generic)\n"
"  --mattr FEATURES          target features, LLVM spelling (+avx2,+fma,-avx512f); on the\n"
"                            host CPU they edit the host's (-amx-tile: all but AMX)\n"
"  -O0 -O1 -O2 -O3           LLVM optimization level (default -O3)\n"
"\n"
"Passes:\n"
"  --passes LIST             run exactly LIST (pass names or a pipeline name, comma\n"
"                            separated) instead of the default pipeline; an .om needs\n"
"                            infer-shapes and plan-memory (and finalize-io) in it\n"
"  --disable-pass NAME       skip NAME in the pipeline (repeatable)\n"
"  --dump-ir DIR             write DIR/NN-<pass>.ir after each pass\n"
"  --print-after PASS        print the IR to stderr after PASS\n"
"  --print-after-all         print the IR to stderr after every pass\n"
"  --verify-each             verify the graph after every pass (always on in debug builds)\n"
"  --stats                   print pass statistics to stderr (and one line per\n"
"                            precision decision)\n"
"\n"
"Precision (see docs/precision.md):\n"
"  --precision MODE          fp32 (default) | fp16 | mixed | bf16 | mixed-bf16; ATC's\n"
"                            --precision_mode names work too (force_fp16, ...)\n"
"  --keep-dtype FILE         node names or OpType::<Op> (one a line) kept in f32\n"
"  --modify-mixlist FILE     JSON {\"allow_list\":{\"to-add\":[..],\"to-remove\":[..]},\n"
"                            \"deny_list\":{..},\"infer_list\":{..}}\n"
"  --input-fp16-nodes A;B    these f32 inputs are declared f16 (fed as f16)\n"
"  --output-type fp32|fp16   dtype of the f32 outputs (default: as declared)\n"
"  --widen-f16-convs         run fp16 convolutions on the vectorized f32 kernels (the\n"
"                            same arithmetic: f32 sums rounded once to fp16; their weights\n"
"                            are stored in f32, so the artifact grows to about the fp32\n"
"                            size; see docs/precision.md)\n"
"\n"
"Information:\n"
"  --list-ops                the ONNX ops the frontend imports, with their oldest opset\n"
"  --format text|markdown    how --list-ops prints (markdown: the table of docs/ops.md)\n"
"  --list-passes             the passes and pipelines\n"
"  -h, --help                this text\n"
"  --version                 version, artifact format and host target\n"
"\n"
"ATC compatibility: --model=, --framework=5 (ONNX), --output=, --input_shape= work as in\n"
"atc, and so do --precision_mode=, --keep_dtype=, --modify_mixlist=, --input_fp16_nodes=,\n"
"--output_type=; --soc_version=, --input_format=, --log= are accepted and ignored (with a note).\n"
"\n"
"Examples:\n"
"  omc model.onnx -o model.om\n"
"  omc --model=model.onnx --framework=5 --output=model --input_shape=\"x:1,3,224,224\"\n"
"  omc model.onnx --emit ir\n"
"  omc graph.ir --passes dce --emit ir\n");
}

static void print_version(void)
{
    printf("omc %s (artifact format %d.%d)\n", OMC_VERSION, OM_ART_MAJOR, OM_ART_MINOR);
    fflush(stdout);
    om_cg_print_host(stdout);
}

static void list_ops(void)
{
    const om_fe_op_support *ops;
    size_t n = om_fe_supported_ops(&ops);
    printf("%-24s %s\n", "op (ai.onnx)", "oldest opset handled");
    for (size_t i = 0; i < n; i++)
        if (!ops[i].domain)
            printf("%-24s %d\n", ops[i].op_type, ops[i].since_opset_min);
    for (size_t i = 0; i < n; i++)
        if (ops[i].domain)
            printf("%-24s %d (domain %s)\n", ops[i].op_type, ops[i].since_opset_min, ops[i].domain);
}

static int cmp_op_support(const void *a, const void *b)
{
    return strcmp(((const om_fe_op_support *)a)->op_type, ((const om_fe_op_support *)b)->op_type);
}

static void arity(char *buf, size_t len, int lo, int hi)
{
    if (hi < 0)
        snprintf(buf, len, "%d or more", lo);
    else if (lo == hi)
        snprintf(buf, len, "%d", lo);
    else
        snprintf(buf, len, "%d-%d", lo, hi);
}

/* The table of docs/ops.md, sorted by op name: IR ops with their arity (compiled to a
 * kernel) and the op types the frontend handles itself. */
static void list_ops_markdown(void)
{
    const om_fe_op_support *ops;
    size_t n = om_fe_supported_ops(&ops);
    om_fe_op_support *sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted)
        return;
    memcpy(sorted, ops, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_op_support);
    size_t uniq = 0, n_default = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(sorted[i].op_type, sorted[i - 1].op_type) != 0) {
            n_default += !sorted[i].domain;
            sorted[uniq++] = sorted[i];
        }
    printf("# Supported ONNX operators\n\n"
           "Generated by `omc --list-ops --format markdown`; do not edit. Regenerate with\n"
           "`cmake --build <build> --target docs_ops` (the ctest `docs.ops` fails when this file is stale).\n\n"
           "%zu op types of the default domain (ai.onnx), and %zu of other domains (named in the table).\n"
           "Older opset versions of an op are rewritten by the frontend into the newest form. Shapes are\n"
           "static at compile time: an input that determines an output shape (a shape, axes, pads, sizes,\n"
           "K...) must be a constant or computable at compile time, or the model must declare the output\n"
           "shapes, which the kernel then checks against the input's values at run time.\n\n",
           n_default, uniq - n_default);
    printf("| Op | Oldest opset | Inputs | Outputs | Handled by |\n|---|---|---|---|---|\n");
    for (size_t i = 0; i < uniq; i++) {
        om_op op = om_op_lookup(sorted[i].op_type);
        const om_op_info *info = op != OM_OP_COUNT ? om_op_get(op) : NULL;
        char in[32] = "", out[32] = "";
        if (info) {
            arity(in, sizeof in, info->min_inputs, info->max_inputs);
            arity(out, sizeof out, info->min_outputs, info->max_outputs);
        }
        if (sorted[i].domain) {
            printf("| %s (%s) | %d | - | - | frontend: lowered to elementwise ops |\n", sorted[i].op_type,
                   sorted[i].domain, sorted[i].since_opset_min);
            continue;
        }
        printf("| %s | %d | %s | %s | %s |\n", sorted[i].op_type, sorted[i].since_opset_min, info ? in : "-",
               info ? out : "-",
               info ? "kernel" : strcmp(sorted[i].op_type, "Constant") == 0 ? "frontend: becomes a constant"
                                                                             : "frontend: rewritten into other ops");
    }
    free(sorted);
}

static void list_passes(void)
{
    printf("passes:\n");
    for (size_t i = 0; i < om_pass_count_registered(); i++) {
        const om_pass_info *p = om_pass_at(i);
        printf("  %-16s %s\n", p->name, p->description);
    }
    printf("pipelines:\n");
    const char *names[] = {"default", "none"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *l = om_pass_pipeline_get(names[i]);
        if (l)
            printf("  %-16s %s\n", names[i], *l ? l : "(no passes)");
    }
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* ATC: --output=out gives out.om. */
static char *atc_output(const char *stem)
{
    size_t n = strlen(stem);
    if (n >= 3 && strcmp(stem + n - 3, ".om") == 0)
        return dup_str(stem);
    char *s = malloc(n + 4);
    if (s)
        snprintf(s, n + 4, "%s.om", stem);
    return s;
}

/* "<stem of basename(input)>.om" in the working directory. */
static char *default_output(const char *input)
{
    const char *base = strrchr(input, '/');
    base = base ? base + 1 : input;
    size_t n = strlen(base);
    const char *dot = strrchr(base, '.');
    if (dot && dot != base)
        n = (size_t)(dot - base);
    if (n == 0)
        return dup_str("model.om");
    char *s = malloc(n + 4);
    if (s)
        snprintf(s, n + 4, "%.*s.om", (int)n, base);
    return s;
}

static int set_output(omc_args *a, char *path)
{
    if (!path) {
        om_cli_error("out of memory");
        return OM_CLI_EXIT_FAIL;
    }
    free(a->output);
    a->output = path;
    return -1;
}

int omc_args_parse(int argc, char **argv, omc_args *a)
{
    memset(a, 0, sizeof *a);
    a->opts.target.opt_level = 3;
    a->disabled = calloc((size_t)argc + 1, sizeof *a->disabled);
    if (!a->disabled) {
        om_cli_error("out of memory");
        return OM_CLI_EXIT_FAIL;
    }
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *v = NULL;
        int m;
#define VALUE(name) ((m = om_cli_value(argc, argv, &i, name, &v)) != 0)
        if (om_cli_flag(arg, "-h") || om_cli_flag(arg, "--help")) {
            usage(stdout);
            return OM_CLI_EXIT_OK;
        } else if (om_cli_flag(arg, "--version")) {
            print_version();
            return OM_CLI_EXIT_OK;
        } else if (om_cli_flag(arg, "--list-ops")) {
            a->list_ops = true;
        } else if (om_cli_flag(arg, "--list-passes")) {
            a->list_passes = true;
        } else if (om_cli_flag(arg, "--stats")) {
            a->stats = true;
        } else if (om_cli_flag(arg, "--print-after-all")) {
            a->opts.print_after_all = true;
        } else if (om_cli_flag(arg, "--widen-f16-convs")) {
            a->precision.widen_f16_convs = true;
        } else if (om_cli_flag(arg, "--verify-each")) {
            a->opts.verify_each = true;
        } else if (strlen(arg) == 3 && arg[0] == '-' && arg[1] == 'O' && arg[2] >= '0' && arg[2] <= '3') {
            a->opts.target.opt_level = arg[2] - '0';
        } else if (VALUE("-o")) {
            if (m < 0)
                return OM_CLI_EXIT_USAGE;
            int rc = set_output(a, dup_str(v));
            if (rc >= 0)
                return rc;
            a->output_is_stem = false;
        } else if (VALUE("--output")) {
            if (m < 0)
                return OM_CLI_EXIT_USAGE;
            int rc = set_output(a, dup_str(v)); /* made ATC-style below once --emit is known */
            if (rc >= 0)
                return rc;
            a->output_is_stem = true;
        } else if (VALUE("--format")) {
            if (m < 0)
                return OM_CLI_EXIT_USAGE;
            if (strcmp(v, "markdown") != 0 && strcmp(v, "text") != 0) {
                om_cli_error("--format '%s': expected text or markdown", v);
                return OM_CLI_EXIT_USAGE;
            }
            a->list_markdown = strcmp(v, "markdown") == 0;
        } else if (VALUE("--model")) {
            if (m < 0)
                return OM_CLI_EXIT_USAGE;
            if (a->input) {
                om_cli_error("more than one model given ('%s' and '%s')", a->input, v);
                return OM_CLI_EXIT_USAGE;
            }
            a->input = v;
        } else if (VALUE("--framework")) {
            if (m < 0)
                return OM_CLI_EXIT_USAGE;
            if (strcmp(v, "5") != 0 && strcmp(v, "onnx") != 0) {
                om_cli_error("--framework=%s: only 5 (ONNX) is supported", v);
                return OM_CLI_EXIT_USAGE;
            }
        } else if (VALUE("--input-shape") || (m == 0 && VALUE("--input_shape"))) {
            if (m < 0)
                return OM_CLI_EXIT_USAGE;
            if (om_compile_parse_input_shape(v, &a->pins) != OM_OK) {
                om_cli_error("%s", om_last_error());
                return OM_CLI_EXIT_USAGE;
            }
        } else if (VALUE("--emit")) {
            if (m < 0)
                return OM_CLI_EXIT_USAGE;
            if (strcmp(v, "om") == 0)
                a->emit = OMC_EMIT_OM;
            else if (strcmp(v, "ir") == 0)
                a->emit = OMC_EMIT_IR;
            else if (strcmp(v, "llvm") == 0)
                a->emit = OMC_EMIT_LLVM;
            else {
                om_cli_error("--emit %s: expected om, ir or llvm", v);
                return OM_CLI_EXIT_USAGE;
            }
        } else if (VALUE("--target")) {
            if (m < 0)
                return OM_CLI_EXIT_USAGE;
            a->opts.target.triple = v;
        } else if (VALUE("--cpu")) {
            if (m < 0)
                return OM_CLI_EXIT_USAGE;
            a->opts.target.cpu = v;
        } else if (VALUE("--mattr")) {
            if (m < 0)
                return OM_CLI_EXIT_USAGE;
            a->opts.target.features = v;
        } else if (VALUE("--passes")) {
            if (m < 0)
                return OM_CLI_EXIT_USAGE;
            a->opts.passes = v;
        } else if (VALUE("--disable-pass")) {
            if (m < 0)
                return OM_CLI_EXIT_USAGE;
            a->disabled[a->opts.n_disabled++] = v;
        } else if (VALUE("--dump-ir")) {
            if (m < 0)
                return OM_CLI_EXIT_USAGE;
            a->opts.dump_dir = v;
        } else if (VALUE("--print-after")) {
            if (m < 0)
                return OM_CLI_EXIT_USAGE;
            a->opts.print_after = v;
        } else if (VALUE("--precision") || (m == 0 && VALUE("--precision_mode"))) {
            if (m < 0)
                return OM_CLI_EXIT_USAGE;
            if (om_pass_precision_parse_mode(v, &a->precision.mode) != OM_OK) {
                om_cli_error("%s", om_last_error());
                return OM_CLI_EXIT_USAGE;
            }
        } else if (VALUE("--keep-dtype") || (m == 0 && VALUE("--keep_dtype"))) {
            if (m < 0)
                return OM_CLI_EXIT_USAGE;
            if (om_pass_precision_load_keep_dtype(&a->precision, v) != OM_OK) {
                om_cli_error("--keep-dtype: %s", om_last_error());
                return OM_CLI_EXIT_USAGE;
            }
        } else if (VALUE("--modify-mixlist") || (m == 0 && VALUE("--modify_mixlist"))) {
            if (m < 0)
                return OM_CLI_EXIT_USAGE;
            if (om_pass_precision_load_mixlist(&a->precision, v) != OM_OK) {
                om_cli_error("--modify-mixlist: %s", om_last_error());
                return OM_CLI_EXIT_USAGE;
            }
        } else if (VALUE("--input-fp16-nodes") || (m == 0 && VALUE("--input_fp16_nodes"))) {
            if (m < 0)
                return OM_CLI_EXIT_USAGE;
            if (om_pass_precision_add_fp16_inputs(&a->precision, v) != OM_OK) {
                om_cli_error("%s", om_last_error());
                return OM_CLI_EXIT_USAGE;
            }
        } else if (VALUE("--output-type") || (m == 0 && VALUE("--output_type"))) {
            if (m < 0)
                return OM_CLI_EXIT_USAGE;
            if (om_pass_precision_parse_output_type(v, &a->precision.output_dtype) != OM_OK) {
                om_cli_error("%s", om_last_error());
                return OM_CLI_EXIT_USAGE;
            }
        } else if (VALUE("--soc_version") || (m == 0 && VALUE("--input_format")) ||
                   (m == 0 && VALUE("--log"))) {
            if (m < 0)
                return OM_CLI_EXIT_USAGE;
            om_cli_note("ignoring ATC option '%s' (omc compiles for the CPU; see --target)", arg);
        } else if (arg[0] == '-' && arg[1] != '\0') {
            om_cli_error("unknown option '%s' (see --help)", arg);
            return OM_CLI_EXIT_USAGE;
        } else {
            if (a->input) {
                om_cli_error("more than one model given ('%s' and '%s')", a->input, arg);
                return OM_CLI_EXIT_USAGE;
            }
            a->input = arg;
        }
#undef VALUE
    }
    if (a->list_ops || a->list_passes) {
        if (a->list_ops && a->list_markdown)
            list_ops_markdown();
        else if (a->list_ops)
            list_ops();
        if (a->list_passes)
            list_passes();
        return OM_CLI_EXIT_OK;
    }
    if (!a->input) {
        om_cli_error("no model given (usage: omc [options] MODEL; see --help)");
        return OM_CLI_EXIT_USAGE;
    }
    if (a->emit == OMC_EMIT_OM) {
        int rc = -1;
        if (!a->output)
            rc = set_output(a, default_output(a->input));
        else if (a->output_is_stem)
            rc = set_output(a, atc_output(a->output));
        if (rc >= 0)
            return rc;
        if (strcmp(a->output, "-") == 0) {
            om_cli_error("cannot write an .om artifact to stdout; give -o FILE");
            return OM_CLI_EXIT_USAGE;
        }
    }
    a->opts.pins = a->pins.pins;
    a->opts.n_pins = a->pins.n_pins;
    a->opts.disabled = a->disabled;
    if (a->stats)
        a->precision.report = stderr;
    if (a->precision.mode != OM_PRECISION_FP32 && a->opts.passes && strcmp(a->opts.passes, "default") != 0 &&
        !strstr(a->opts.passes, "precision"))
        om_cli_note("--precision %s has no effect: the --passes list has no 'precision' pass",
                    om_pass_precision_mode_name(a->precision.mode));
    a->opts.precision = &a->precision;
    return -1;
}

void omc_args_free(omc_args *a)
{
    om_compile_pins_free(&a->pins);
    om_pass_precision_opts_free(&a->precision);
    free(a->disabled);
    free(a->output);
    memset(a, 0, sizeof *a);
}
