/* om_art_parse, the container level: header, section table and section payload bounds.
 *
 * Order of checks (each failure is a one-line message naming the field or section):
 *   magic -> format major (bytes 8..9, so a future major is named even if its header grew)
 *   -> header size -> header CRC -> section count -> table bounds -> table CRC ->
 *   per entry: alignment, offset alignment, bounds inside the file, no duplicate kind ->
 *   no two sections overlap (nor the header/table) -> each section's CRC (over the bytes
 *   stored) -> required sections present -> encoded sections (1.2: the entry's encoding
 *   field; 1.0/1.1 sections are all stored; WEIGHTS must be stored: it is used in place at
 *   its 64-aligned file offset) decoded: known encoding, header, raw size within
 *   OM_ART_MAX_RAW and what the stream can produce (checked before allocating), the stream
 *   (lz_decode.c), then the raw CRC. Only then are payloads decoded (parse_payload.c).
 * Unknown section kinds (a newer minor version) are bounds- and CRC-checked, then ignored.
 * The flags field and reserved fields are ignored (reserved for later minors).
 */
#include <inttypes.h>
#include <stdlib.h>

#include "runtime/artifact/art_internal.h"
#include "runtime/artifact/lz.h"
#include "runtime/artifact/parse_internal.h"

#define MAX_SECTION_ALIGN 4096u

static const char *kind_label(uint32_t kind, char tmp[32])
{
    const char *n = om_art_section_name(kind);
    if (n[0] != '?')
        return n;
    snprintf(tmp, 32, "of unknown kind %" PRIu32, kind);
    return tmp;
}

static int check_header(const uint8_t *b, size_t size, om_art_model *m, char *err, size_t errlen)
{
    if (size < 8 || memcmp(b, OM_ART_MAGIC, 8) != 0) {
        om_art_err(err, errlen, "bad magic: not an .om artifact");
        return -1;
    }
    if (size < 12) {
        om_art_err(err, errlen, "truncated: header needs %d bytes, file has %zu",
                   OM_ART_HEADER_SIZE, size);
        return -1;
    }
    m->major = (uint16_t)om_art_le(b + 8, 2);
    m->minor = (uint16_t)om_art_le(b + 10, 2);
    if (m->major != OM_ART_MAJOR) {
        om_art_err(err, errlen, "unsupported .om format version %u.%u: this runtime reads %d.x",
                   m->major, m->minor, OM_ART_MAJOR);
        return -1;
    }
    if (size < OM_ART_HEADER_SIZE) {
        om_art_err(err, errlen, "truncated: header needs %d bytes, file has %zu",
                   OM_ART_HEADER_SIZE, size);
        return -1;
    }
    uint32_t hsize = (uint32_t)om_art_le(b + 12, 4);
    if (hsize != OM_ART_HEADER_SIZE) {
        om_art_err(err, errlen, "bad header size %" PRIu32 " (expected %d)", hsize,
                   OM_ART_HEADER_SIZE);
        return -1;
    }
    uint32_t stored = (uint32_t)om_art_le(b + 60, 4), crc = om_art_crc32(b, 60);
    if (stored != crc) {
        om_art_err(err, errlen, "header checksum mismatch (stored 0x%08" PRIx32
                   ", computed 0x%08" PRIx32 ")", stored, crc);
        return -1;
    }
    memcpy(m->producer, b + 16, 32);
    m->producer[32] = '\0';
    return 0;
}

