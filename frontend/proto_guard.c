/* A pre-check of the protobuf wire format before protobuf-c decodes it.
 *
 * protobuf-c's unpacker recurses once per nested message and has no depth limit, and
 * ONNX's schema is recursive (GraphProto -> NodeProto -> AttributeProto -> GraphProto,
 * TypeProto -> TypeProto), so a crafted file of a few megabytes could exhaust the stack.
 * This walk follows the schema (the generated descriptors say which length-delimited fields
 * are messages) and refuses nesting deeper than a limit far above real models; its own
 * recursion is bounded by that limit. Structural errors found on the way (a truncated
 * varint or length) are reported as malformed too, which protobuf-c would also refuse.
 */
#include "frontend/fe_internal.h"

static bool read_varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*p >= end)
            return false;
        uint8_t b = *(*p)++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

/* 0: fine; 1: too deep; 2: malformed */
static int walk(const ProtobufCMessageDescriptor *d, const uint8_t *p, const uint8_t *end, int depth)
{
    if (depth <= 0)
        return 1;
    while (p < end) {
        uint64_t key, len;
        if (!read_varint(&p, end, &key))
            return 2;
        switch (key & 7) {
        case 0:
            if (!read_varint(&p, end, &len))
                return 2;
            break;
        case 1:
            if (end - p < 8)
                return 2;
            p += 8;
            break;
        case 5:
            if (end - p < 4)
                return 2;
            p += 4;
            break;
        case 2: {
            if (!read_varint(&p, end, &len) || len > (uint64_t)(end - p))
                return 2;
            const ProtobufCFieldDescriptor *f =
                key >> 3 <= UINT32_MAX ? protobuf_c_message_descriptor_get_field(d, (unsigned)(key >> 3)) : NULL;
            if (f && f->type == PROTOBUF_C_TYPE_MESSAGE && f->descriptor) {
                int r = walk(f->descriptor, p, p + len, depth - 1);
                if (r)
                    return r;
            }
            p += len;
            break;
        }
        default: /* groups (3, 4) are not used by onnx.proto */
            return 2;
        }
    }
    return 0;
}

om_status om_fe_proto_check(const ProtobufCMessageDescriptor *d, const void *buf, size_t size,
                            const char *shown)
{
    int r = walk(d, buf, (const uint8_t *)buf + size, OM_FE_MAX_PROTO_DEPTH);
    if (r == 1)
        return om_error(OM_ERR_INVALID_MODEL, "not a valid ONNX model: %s (messages nested deeper than %d)",
                        shown, OM_FE_MAX_PROTO_DEPTH);
    if (r == 2)
        return om_error(OM_ERR_INVALID_MODEL, "not a valid ONNX model: %s (protobuf decoding failed)", shown);
    return OM_OK;
}
