/* om_art_serialize: om_art_model -> bytes, following the layout in artifact.h.
 *
 * Always writes the six sections in kind order TARGET, DESC, PLAN, GRAPH, WEIGHTS, CODE
 * (GRAPH and WEIGHTS may be empty), payloads aligned to 64 (WEIGHTS, CODE) or 8 (others)
 * with zero padding, the current format version (OM_ART_MAJOR.OM_ART_MINOR; m->major and
 * m->minor are ignored) and m->producer or "omc <version>". The output depends only on the
 * model's contents, so equal models give equal bytes.
 *
 * With m->compress, PLAN, GRAPH and CODE are encoded with OMLZ (lz_encode.c; layout in
 * artifact.h) when the encoded form, header included, is smaller than the raw payload; the
 * table's CRC covers the bytes stored, the encoded header's CRC the raw payload.
 *
 * Before returning, the bytes are read back with om_art_parse: the writer never hands out an
 * artifact the reader would refuse, and a compiler bug surfaces at compile time with the
 * reader's message.
 */
#include <stdlib.h>

#include "runtime/artifact/art_internal.h"
#include "runtime/artifact/lz.h"

#ifndef OMC_VERSION
#define OMC_VERSION "0.0.0"
#endif

#define N_WRITTEN 6

static void put_io(om_art_buf *b, const om_art_io *io)
{
    om_art_buf_str(b, io->name);
    om_art_buf_u32(b, io->dtype);
    om_art_buf_u32(b, io->rank);
    for (uint32_t d = 0; d < io->rank && d < OM_ART_MAX_RANK; d++)
        om_art_buf_u64(b, (uint64_t)io->dims[d]);
    om_art_buf_u64(b, io->nbytes);
    om_art_buf_u32(b, io->tensor);
}

static int check_model(const om_art_model *m, char *err, size_t errlen)
{
    if ((m->n_inputs && !m->inputs) || (m->n_outputs && !m->outputs) ||
        (m->n_tensors && !m->tensors) || (m->n_kernels && !m->kernel_names) ||
        (m->n_steps && !m->steps) || (m->graph_size && !m->graph_text) ||
        (m->weights_size && !m->weights) || (m->code_size && !m->code)) {
        om_art_err(err, errlen, "cannot serialize: a non-empty table has a NULL pointer");
        return -1;
    }
    for (uint32_t i = 0; i < m->n_inputs + m->n_outputs; i++) {
        const om_art_io *io = i < m->n_inputs ? &m->inputs[i] : &m->outputs[i - m->n_inputs];
        if (io->rank > OM_ART_MAX_RANK) {
            om_art_err(err, errlen, "cannot serialize: %s %u has rank %u > %d",
                       i < m->n_inputs ? "input" : "output",
                       i < m->n_inputs ? i : i - m->n_inputs, io->rank, OM_ART_MAX_RANK);
            return -1;
        }
    }
    for (uint32_t k = 0; k < m->n_kernels; k++)
        if (!m->kernel_names[k]) {
            om_art_err(err, errlen, "cannot serialize: kernel name %u is NULL", k);
            return -1;
        }
    for (uint32_t s = 0; s < m->n_steps; s++)
        if (m->steps[s].n_args && !m->steps[s].args) {
            om_art_err(err, errlen, "cannot serialize: step %u has NULL args", s);
            return -1;
        }
    return 0;
}

static void put_payloads(const om_art_model *m, om_art_buf pay[N_WRITTEN])
{
    om_art_buf *b = &pay[0]; /* TARGET */
    om_art_buf_str(b, m->triple);
    om_art_buf_str(b, m->cpu);
    om_art_buf_str(b, m->features);
    om_art_buf_str(b, m->required_x86);

    b = &pay[1]; /* DESC */
    om_art_buf_u32(b, m->n_inputs);
    for (uint32_t i = 0; i < m->n_inputs; i++)
        put_io(b, &m->inputs[i]);
    om_art_buf_u32(b, m->n_outputs);
    for (uint32_t i = 0; i < m->n_outputs; i++)
        put_io(b, &m->outputs[i]);

    b = &pay[2]; /* PLAN */
    om_art_buf_u64(b, m->arena_size);
    om_art_buf_u32(b, m->n_tensors);
    for (uint32_t i = 0; i < m->n_tensors; i++) {
        const om_art_tensor *t = &m->tensors[i];
        om_art_buf_u32(b, t->kind);
        om_art_buf_u32(b, t->dtype);
        om_art_buf_u32(b, t->index);
        om_art_buf_u32(b, 0);
        om_art_buf_u64(b, t->offset);
        om_art_buf_u64(b, t->nbytes);
    }
    om_art_buf_u32(b, m->n_kernels);
    for (uint32_t k = 0; k < m->n_kernels; k++)
        om_art_buf_str(b, m->kernel_names[k]);
    om_art_buf_u32(b, m->n_steps);
    for (uint32_t s = 0; s < m->n_steps; s++) {
        const om_art_step *st = &m->steps[s];
        om_art_buf_u32(b, st->kernel);
        om_art_buf_u32(b, st->n_args);
        om_art_buf_u64(b, (uint64_t)st->work_items);
        for (uint32_t a = 0; a < st->n_args; a++)
            om_art_buf_u32(b, st->args[a]);
    }
    om_art_buf_u32(b, m->step_labels ? m->n_steps : 0);   /* since 1.1 */
    for (uint32_t s = 0; m->step_labels && s < m->n_steps; s++)
        om_art_buf_str(b, m->step_labels[s] ? m->step_labels[s] : "");

    om_art_buf_bytes(&pay[3], m->graph_text, (size_t)m->graph_size);
    om_art_buf_bytes(&pay[4], m->weights, (size_t)m->weights_size);
    om_art_buf_bytes(&pay[5], m->code, (size_t)m->code_size);
}

