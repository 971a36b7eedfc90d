# Writes the IR graph of conv-stride-slice.ir (seeded random weights).
import random

from irgen import const

random.seed(11)

print('graph "css" opset 17 {')
print("  input %x : f32[1,256,13,13]")
print("  input %z : f32[1,128,14,14]")
print(const("w", [32, 256, 1, 1]))
print(const("wz", [32, 128, 1, 1]))
print(const("b", [32]))
print('  %c : f32[1,32,7,7] = Conv(%x, %w, %b) {kernel_shape = [1, 1], strides = [2, 2]} name "s2"')
print('  %y : f32[1,32,7,7] = Relu(%c) name "r"')
print('  %p : f32[1,32,8,8] = Conv(%x, %w, %b) {kernel_shape = [1, 1], strides = [2, 2], pads = [1, 1, 1, 1]} name "padded"')
print('  %q : f32[1,32,13,13] = Conv(%x, %w, %b) {kernel_shape = [1, 1]} name "s1"')
print('  %r : f32[1,32,7,7] = Conv(%z, %wz, %b) {kernel_shape = [1, 1], strides = [2, 2]} name "c128"')
print("  output %y, %p, %q, %r")
print("}")
