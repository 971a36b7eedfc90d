/* Private: conversions between f32 and the 16-bit float formats (IEEE binary16 and
 * bfloat16), used by the text printer and parser. Widening is exact; narrowing rounds to
 * nearest even, keeps the sign of zero and infinities, and maps NaN to a quiet NaN of
 * the same sign. So f16 -> f32 -> f16 is the identity for every non-NaN bit pattern.
 */
#ifndef OM_IR_HALF_H
#define OM_IR_HALF_H

#include <stdint.h>

float om_ir_f16_to_f32(uint16_t h);
uint16_t om_ir_f32_to_f16(float f);
float om_ir_bf16_to_f32(uint16_t h);
uint16_t om_ir_f32_to_bf16(float f);

#endif /* OM_IR_HALF_H */
