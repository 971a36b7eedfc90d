/* om_patch: makes damaged copies of a .om artifact for the tool tests.
 *
 *   om_patch magic     IN OUT          overwrite the magic with "NOTANOM!"
 *   om_patch truncate  IN OUT BYTES    keep only the first BYTES bytes
 *   om_patch flip      IN OUT [OFFSET] invert one byte inside the last section's payload
 *                                      (default: its middle), so only a section CRC catches it
 *   om_patch major     IN OUT          format major + 1, header CRC (bytes 60..63) fixed, so
 *                                      the version check fires and not the CRC check
 *   om_patch features  IN OUT NAMES    append NAMES (space-separated cpuid names) to the
 *                                      TARGET section's required_x86 record; the file is
 *                                      re-serialized, so every CRC is correct
 *
 * Byte layout: runtime/artifact/artifact.h. Exit 0 on success, 2 with a message otherwise.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/artifact/artifact.h"

static unsigned char *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n >= 0 && fseek(f, 0, SEEK_SET) == 0) {
            buf = malloc((size_t)n + 1);
            if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
                free(buf);
                buf = NULL;
            }
            *size = (size_t)n;
        }
    }
    fclose(f);
    return buf;
}

static int write_all(const char *path, const void *buf, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int rc = fwrite(buf, 1, size, f) == size ? 0 : -1;
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const unsigned char *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void wr32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: om_patch magic|truncate|flip|major|features IN OUT [ARG]\n");
        return 2;
    }
    const char *op = argv[1], *in = argv[2], *out = argv[3];
    size_t size = 0;
    unsigned char *buf = read_all(in, &size);
    if (!buf) {
        fprintf(stderr, "om_patch: cannot read %s\n", in);
        return 2;
    }
    int rc = 2;
    if (size < OM_ART_HEADER_SIZE) {
        fprintf(stderr, "om_patch: %s: %zu bytes is shorter than a header\n", in, size);
        goto done;
    }
    if (strcmp(op, "magic") == 0) {
        memcpy(buf, "NOTANOM!", 8);
    } else if (strcmp(op, "truncate") == 0 && argc == 5) {
        size_t n = (size_t)strtoull(argv[4], NULL, 10);
        if (n < size)
            size = n;
    } else if (strcmp(op, "flip") == 0) {
        uint32_t n_sec = rd32(buf + 48);
        if (n_sec == 0 || OM_ART_HEADER_SIZE + (size_t)n_sec * OM_ART_SECTION_ENTRY_SIZE > size) {
            fprintf(stderr, "om_patch: %s: bad section table\n", in);
            goto done;
        }
        size_t off;
        if (argc == 5) {
            off = (size_t)strtoull(argv[4], NULL, 10);
        } else {
            /* the non-empty section that ends last */
            uint64_t best_off = 0, best_size = 0;
            for (uint32_t i = 0; i < n_sec; i++) {
                const unsigned char *e = buf + OM_ART_HEADER_SIZE + (size_t)i * OM_ART_SECTION_ENTRY_SIZE;
                uint64_t o = rd64(e + 8), s = rd64(e + 16);
                if (s > 0 && o + s > best_off + best_size) {
                    best_off = o;
                    best_size = s;
                }
            }
            off = (size_t)(best_off + best_size / 2);
        }
        if (off >= size) {
            fprintf(stderr, "om_patch: offset %zu past end %zu\n", off, size);
            goto done;
        }
        buf[off] ^= 0xff;
    } else if (strcmp(op, "major") == 0) {
        unsigned major = (unsigned)buf[8] | (unsigned)buf[9] << 8;
        major++;
        buf[8] = (unsigned char)major;
        buf[9] = (unsigned char)(major >> 8);
        wr32(buf + 60, om_art_crc32(buf, 60));
    } else if (strcmp(op, "features") == 0 && argc == 5) {
        om_art_model m;
        char err[512];
        memset(&m, 0, sizeof m);
        if (om_art_parse(buf, size, &m, err, sizeof err) != 0) {
            fprintf(stderr, "om_patch: %s: %s\n", in, err);
            goto done;
        }
        size_t len = strlen(m.required_x86 ? m.required_x86 : "") + strlen(argv[4]) + 2;
        char *req = malloc(len);
        if (!req) {
            om_art_model_free(&m);
            goto done;
        }
        snprintf(req, len, "%s%s%s", m.required_x86 ? m.required_x86 : "",
                 m.required_x86 && m.required_x86[0] ? " " : "", argv[4]);
        m.required_x86 = req;
        void *nbuf = NULL;
        size_t nsize = 0;
        int s = om_art_serialize(&m, &nbuf, &nsize, err, sizeof err);
        free(req);
        om_art_model_free(&m);
        if (s != 0) {
            fprintf(stderr, "om_patch: serialize: %s\n", err);
            goto done;
        }
        free(buf);
        buf = nbuf;
        size = nsize;
    } else {
        fprintf(stderr, "om_patch: unknown operation '%s' or missing argument\n", op);
        goto done;
    }
    if (write_all(out, buf, size) != 0) {
        fprintf(stderr, "om_patch: cannot write %s\n", out);
        goto done;
    }
    rc = 0;
done:
    free(buf);
    return rc;
}
