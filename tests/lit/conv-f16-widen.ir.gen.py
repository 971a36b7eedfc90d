# Writes the IR graph of conv-f16-widen.ir: seeded random weights for a 3x3 conv with bias and
# Relu, a depthwise conv, a 1x1 conv with a residual Add, a second reader of the input, and a
# conv read by Exp (which stays f32 in fp16).
import random

from irgen import const

random.seed(11)

print('graph "cfw" opset 17 {')
print("  input %x : f32[1,16,10,10]")
print(const("w", [16, 16, 3, 3]))
print(const("b", [16]))
print(const("wd", [16, 1, 3, 3]))
print(const("w1", [16, 16, 1, 1]))
print('  %c : f32[1,16,10,10] = Conv(%x, %w, %b) {kernel_shape = [3, 3], pads = [1, 1, 1, 1]} name "c3"')
print('  %r : f32[1,16,10,10] = Relu(%c) name "relu"')
print('  %d : f32[1,16,10,10] = Conv(%r, %wd) {kernel_shape = [3, 3], pads = [1, 1, 1, 1], group = 16} name "dw"')
print('  %p : f32[1,16,10,10] = Conv(%d, %w1) name "pw"')
print('  %y : f32[1,16,10,10] = Add(%p, %x) name "res"')
print('  %s : f32[1,16,10,10] = Conv(%x, %w1) name "second"')
print('  %u : f32[1,16,10,10] = Conv(%x, %w) {kernel_shape = [3, 3], pads = [1, 1, 1, 1]} name "third"')
print('  %t : f32[1,16,10,10] = Exp(%u) name "exp"')
print("  output %y, %s, %t")
print("}")
