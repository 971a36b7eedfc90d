/* omdump's printers (see omdump_print.h). The text and JSON forms walk the same fields in
 * the same order: file, format, target, inputs/outputs, sections, memory plan, graph. */
#include "tools/omdump_print.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tools/json_out.h"
#include "tools/tensor_values.h"

static const char *tensor_kind_name(uint32_t k)
{
    switch (k) {
    case OM_ART_TENSOR_INPUT: return "input";
    case OM_ART_TENSOR_OUTPUT: return "output";
    case OM_ART_TENSOR_WEIGHT: return "weight";
    case OM_ART_TENSOR_ARENA: return "arena";
    default: return "?";
    }
}

static const char *encoding_name(uint32_t e)
{
    return e == OM_ART_ENC_STORED ? "stored" : e == OM_ART_ENC_OMLZ ? "omlz" : "?";
}

/* "features: +a,+b,-c" -> "features: a b (1 disabled)": LLVM lists every feature it knows. */
static void features_text(FILE *out, const char *features)
{
    fprintf(out, "features:");
    int on = 0, off = 0;
    for (const char *p = features; *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n > 1 && p[0] == '+') {
            fprintf(out, " %.*s", (int)n - 1, p + 1);
            on++;
        } else if (n > 1 && p[0] == '-') {
            off++;
        } else if (n > 0) {
            fprintf(out, " %.*s", (int)n, p);
            on++;
        }
        p += n + (e ? 1 : 0);
    }
    if (!on)
        fprintf(out, " (none)");
    if (off)
        fprintf(out, "  (%d more listed as disabled)", off);
    fputc('\n', out);
}

/* ---- text ------------------------------------------------------------------------------ */

static void io_text(FILE *out, const char *title, const om_art_io *io, uint32_t n)
{
    fprintf(out, "%s:\n", title);
    if (n == 0)
        fprintf(out, "  (none)\n");
    for (uint32_t i = 0; i < n; i++) {
        char shape[200];
        om_tv_format_shape(shape, sizeof shape, (int32_t)io[i].rank, io[i].dims);
        fprintf(out, "  %u: '%s' %s %s  %" PRIu64 " bytes  (tensor %u)\n", i, io[i].name,
                om_tv_dtype_name((int32_t)io[i].dtype), shape, io[i].nbytes, io[i].tensor);
    }
}

/* The memory plan's bounds from the steps: each arena tensor lives from the first step that
 * names it (its producer) through the last one (its last reader), sizes rounded up to 64
 * bytes as the planner places them. *peak: the most bytes live at one step (a lower bound
 * for any arena); *sum: all arena tensors together (what a plan without reuse needs). */
static void plan_bounds(const om_art_model *m, uint64_t *peak, uint64_t *sum)
{
    *peak = *sum = 0;
    uint32_t nt = m->n_tensors, ns = m->n_steps;
    uint32_t *first = malloc((nt ? nt : 1) * sizeof(uint32_t)), *last = malloc((nt ? nt : 1) * sizeof(uint32_t));
    int64_t *delta = calloc((size_t)ns + 1, sizeof(int64_t));
    if (first && last && delta) {
        for (uint32_t i = 0; i < nt; i++)
            first[i] = UINT32_MAX, last[i] = 0;
        for (uint32_t k = 0; k < ns; k++)
            for (uint32_t j = 0; j < m->steps[k].n_args; j++) {
                uint32_t t = m->steps[k].args[j];
                if (t >= nt || m->tensors[t].kind != OM_ART_TENSOR_ARENA)
                    continue;
                if (first[t] == UINT32_MAX)
                    first[t] = k;
                last[t] = k;
            }
        for (uint32_t i = 0; i < nt; i++) {
            if (first[i] == UINT32_MAX)
                continue;
            uint64_t sz = (m->tensors[i].nbytes + 63) / 64 * 64;
            *sum += sz;
            delta[first[i]] += (int64_t)sz;
            delta[last[i] + 1] -= (int64_t)sz;
        }
        int64_t live = 0;
        for (uint32_t k = 0; k < ns; k++) {
            live += delta[k];
            if ((uint64_t)live > *peak)
                *peak = (uint64_t)live;
        }
    }
    free(first);
    free(last);
    free(delta);
}

