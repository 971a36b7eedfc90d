/* The Conv shape rule (passes/infer/conv_pool.c) for the conv-like ops of the nn group
 * (ConvInteger, QLinearConv): X is input xi, W input wi, the bias input bi (-1: none); the
 * output dtype is out_dt (OM_DT_UNDEFINED: X's, with Conv's float checks). Canonicalizes
 * the window attributes exactly as for Conv. Private to passes/infer. */
#ifndef OM_PASSES_INFER_NN_CONV_H
#define OM_PASSES_INFER_NN_CONV_H

#include "ir/ir.h"

om_status om_infer_conv_window(om_graph *g, om_node *n, int xi, int wi, int bi, om_dtype out_dt);

#endif
