# Writes the IR graph of conv-winograd.ir (16x16x3x3 and 16x16x5x5 seeded random weights).
import random

from irgen import const

random.seed(7)

print('graph "wg" opset 17 {')
print("  input %x : f32[1,16,8,8]")
print(const("w", [16, 16, 3, 3]))
print(const("w5", [16, 16, 5, 5]))
print(const("b", [16]))
print('  %c : f32[1,16,8,8] = Conv(%x, %w, %b) {kernel_shape = [3, 3], pads = [1, 1, 1, 1]} name "c3"')
print('  %y : f32[1,16,8,8] = Relu(%c) name "r"')
print('  %s : f32[1,16,4,4] = Conv(%x, %w, %b) {kernel_shape = [3, 3], pads = [1, 1, 1, 1], strides = [2, 2]} name "c3s2"')
print('  %f : f32[1,16,8,8] = Conv(%x, %w5, %b) {kernel_shape = [5, 5], pads = [2, 2, 2, 2]} name "c5"')
print("  output %y, %s, %f")
print("}")
