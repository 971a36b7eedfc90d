/* Internal interface between the container parser (parse.c) and the payload decoder
 * (parse_payload.c). Not installed. */
#ifndef OM_RUNTIME_ARTIFACT_PARSE_INTERNAL_H
#define OM_RUNTIME_ARTIFACT_PARSE_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "runtime/artifact/artifact.h"

/* Points *data and *size at section `kind`'s payload (m->sections[].data: in buf, or decoded
 * into m->owned_ when encoded); -1 if absent. buf is unused (kept for the callers). */
int om_art_find_section(const om_art_model *m, uint32_t kind, const uint8_t *buf,
                        const uint8_t **data, uint64_t *size);
/* Decodes and cross-checks TARGET, DESC, PLAN and points graph/weights/code into buf.
 * Requires check_table to have passed (sections in bounds, CRCs good). */
int om_art_parse_payloads(const uint8_t *buf, om_art_model *m, char *err, size_t errlen);

#endif
