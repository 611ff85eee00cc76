// Fast float GEMM for MatMul, Gemm (and Conv via im2col): B packed into
// 16-column panels, a 6x16 register-blocked micro-kernel written with GCC
// vector extensions, compiled twice (x86-64-v3 = AVX2+FMA, and baseline
// SSE2) and picked at load time by the CPU (target_clones), rows split over
// the thread pool.
//
//   PackedB w = PackedB::Pack(b, k, n, /*trans=*/false);   // once, at load
//   GemmAccumulate(a, /*lda=*/k, m, w, /*alpha=*/1.0f, c, /*ldc=*/n, pool);
//
// Accumulation is in float (as onnxruntime does), so results differ from the
// double-accumulating reference kernels by rounding only: |error| is bounded
// by about k * 2^-23 * sum_p |a_ip * b_pj|.
//
// Thread-safety: a PackedB is immutable after Pack; GemmAccumulate is
// reentrant (callers give it disjoint outputs).
#ifndef ADS_ENGINE_KERNELS_FAST_GEMM_H_
#define ADS_ENGINE_KERNELS_FAST_GEMM_H_

#include <cstdint>
#include <vector>

#include "engine/thread_pool.h"

namespace ads::engine::kernels {

inline constexpr int64_t kGemmPanel = 16;  // columns per packed panel

// B [k x n] as ceil(n/16) panels, each k rows of 16 contiguous floats (the
// last panel zero-padded), so the micro-kernel reads B strictly sequentially.
class PackedB {
 public:
  PackedB() = default;
  // `b` is [k x n] row-major, or [n x k] when `trans` (Gemm transB).
  static PackedB Pack(const float* b, int64_t k, int64_t n, bool trans);

  int64_t k() const { return k_; }
  int64_t n() const { return n_; }
  int64_t panels() const { return (n_ + kGemmPanel - 1) / kGemmPanel; }
  const float* panel(int64_t p) const { return data_.data() + p * k_ * kGemmPanel; }
  // For code that writes B straight into panels (Conv's im2col): sizes the
  // packing for a [k x n] B (reusing the storage when the size is the same);
  // element (r, j) lives at mutable_panel(j / 16)[r * 16 + j % 16].
  void Reset(int64_t k, int64_t n);
  float* mutable_panel(int64_t p) { return data_.data() + p * k_ * kGemmPanel; }

 private:
  int64_t k_ = 0;
  int64_t n_ = 0;
  std::vector<float> data_;
};

// c[i][j] += alpha * sum_p a[i][p] * b[p][j] for i < m, j < b.n(); `a` has
// row stride lda and b.k() columns, `c` has row stride ldc. Rows are split
// over `pool` (may be null) when the work is large enough.
void GemmAccumulate(const float* a, int64_t lda, int64_t m, const PackedB& b, float alpha, float* c,
                    int64_t ldc, ThreadPool* pool);

// What the micro-kernel does when it stores a block of C, so that a bias and
// an activation cost no extra pass over C.
struct GemmEpilogue {
  // C's old contents are ignored (C need not be initialised): c = alpha*AB.
  bool overwrite = false;
  // With `overwrite`: c = bias[j] + alpha*AB (b.n() floats).
  const float* bias = nullptr;
  // With `overwrite` and no `bias`: c = row_bias[i] + alpha*AB (m floats).
  const float* row_bias = nullptr;
  // c = max(c, 0) after everything else (NaN becomes 0, as the Relu kernel).
  bool relu = false;
};
void Gemm(const float* a, int64_t lda, int64_t m, const PackedB& b, float alpha, float* c,
          int64_t ldc, const GemmEpilogue& epilogue, ThreadPool* pool);

// The same product with B given as shifted views of one array instead of
// packed panels: B[r][j] = x[shift[r] + j] for r < k, j < n. A stride-1
// convolution is such a product over its (padded) input, with no im2col.
// Only rows [row_begin, row_end) of `a` and `c` are computed (c keeps its
// row indexing, so threads can share one c). Reads x[shift[r] + j] for all
// j < n rounded up to a multiple of 32, which the caller keeps readable.
void GemmShifted(const float* a, int64_t lda, int64_t row_begin, int64_t row_end, const float* x,
                 const int64_t* shift, int64_t k, int64_t n, float* c, int64_t ldc,
                 const GemmEpilogue& epilogue);

// Tests: turns the AVX-512 micro-kernel off (or back on, when the CPU has
// it) so both code paths can be checked on one machine; returns whether the
// CPU has AVX-512. Not for production use.
bool SetGemmAvx512ForTesting(bool enabled);

}  // namespace ads::engine::kernels

#endif  // ADS_ENGINE_KERNELS_FAST_GEMM_H_