void omdump_artifact_text(FILE *out, const char *path, size_t file_size, const om_art_model *m)
{
    fprintf(out, "artifact: %s (%zu bytes)\n", path, file_size);
    fprintf(out, "format: %u.%u  producer: %s\n", m->major, m->minor, m->producer);
    fprintf(out, "target: %s  cpu: %s\n", m->triple, m->cpu);
    features_text(out, m->features);
    fprintf(out, "required CPU features: %s\n", *m->required_x86 ? m->required_x86 : "(none)");
    fputc('\n', out);
    io_text(out, "inputs", m->inputs, m->n_inputs);
    io_text(out, "outputs", m->outputs, m->n_outputs);
    fputc('\n', out);

    /* size: bytes stored in the file; raw: the decoded payload (format 1.2 encodings) */
    fprintf(out, "sections:\n  %-8s %10s %10s %10s %6s  %-8s %s\n", "kind", "offset", "size",
            "raw", "align", "crc32", "encoding");
    uint64_t stored = 0, raw = 0;
    for (uint32_t i = 0; i < m->n_sections && i < 16; i++) {
        fprintf(out, "  %-8s %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %6u  %08x %s\n",
                om_art_section_name(m->sections[i].kind), m->sections[i].offset,
                m->sections[i].size, m->sections[i].raw_size, m->sections[i].alignment,
                m->sections[i].crc, encoding_name(m->sections[i].encoding));
        stored += m->sections[i].size;
        raw += m->sections[i].raw_size;
    }
    fprintf(out, "  %-8s %10s %10" PRIu64 " %10" PRIu64 "\n", "total", "", stored, raw);
    fputc('\n', out);

    fprintf(out, "memory plan:\n  arena: %" PRIu64 " bytes  weights: %" PRIu64 " bytes  code: %"
            PRIu64 " bytes\n", m->arena_size, m->weights_size, m->code_size);
    uint64_t peak, sum;
    plan_bounds(m, &peak, &sum);
    fprintf(out, "  peak live: %" PRIu64 " bytes (lower bound; arena/peak %.2f)  sum of intermediates: %" PRIu64
            " bytes\n", peak, peak ? (double)m->arena_size / (double)peak : 1.0, sum);
    fprintf(out, "  tensors (%u):\n    %4s  %-6s %-5s %10s %10s\n", m->n_tensors, "#", "kind",
            "dtype", "offset", "bytes");
    for (uint32_t i = 0; i < m->n_tensors; i++) {
        const om_art_tensor *t = &m->tensors[i];
        fprintf(out, "    %4u  %-6s %-5s ", i, tensor_kind_name(t->kind), om_tv_dtype_name((int32_t)t->dtype));
        if (t->kind == OM_ART_TENSOR_INPUT || t->kind == OM_ART_TENSOR_OUTPUT)
            fprintf(out, "%10s %10" PRIu64 "  %s %u\n", "-", t->nbytes, tensor_kind_name(t->kind), t->index);
        else
            fprintf(out, "%10" PRIu64 " %10" PRIu64 "\n", t->offset, t->nbytes);
    }
    /* format 1.1 step labels ("node 'y' (Reshape)", what a failed run-time check names)
     * follow the args after " ; "; format 1.0 artifacts have none */
    fprintf(out, "  steps (%u):\n    %4s  %-32s %10s  %s%s\n", m->n_steps, "#", "kernel", "work", "args",
            m->step_labels ? " ; label" : "");
    for (uint32_t i = 0; i < m->n_steps; i++) {
        const om_art_step *s = &m->steps[i];
        fprintf(out, "    %4u  %-32s %10" PRId64 " ", i,
                s->kernel < m->n_kernels ? m->kernel_names[s->kernel] : "?", s->work_items);
        for (uint32_t j = 0; j < s->n_args; j++)
            fprintf(out, " %u", s->args[j]);
        if (m->step_labels)
            fprintf(out, " ; %s", m->step_labels[i] ? m->step_labels[i] : "");
        fputc('\n', out);
    }
    fputc('\n', out);
    fprintf(out, "graph:\n");
    if (m->graph_size) {
        fwrite(m->graph_text, 1, (size_t)m->graph_size, out);
        if (m->graph_text[m->graph_size - 1] != '\n')
            fputc('\n', out);
    }
}

/* ---- JSON ------------------------------------------------------------------------------ */

