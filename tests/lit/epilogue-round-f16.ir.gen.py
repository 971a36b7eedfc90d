# Writes the IR graph of epilogue-round-f16.ir: one Conv per kernel family (Winograd, conv_fast
# flat 1x1 and strided rows, pack-conv-small's panels, depthwise, the generic 3-D loop), each
# with om_round_f16 = 1 when argv[1] is "round", seeded random weights.
import random
import sys

from irgen import const

random.seed(5)
r = ", om_round_f16 = 1" if len(sys.argv) > 1 and sys.argv[1] == "round" else ""

print('graph "rnd" opset 17 {')
print("  input %x : f32[1,16,16,16]")
print("  input %v : f32[1,4,5,5,5]")
print(const("w3", [16, 16, 3, 3]))
print(const("w1", [32, 16, 1, 1]))
print(const("ws", [24, 16, 3, 3]))
print(const("wp", [32, 16, 3, 3]))
print(const("wd", [16, 1, 3, 3]))
print(const("wv", [4, 4, 2, 2, 2]))
print(const("b16", [16]))
print('  %a : f32[1,16,16,16] = Conv(%x, %w3, %b16) {kernel_shape = [3, 3], pads = [1, 1, 1, 1], om_activation = "Relu"ROUND} name "winograd"'.replace("ROUND", r))
print('  %b : f32[1,32,16,16] = Conv(%x, %w1) {kernel_shape = [1, 1]ROUND} name "flat"'.replace("ROUND", r))
print('  %c : f32[1,24,8,8] = Conv(%x, %ws) {kernel_shape = [3, 3], pads = [1, 1, 1, 1], strides = [2, 2]ROUND} name "rows"'.replace("ROUND", r))
print('  %xs : f32[1,16,7,7] = MaxPool(%x) {kernel_shape = [3, 3], strides = [2, 2]} name "pool"')
print('  %d : f32[1,32,7,7] = Conv(%xs, %wp) {kernel_shape = [3, 3], pads = [1, 1, 1, 1]ROUND} name "small"'.replace("ROUND", r))
print('  %e : f32[1,16,16,16] = Conv(%x, %wd, %b16, %x) {kernel_shape = [3, 3], pads = [1, 1, 1, 1], group = 16, om_residual = 1ROUND} name "dw"'.replace("ROUND", r))
print('  %f : f32[1,4,4,4,4] = Conv(%v, %wv) {kernel_shape = [2, 2, 2]ROUND} name "generic"'.replace("ROUND", r))
print("  output %a, %b, %c, %d, %e, %f")
print("}")