static int check_table(const uint8_t *b, size_t size, om_art_model *m, char *err, size_t errlen)
{
    char tmp[32], tmp2[32];
    uint32_t n = (uint32_t)om_art_le(b + 48, 4);
    size_t max = sizeof(m->sections) / sizeof(m->sections[0]);
    if (n == 0 || n > max) {
        om_art_err(err, errlen, "bad section count %" PRIu32 " (expected 1..%zu)", n, max);
        return -1;
    }
    uint64_t table_end = OM_ART_HEADER_SIZE + (uint64_t)n * OM_ART_SECTION_ENTRY_SIZE;
    if (table_end > size) {
        om_art_err(err, errlen, "truncated: section table ends at %" PRIu64 " past file end %zu",
                   table_end, size);
        return -1;
    }
    uint32_t stored = (uint32_t)om_art_le(b + 56, 4);
    uint32_t crc = om_art_crc32(b + OM_ART_HEADER_SIZE, (size_t)(table_end - OM_ART_HEADER_SIZE));
    if (stored != crc) {
        om_art_err(err, errlen, "section table checksum mismatch (stored 0x%08" PRIx32
                   ", computed 0x%08" PRIx32 ")", stored, crc);
        return -1;
    }
    m->n_sections = n;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = b + OM_ART_HEADER_SIZE + (size_t)i * OM_ART_SECTION_ENTRY_SIZE;
        uint32_t kind = (uint32_t)om_art_le(e, 4), align = (uint32_t)om_art_le(e + 4, 4);
        uint64_t off = om_art_le(e + 8, 8), sz = om_art_le(e + 16, 8);
        const char *name = kind_label(kind, tmp);
        if (align == 0 || (align & (align - 1)) || align > MAX_SECTION_ALIGN) {
            om_art_err(err, errlen, "section %s: bad alignment %" PRIu32
                       " (a power of two up to %u)", name, align, MAX_SECTION_ALIGN);
            return -1;
        }
        if (kind == OM_ART_SEC_WEIGHTS && align < OM_ART_WEIGHT_ALIGN) {
            om_art_err(err, errlen, "section WEIGHTS: alignment %" PRIu32 " below %d", align,
                       OM_ART_WEIGHT_ALIGN);
            return -1;
        }
        if (off % align) {
            om_art_err(err, errlen, "section %s: offset %" PRIu64 " not a multiple of its "
                       "alignment %" PRIu32, name, off, align);
            return -1;
        }
        if (off < table_end) {
            om_art_err(err, errlen, "section %s: offset %" PRIu64 " inside the header or "
                       "section table (which end at %" PRIu64 ")", name, off, table_end);
            return -1;
        }
        if (off > size || sz > size - off) {
            if (sz > UINT64_MAX - off)
                om_art_err(err, errlen, "section %s: size %" PRIu64 " overflows", name, sz);
            else
                om_art_err(err, errlen, "truncated: section %s ends at %" PRIu64
                           " past file end %zu", name, off + sz, size);
            return -1;
        }
        for (uint32_t j = 0; j < i; j++)
            if (m->sections[j].kind == kind) {
                om_art_err(err, errlen, "duplicate section %s", name);
                return -1;
            }
        m->sections[i].kind = kind;
        m->sections[i].alignment = align;
        m->sections[i].offset = off;
        m->sections[i].size = sz;
        m->sections[i].crc = (uint32_t)om_art_le(e + 24, 4);
        m->sections[i].encoding = m->minor >= 2 ? (uint32_t)om_art_le(e + 28, 4) : 0;
        m->sections[i].raw_size = sz;
        m->sections[i].data = b + off;
    }
    /* overlap: every pair (n <= 16, so quadratic is fine) */
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = i + 1; j < n; j++) {
            uint64_t a0 = m->sections[i].offset, a1 = a0 + m->sections[i].size;
            uint64_t b0 = m->sections[j].offset, b1 = b0 + m->sections[j].size;
            if (a0 < b1 && b0 < a1) {
                om_art_err(err, errlen, "sections %s and %s overlap",
                           kind_label(m->sections[i].kind, tmp),
                           kind_label(m->sections[j].kind, tmp2));
                return -1;
            }
        }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t crc_s = om_art_crc32(b + m->sections[i].offset, (size_t)m->sections[i].size);
        if (crc_s != m->sections[i].crc) {
            om_art_err(err, errlen, "checksum mismatch in section %s (stored 0x%08" PRIx32
                       ", computed 0x%08" PRIx32 ")", kind_label(m->sections[i].kind, tmp),
                       m->sections[i].crc, crc_s);
            return -1;
        }
    }
    static const uint32_t required[] = {OM_ART_SEC_TARGET, OM_ART_SEC_DESC, OM_ART_SEC_PLAN,
                                        OM_ART_SEC_CODE};
    for (size_t r = 0; r < sizeof required / sizeof required[0]; r++) {
        uint32_t i = 0;
        while (i < n && m->sections[i].kind != required[r])
            i++;
        if (i == n) {
            om_art_err(err, errlen, "missing required section %s",
                       om_art_section_name(required[r]));
            return -1;
        }
    }
    return 0;
}

#define ENC_HEADER 16u   /* u64 raw size, u32 raw CRC, u32 reserved */