static void io_json(FILE *out, const om_art_io *io, uint32_t n)
{
    fputc('[', out);
    for (uint32_t i = 0; i < n; i++) {
        fprintf(out, "%s\n    {\"name\": ", i ? "," : "");
        om_json_cstr(out, io[i].name);
        fprintf(out, ", \"dtype\": \"%s\", \"shape\": [", om_tv_dtype_name((int32_t)io[i].dtype));
        for (uint32_t d = 0; d < io[i].rank && d < OM_ART_MAX_RANK; d++)
            fprintf(out, "%s%" PRId64, d ? ", " : "", io[i].dims[d]);
        fprintf(out, "], \"bytes\": %" PRIu64 ", \"tensor\": %u}", io[i].nbytes, io[i].tensor);
    }
    fprintf(out, "%s]", n ? "\n  " : "");
}

void omdump_artifact_json(FILE *out, const char *path, size_t file_size, const om_art_model *m)
{
    fprintf(out, "{\n  \"kind\": \"artifact\",\n  \"file\": ");
    om_json_cstr(out, path);
    fprintf(out, ",\n  \"file_size\": %zu,\n", file_size);
    fprintf(out, "  \"format\": {\"major\": %u, \"minor\": %u, \"producer\": ", m->major, m->minor);
    om_json_cstr(out, m->producer);
    fprintf(out, "},\n  \"target\": {\"triple\": ");
    om_json_cstr(out, m->triple);
    fprintf(out, ", \"cpu\": ");
    om_json_cstr(out, m->cpu);
    fprintf(out, ", \"features\": ");
    om_json_cstr(out, m->features);
    fprintf(out, ", \"required_cpu_features\": ");
    om_json_cstr(out, m->required_x86);
    fprintf(out, "},\n  \"inputs\": ");
    io_json(out, m->inputs, m->n_inputs);
    fprintf(out, ",\n  \"outputs\": ");
    io_json(out, m->outputs, m->n_outputs);
    fprintf(out, ",\n  \"sections\": [");
    for (uint32_t i = 0; i < m->n_sections && i < 16; i++)
        fprintf(out, "%s\n    {\"kind\": \"%s\", \"offset\": %" PRIu64 ", \"size\": %" PRIu64
                ", \"raw_size\": %" PRIu64 ", \"encoding\": \"%s\", \"alignment\": %u, "
                "\"crc32\": \"%08x\"}", i ? "," : "",
                om_art_section_name(m->sections[i].kind), m->sections[i].offset,
                m->sections[i].size, m->sections[i].raw_size,
                encoding_name(m->sections[i].encoding), m->sections[i].alignment,
                m->sections[i].crc);
    fprintf(out, "%s],\n", m->n_sections ? "\n  " : "");
    uint64_t peak, sum;
    plan_bounds(m, &peak, &sum);
    fprintf(out, "  \"plan\": {\n    \"arena_size\": %" PRIu64 ",\n    \"peak_live_bytes\": %" PRIu64
            ",\n    \"intermediates_bytes\": %" PRIu64 ",\n    \"weights_size\": %" PRIu64
            ",\n    \"code_size\": %" PRIu64 ",\n    \"tensors\": [", m->arena_size, peak, sum,
            m->weights_size, m->code_size);
    for (uint32_t i = 0; i < m->n_tensors; i++) {
        const om_art_tensor *t = &m->tensors[i];
        fprintf(out, "%s\n      {\"kind\": \"%s\", \"dtype\": \"%s\", \"index\": %u, \"offset\": %"
                PRIu64 ", \"bytes\": %" PRIu64 "}", i ? "," : "", tensor_kind_name(t->kind),
                om_tv_dtype_name((int32_t)t->dtype), t->index, t->offset, t->nbytes);
    }
    fprintf(out, "%s],\n    \"steps\": [", m->n_tensors ? "\n    " : "");
    for (uint32_t i = 0; i < m->n_steps; i++) {
        const om_art_step *s = &m->steps[i];
        fprintf(out, "%s\n      {\"kernel\": ", i ? "," : "");
        om_json_cstr(out, s->kernel < m->n_kernels ? m->kernel_names[s->kernel] : "?");
        fprintf(out, ", \"work_items\": %" PRId64 ", \"args\": [", s->work_items);
        for (uint32_t j = 0; j < s->n_args; j++)
            fprintf(out, "%s%u", j ? ", " : "", s->args[j]);
        fprintf(out, "]");
        if (m->step_labels) { /* format 1.1 */
            fprintf(out, ", \"label\": ");
            om_json_cstr(out, m->step_labels[i] ? m->step_labels[i] : "");
        }
        fprintf(out, "}");
    }
    fprintf(out, "%s]\n  },\n  \"graph\": ", m->n_steps ? "\n    " : "");
    om_json_string(out, m->graph_text ? m->graph_text : "", (size_t)m->graph_size);
    fprintf(out, "\n}\n");
}

