/* The .om artifact: in-memory description, writer and validating reader.
 *
 * Shared by the compiler (omc writes) and the runtime (loader reads); libc only.
 *
 * File layout (all integers little-endian):
 *
 *   header, 64 bytes:
 *     0   char[8]  magic "OMCART\r\n"
 *     8   u16      format major (OM_ART_MAJOR)      -- a reader refuses an unknown major
 *     10  u16      format minor (OM_ART_MINOR)      -- readers accept every minor of their major
 *     12  u32      header size (64)
 *     16  char[32] producer, NUL-padded ("omc 0.1.0")
 *     48  u32      section count
 *     52  u32      flags (0)
 *     56  u32      CRC-32 of the section table
 *     60  u32      CRC-32 of header bytes 0..59
 *   section table at offset 64, 32 bytes per entry:
 *     0   u32 kind (om_art_section_kind)   4  u32 alignment (power of two)
 *     8   u64 offset                       16 u64 size (bytes stored in the file)
 *     24  u32 CRC-32 of the section bytes  28 u32 encoding (since 1.2; reserved 0 before)
 *         as stored in the file
 *   section payloads, each at an offset that is a multiple of its alignment (zero padding).
 *
 * Section encodings (since 1.2; a reader ignores the field of 1.0 and 1.1 artifacts):
 *   0 STORED  the payload as described below
 *   1 OMLZ    u64 raw size, u32 CRC-32 of the raw payload, u32 reserved (0), then the payload
 *             compressed with the artifact's own LZ77 + Huffman codec (lz.h). The reader checks
 *             the stored CRC (table) first, then the raw size against OM_ART_MAX_RAW and what
 *             the stream can produce, decodes into memory it owns, and checks the raw CRC.
 *             Two CRCs: the table's, over the stored bytes, finds damage before the decoder
 *             runs and keeps the container checks independent of encodings; the raw one
 *             checks what the decoder produced (an encoder/decoder disagreement, or damage
 *             that still decodes).
 *   The writer encodes PLAN, GRAPH and CODE when om_art_model.compress is set and the encoded
 *   form is smaller; TARGET, DESC and WEIGHTS stay stored (WEIGHTS is used in place from the
 *   mapped file, 64-aligned: a reader refuses an encoded WEIGHTS). A 1.0/1.1 reader cannot read an OMLZ section (it fails on the
 *   section's contents).
 *
 * Section payloads ("str" = u32 length + bytes, no NUL; arrays are u32 count + items):
 *   TARGET  : str triple, str cpu, str features ("+avx512f,+fma,..." as LLVM spells them),
 *             str required_x86 (space-separated cpuid feature names the loader checks)
 *   DESC    : u32 n_inputs, io[n]; u32 n_outputs, io[n];
 *             io = str name, u32 dtype (ONNX numbering), u32 rank, i64 dims[rank],
 *                  u64 nbytes, u32 tensor (index into PLAN's tensor table)
 *   PLAN    : u64 arena_size; u32 n_tensors, tensor[n]; u32 n_kernels, str name[n];
 *             u32 n_steps, step[n]
 *             tensor = u32 kind (om_art_tensor_kind), u32 dtype, u32 index, u32 reserved,
 *                      u64 offset, u64 nbytes
 *             step   = u32 kernel (index into names), u32 n_args, i64 work_items,
 *                      u32 args[n_args] (tensor indices)
 *             since 1.1: u32 n_labels (0 or n_steps), str label[n_labels] -- what each
 *                      step computes, for run-time error messages ("node 'y' (Reshape)")
 *   GRAPH   : the optimized graph in IR text (for omdump), UTF-8
 *   WEIGHTS : constant tensors, each at a 64-byte aligned offset (section alignment 64)
 *   CODE    : an ELF64 relocatable object (position independent) holding the kernels
 *
 * Kernel ABI: every step calls `int32_t kernel(void *const *args, int64_t first, int64_t last)`
 * where args[i] is the address of the step's i-th tensor and [first, last) is a sub-range of
 * [0, work_items) the kernel must compute (the runtime may split the range across threads;
 * work_items >= 1). The kernel returns 0, or one of om_art_check_code when a run-time check
 * failed (a shape-carrying input whose values disagree with the compiled shapes); the
 * execution then fails with the step's label. Format 1.0 kernels returned void: a reader
 * ignores the return value of a 1.0 artifact's kernels.
 */
#ifndef OM_RUNTIME_ARTIFACT_H
#define OM_RUNTIME_ARTIFACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OM_ART_MAGIC "OMCART\r\n"
#define OM_ART_MAJOR 1
#define OM_ART_MINOR 2
#define OM_ART_HEADER_SIZE 64
#define OM_ART_SECTION_ENTRY_SIZE 32
#define OM_ART_WEIGHT_ALIGN 64
#define OM_ART_MAX_RANK 8
#define OM_ART_MAX_RAW ((uint64_t)1 << 30)   /* largest decoded section */