/* Replaces *b by its OMLZ encoding when that is smaller. -1: out of memory. */
static int maybe_encode(om_art_buf *b, uint32_t *encoding)
{
    *encoding = OM_ART_ENC_STORED;
    if (b->size < 64 || (uint64_t)b->size > OM_ART_MAX_RAW)
        return 0;
    om_art_buf e = {0};
    om_art_buf_u64(&e, b->size);
    om_art_buf_u32(&e, om_art_crc32(b->p, b->size));
    om_art_buf_u32(&e, 0);
    if (e.oom || om_lz_encode(b->p, b->size, 0, &e) != 0) {
        free(e.p);
        return -1;
    }
    if (e.size < b->size) {
        free(b->p);
        *b = e;
        *encoding = OM_ART_ENC_OMLZ;
    } else {
        free(e.p);
    }
    return 0;
}

int om_art_serialize(const om_art_model *m, void **out, size_t *out_size, char *err, size_t errlen)
{
    static const uint32_t kinds[N_WRITTEN] = {OM_ART_SEC_TARGET, OM_ART_SEC_DESC, OM_ART_SEC_PLAN,
                                              OM_ART_SEC_GRAPH, OM_ART_SEC_WEIGHTS, OM_ART_SEC_CODE};
    om_art_buf pay[N_WRITTEN] = {0};
    om_art_buf f = {0};
    om_art_model check = {0};
    int rc = -1;

    if (out)
        *out = NULL;
    if (out_size)
        *out_size = 0;
    if (!m || !out || !out_size) {
        om_art_err(err, errlen, "om_art_serialize: NULL argument");
        return -1;
    }
    if (check_model(m, err, errlen) != 0)
        return -1;
    if (sizeof(size_t) < 8 && (m->graph_size > SIZE_MAX || m->weights_size > SIZE_MAX ||
                               m->code_size > SIZE_MAX))
        goto oom;
    put_payloads(m, pay);
    for (int i = 0; i < N_WRITTEN; i++)
        if (pay[i].oom)
            goto oom;
    uint32_t enc[N_WRITTEN] = {0};
    for (int i = 0; m->compress && i < N_WRITTEN; i++)
        if ((kinds[i] == OM_ART_SEC_PLAN || kinds[i] == OM_ART_SEC_GRAPH ||
             kinds[i] == OM_ART_SEC_CODE) && maybe_encode(&pay[i], &enc[i]) != 0)
            goto oom;

    /* header placeholder and table */
    om_art_buf_zeros(&f, OM_ART_HEADER_SIZE + (size_t)N_WRITTEN * OM_ART_SECTION_ENTRY_SIZE);
    uint64_t offs[N_WRITTEN];
    for (int i = 0; i < N_WRITTEN; i++) {
        om_art_buf_align(&f, om_art_section_align(kinds[i]));
        offs[i] = f.size;
        om_art_buf_bytes(&f, pay[i].p, pay[i].size);
    }
    if (f.oom)
        goto oom;
    for (int i = 0; i < N_WRITTEN; i++) {
        uint8_t *e = f.p + OM_ART_HEADER_SIZE + (size_t)i * OM_ART_SECTION_ENTRY_SIZE;
        om_art_put_le(e + 0, kinds[i], 4);
        om_art_put_le(e + 4, om_art_section_align(kinds[i]), 4);
        om_art_put_le(e + 8, offs[i], 8);
        om_art_put_le(e + 16, pay[i].size, 8);
        om_art_put_le(e + 24, om_art_crc32(f.p + offs[i], pay[i].size), 4);
        om_art_put_le(e + 28, enc[i], 4);
    }
    uint8_t *h = f.p;
    memcpy(h, OM_ART_MAGIC, 8);
    om_art_put_le(h + 8, OM_ART_MAJOR, 2);
    om_art_put_le(h + 10, OM_ART_MINOR, 2);
    om_art_put_le(h + 12, OM_ART_HEADER_SIZE, 4);
    const char *producer = m->producer[0] ? m->producer : "omc " OMC_VERSION;
    size_t plen = strnlen(producer, 32);
    memcpy(h + 16, producer, plen); /* rest stays zero */
    om_art_put_le(h + 48, N_WRITTEN, 4);
    om_art_put_le(h + 52, 0, 4);
    om_art_put_le(h + 56, om_art_crc32(h + OM_ART_HEADER_SIZE,
                                       (size_t)N_WRITTEN * OM_ART_SECTION_ENTRY_SIZE), 4);
    om_art_put_le(h + 60, om_art_crc32(h, 60), 4);

    char perr[256];
    if (om_art_parse(f.p, f.size, &check, perr, sizeof perr) != 0) {
        if (strncmp(perr, "out of memory", 13) == 0)
            goto oom;
        om_art_err(err, errlen, "refusing to write an invalid artifact: %s", perr);
        goto fail;
    }
    om_art_model_free(&check);
    *out = f.p;
    *out_size = f.size;
    f.p = NULL;
    rc = 0;
    goto fail; /* the cleanup below is shared by success and failure */
oom:
    om_art_err(err, errlen, "out of memory while serializing the artifact");
fail:
    for (int i = 0; i < N_WRITTEN; i++)
        free(pay[i].p);
    free(f.p);
    return rc;
}