/* Decodes every encoded section into m->owned_ (sections[i].data, raw_size). */
static int decode_sections(om_art_model *m, char *err, size_t errlen)
{
    char tmp[32];
    for (uint32_t i = 0; i < m->n_sections; i++) {
        uint32_t enc = m->sections[i].encoding;
        const char *name = kind_label(m->sections[i].kind, tmp);
        if (enc == OM_ART_ENC_STORED || om_art_section_name(m->sections[i].kind)[0] == '?')
            continue;   /* unknown kinds are ignored, whatever their encoding */
        if (m->sections[i].kind == OM_ART_SEC_WEIGHTS) {   /* used in place, 64-aligned */
            om_art_err(err, errlen, "section WEIGHTS: encoding %" PRIu32 " not allowed "
                       "(weights are stored raw and used in place)", enc);
            return -1;
        }
        if (enc != OM_ART_ENC_OMLZ) {
            om_art_err(err, errlen, "section %s: unknown encoding %" PRIu32
                       " (this runtime reads 0 stored, 1 OMLZ)", name, enc);
            return -1;
        }
        const uint8_t *p = m->sections[i].data;
        uint64_t sz = m->sections[i].size;
        if (sz < ENC_HEADER) {
            om_art_err(err, errlen, "section %s: OMLZ section of %" PRIu64 " bytes is shorter "
                       "than its %u-byte header", name, sz, ENC_HEADER);
            return -1;
        }
        uint64_t raw = om_art_le(p, 8), stream = sz - ENC_HEADER;
        uint32_t raw_crc = (uint32_t)om_art_le(p + 8, 4);
        if (raw > OM_ART_MAX_RAW || raw > om_lz_max_output(stream) || raw > SIZE_MAX) {
            om_art_err(err, errlen, "section %s: OMLZ raw size %" PRIu64 " is over the limit "
                       "(%" PRIu64 ", and at most %" PRIu64 " from a %" PRIu64 "-byte stream)",
                       name, raw, OM_ART_MAX_RAW, om_lz_max_output(stream), stream);
            return -1;
        }
        uint8_t *out = om_art_owned_alloc(&m->owned_, raw ? (size_t)raw : 1);
        if (!out) {
            om_art_err(err, errlen, "out of memory decoding section %s (%" PRIu64 " bytes)",
                       name, raw);
            return -1;
        }
        char why[160];
        if (om_lz_decode(p + ENC_HEADER, (size_t)stream, out, (size_t)raw, why, sizeof why)) {
            if (strncmp(why, "out of memory", 13) == 0)
                om_art_err(err, errlen, "out of memory decoding section %s", name);
            else
                om_art_err(err, errlen, "section %s: corrupt OMLZ data: %s", name, why);
            return -1;
        }
        uint32_t crc = om_art_crc32(out, (size_t)raw);
        if (crc != raw_crc) {
            om_art_err(err, errlen, "checksum mismatch in section %s after decoding (stored "
                       "0x%08" PRIx32 ", computed 0x%08" PRIx32 ")", name, raw_crc, crc);
            return -1;
        }
        m->sections[i].data = out;
        m->sections[i].raw_size = raw;
    }
    return 0;
}

int om_art_find_section(const om_art_model *m, uint32_t kind, const uint8_t *buf,
                        const uint8_t **data, uint64_t *size)
{
    (void)buf;
    for (uint32_t i = 0; i < m->n_sections; i++)
        if (m->sections[i].kind == kind) {
            *data = m->sections[i].data;
            *size = m->sections[i].raw_size;
            return 0;
        }
    *data = NULL;
    *size = 0;
    return -1;
}

int om_art_parse(const void *buf, size_t size, om_art_model *m, char *err, size_t errlen)
{
    if (!m) {
        om_art_err(err, errlen, "om_art_parse: NULL model");
        return -1;
    }
    memset(m, 0, sizeof(*m));
    if (!buf && size) {
        om_art_err(err, errlen, "om_art_parse: NULL buffer");
        return -1;
    }
    const uint8_t *b = buf;
    if (check_header(b, size, m, err, errlen) != 0 || check_table(b, size, m, err, errlen) != 0 ||
        decode_sections(m, err, errlen) != 0 || om_art_parse_payloads(b, m, err, errlen) != 0) {
        om_art_model_free(m);
        return -1;
    }
    return 0;
}
