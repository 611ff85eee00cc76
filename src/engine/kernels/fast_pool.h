// The 2x2 / stride-2 max pool shared by the fast MaxPool kernel and the
// fused Conv(+Relu)+MaxPool (fast_conv.cc).
//
//   MaxPool2x2(x, /*x_row=*/w, /*x_plane=*/h * w, /*x_size=*/planes * h * w, planes,
//              h / 2, w / 2, y);
//
// Thread-safety: stateless.
#ifndef ADS_ENGINE_KERNELS_FAST_POOL_H_
#define ADS_ENGINE_KERNELS_FAST_POOL_H_

#include <cstdint>

namespace ads::engine::kernels {

// y[c][i][j] = max(x[c][2i][2j], x[c][2i][2j+1], x[c][2i+1][2j], x[c][2i+1][2j+1])
// for c < planes, i < oh, j < ow, with the MaxPool reference's comparison
// (NaN never wins; a window of NaNs gives -inf). x's rows are `x_row` floats
// apart and its planes `x_plane`; x_size floats from x are readable (a row's
// last group may read past its window when that stays inside them); y is
// dense [planes][oh][ow].
void MaxPool2x2(const float* x, int64_t x_row, int64_t x_plane, int64_t x_size, int64_t planes,
                int64_t oh, int64_t ow, float* y);

}  // namespace ads::engine::kernels

#endif  // ADS_ENGINE_KERNELS_FAST_POOL_H_