/* Written into artifacts: values never change. */
typedef enum om_art_section_kind {
    OM_ART_SEC_TARGET = 1,
    OM_ART_SEC_DESC = 2,
    OM_ART_SEC_PLAN = 3,
    OM_ART_SEC_GRAPH = 4,
    OM_ART_SEC_WEIGHTS = 5,
    OM_ART_SEC_CODE = 6,
} om_art_section_kind;

typedef enum om_art_encoding {
    OM_ART_ENC_STORED = 0,
    OM_ART_ENC_OMLZ = 1,
} om_art_encoding;

typedef enum om_art_tensor_kind {
    OM_ART_TENSOR_INPUT = 0,   /* index: model input number */
    OM_ART_TENSOR_OUTPUT = 1,  /* index: model output number */
    OM_ART_TENSOR_WEIGHT = 2,  /* offset into WEIGHTS */
    OM_ART_TENSOR_ARENA = 3,   /* offset into the per-context arena */
} om_art_tensor_kind;

/* Kernel return codes (written into artifacts' code: values never change). */
typedef enum om_art_check_code {
    OM_ART_CHECK_OK = 0,
    OM_ART_CHECK_SHAPE_VALUE = 1,   /* a run-time shape/axes/sizes input gives other shapes
                                       than the ones the model declares and omc compiled */
    OM_ART_CHECK_OUTPUT_SIZE = 2,   /* a data-dependent output size (NonZero, Unique, ...)
                                       differs from the declared output shape */
    OM_ART_CHECK_INDEX = 3,         /* an index input is out of range */
} om_art_check_code;

/* "a run-time shape input disagrees with the compiled shape", ...; "unknown check" else. */
const char *om_art_check_text(int32_t code);

typedef struct om_art_tensor {
    uint32_t kind, dtype, index;
    uint64_t offset, nbytes;
} om_art_tensor;

typedef struct om_art_io {
    const char *name;
    uint32_t dtype;
    uint32_t rank;
    int64_t dims[OM_ART_MAX_RANK];
    uint64_t nbytes;
    uint32_t tensor;
} om_art_io;

typedef struct om_art_step {
    uint32_t kernel;
    uint32_t n_args;
    int64_t work_items;
    const uint32_t *args;
} om_art_step;

/* An artifact's contents. For the writer the caller owns every pointer. For the reader
 * (om_art_parse) the strings, arrays and the weights/code/graph pointers live in the
 * om_art_model's own allocation or point into the caller's buffer, which must outlive it;
 * om_art_model_free releases what the reader allocated. */
typedef struct om_art_model {
    uint16_t major, minor;
    char producer[33];
    const char *triple, *cpu, *features, *required_x86;
    uint32_t n_inputs, n_outputs;
    om_art_io *inputs, *outputs;
    uint64_t arena_size;
    uint32_t n_tensors;
    om_art_tensor *tensors;
    uint32_t n_kernels;
    const char **kernel_names;
    uint32_t n_steps;
    om_art_step *steps;
    const char **step_labels;                       /* [n_steps], or NULL (format 1.0) */
    const char *graph_text; uint64_t graph_size;   /* not NUL-terminated when read */
    const void *weights; uint64_t weights_size;
    const void *code; uint64_t code_size;
    /* writer: encode PLAN, GRAPH and CODE with OMLZ where that makes them smaller */
    bool compress;
    /* section table as read, for omdump: size is what the file stores, raw_size the decoded
     * payload's size (= size when stored), data the decoded payload */
    uint32_t n_sections;
    struct {
        uint32_t kind, alignment;
        uint64_t offset, size;
        uint32_t crc, encoding;
        uint64_t raw_size;
        const uint8_t *data;
    } sections[16];
    void *owned_;                                   /* reader's allocation */
} om_art_model;

uint32_t om_art_crc32(const void *data, size_t size);
const char *om_art_section_name(uint32_t kind);     /* "TARGET", ...; "?" if unknown */

/* Serializes m into a new malloc'd buffer (*out, *out_size) the caller frees.
 * Returns 0, or -1 with a message in err. Deterministic: equal models give equal bytes. */
int om_art_serialize(const om_art_model *m, void **out, size_t *out_size, char *err, size_t errlen);
/* Writes m to path atomically: a temporary file beside it, fsync, rename. On any failure
 * (including a full disk) nothing is left at path or in the temporary. */
int om_art_write_file(const om_art_model *m, const char *path, char *err, size_t errlen);
/* Validates and parses an artifact held in buf (which must outlive *m). Checks magic,
 * version, header and table CRCs, every section's bounds/alignment/CRC, every count, string,
 * index and offset (tensor offsets inside WEIGHTS or the arena, step args in range,
 * io tensors of the right kind and size). OMLZ sections are decoded into memory *m owns
 * (graph_text and code then point there; weights always point into buf). Returns 0, or -1 with a one-line message in err
 * (e.g. "bad magic: not an .om artifact", "truncated: section PLAN ends at 9120 past file
 * end 4096", "unsupported format version 2.0 (this runtime reads 1.x)"). */
int om_art_parse(const void *buf, size_t size, om_art_model *m, char *err, size_t errlen);
void om_art_model_free(om_art_model *m);            /* after om_art_parse; accepts zeroed */

#ifdef __cplusplus
}
#endif
#endif
