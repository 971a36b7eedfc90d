/* omdump's printers: an artifact (om_art_model, as read by om_art_parse) or a model graph
 * loaded from ONNX / IR text, as text or as JSON. Both formats carry the same content. */
#ifndef OM_TOOLS_OMDUMP_PRINT_H
#define OM_TOOLS_OMDUMP_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include "ir/ir.h"
#include "runtime/artifact/artifact.h"

void omdump_artifact_text(FILE *out, const char *path, size_t file_size, const om_art_model *m);
void omdump_artifact_json(FILE *out, const char *path, size_t file_size, const om_art_model *m);

/* graph_text: the graph printed as IR text (NUL-terminated). kind: "onnx" or "ir". */
void omdump_graph_text(FILE *out, const char *path, const char *kind, const om_graph *g,
                       const char *graph_text);
void omdump_graph_json(FILE *out, const char *path, const char *kind, const om_graph *g,
                       const char *graph_text);

#endif