/* ---- model graphs (.onnx / IR text) ------------------------------------------------------ */

static void shape_text(char *buf, size_t cap, const om_shape *s)
{
    if (s->rank < 0) {
        snprintf(buf, cap, "[?]");
        return;
    }
    size_t n = (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < s->rank && n < cap; i++) {
        if (s->dims[i] >= 0)
            n += (size_t)snprintf(buf + n, cap - n, "%s%" PRId64, i ? ", " : "", s->dims[i]);
        else
            n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? ", " : "", s->syms[i] ? s->syms[i] : "?");
    }
    if (n < cap)
        snprintf(buf + n, cap - n, "]");
}

static void values_text(FILE *out, const char *title, om_value *const *vs, size_t n)
{
    fprintf(out, "%s:\n", title);
    if (n == 0)
        fprintf(out, "  (none)\n");
    for (size_t i = 0; i < n; i++) {
        char shape[256];
        shape_text(shape, sizeof shape, &vs[i]->shape);
        fprintf(out, "  %zu: '%s' %s %s\n", i, vs[i]->name, om_dtype_name(vs[i]->dtype), shape);
    }
}

void omdump_graph_text(FILE *out, const char *path, const char *kind, const om_graph *g,
                       const char *graph_text)
{
    fprintf(out, "model: %s (%s, graph '%s', opset %" PRId64 ", %zu nodes)\n", path, kind,
            g->name ? g->name : "", g->opset, g->n_nodes);
    values_text(out, "inputs", g->inputs, g->n_inputs);
    values_text(out, "outputs", g->outputs, g->n_outputs);
    fprintf(out, "\ngraph:\n%s", graph_text);
    size_t n = strlen(graph_text);
    if (n && graph_text[n - 1] != '\n')
        fputc('\n', out);
}

static void values_json(FILE *out, om_value *const *vs, size_t n)
{
    fputc('[', out);
    for (size_t i = 0; i < n; i++) {
        const om_value *v = vs[i];
        fprintf(out, "%s\n    {\"name\": ", i ? "," : "");
        om_json_cstr(out, v->name);
        fprintf(out, ", \"dtype\": \"%s\", \"shape\": ", om_dtype_name(v->dtype));
        if (v->shape.rank < 0) {
            fprintf(out, "null}");
            continue;
        }
        fputc('[', out);
        for (int d = 0; d < v->shape.rank; d++) {
            if (d)
                fprintf(out, ", ");
            if (v->shape.dims[d] >= 0)
                fprintf(out, "%" PRId64, v->shape.dims[d]);
            else if (v->shape.syms[d])
                om_json_cstr(out, v->shape.syms[d]);
            else
                fprintf(out, "null");
        }
        fprintf(out, "]}");
    }
    fprintf(out, "%s]", n ? "\n  " : "");
}

void omdump_graph_json(FILE *out, const char *path, const char *kind, const om_graph *g,
                       const char *graph_text)
{
    fprintf(out, "{\n  \"kind\": \"%s\",\n  \"file\": ", kind);
    om_json_cstr(out, path);
    fprintf(out, ",\n  \"name\": ");
    om_json_cstr(out, g->name);
    fprintf(out, ",\n  \"opset\": %" PRId64 ",\n  \"nodes\": %zu,\n  \"inputs\": ", g->opset, g->n_nodes);
    values_json(out, g->inputs, g->n_inputs);
    fprintf(out, ",\n  \"outputs\": ");
    values_json(out, g->outputs, g->n_outputs);
    fprintf(out, ",\n  \"graph\": ");
    om_json_cstr(out, graph_text);
    fprintf(out, "\n}\n");
}
