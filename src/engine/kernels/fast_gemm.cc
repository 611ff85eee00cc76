// The packed GEMM of fast_gemm.h.
//
// Blocking: k in slices of kKc (a B panel slice of kKc x 16 floats = 16 KB
// stays in L1 while 6-row strips of A stream past it); within a slice, each
// strip of kMr rows of A runs against every panel. The micro-kernel keeps a
// kMr x 16 block of C in 12 vector registers (AVX2) and does one broadcast
// and two fused multiply-adds per row and k step.
//
// The micro-kernels and loops are templates over where row p of a panel is
// (PanelRows: packed, 16 floats apart; ShiftedRows: x + shift[p], for
// GemmShifted), so both kinds of B share one code path.
#include "engine/kernels/fast_gemm.h"

#include <algorithm>
#include <atomic>
#include <cstring>

namespace ads::engine::kernels {

namespace {

constexpr int kMr = 6;
constexpr int kMr512 = 8;  // 16 zmm accumulators: the AVX-512 kernel has 32 registers
constexpr int64_t kKc = 256;
// Rows smaller than this much work (multiply-adds) are not worth a thread.
constexpr int64_t kMinParallelMacs = 1 << 18;

typedef float V8 __attribute__((vector_size(32)));

// The vector helpers are always inlined, so a 32-byte vector never crosses a
// call boundary and GCC's note about its calling convention (-Wpsabi) does
// not apply; the pragma spans the code that uses them.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"
inline __attribute__((always_inline)) V8 Load8(const float* p) {
  V8 v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

inline __attribute__((always_inline)) void Store8(float* p, V8 v) { std::memcpy(p, &v, sizeof(v)); }

// Where a micro-kernel finds row p of its 16 columns of B: a packed panel
// (rows 16 floats apart), or shifted views of one array (GemmShifted).
struct PanelRows {
  const float* base;
  const float* operator()(int64_t p) const { return base + p * kGemmPanel; }
};
struct ShiftedRows {
  const float* base;     // x + the first column
  const int64_t* shift;  // per row of B, from the slice's first row
  const float* operator()(int64_t p) const { return base + shift[p]; }
};

// How a micro-kernel stores: see GemmEpilogue. `first`: the first k slice
// of an overwriting GEMM (C's contents are ignored); `relu`: the last slice
// of a GEMM with Relu. `bias` points at the block's first column, or null.
struct Store {
  bool first = false;
  bool relu = false;
  const float* bias = nullptr;
  const float* row_bias = nullptr;  // the block's first row, or null
};

inline __attribute__((always_inline)) float StoreOne(float old, float add, const Store& st,
                                                     int64_t i, int64_t j) {
  const float base = st.bias ? st.bias[j] : (st.row_bias ? st.row_bias[i] : 0.0f);
  float v = (st.first ? base : old) + add;
  if (st.relu) v = v > 0.0f ? v : 0.0f;
  return v;
}

// c[0..MR) x [0..nr) += alpha * a[0..MR) x [0..kc) * panel slice.
template <int MR, class Rows>
inline __attribute__((always_inline)) void MicroKernel(const float* a, int64_t lda, Rows bp,
                                                       int64_t kc, float* c, int64_t ldc,
                                                       int64_t nr, float alpha, const Store& st) {
  V8 acc0[MR], acc1[MR];
  for (int i = 0; i < MR; ++i) acc0[i] = acc1[i] = V8{};
  for (int64_t p = 0; p < kc; ++p) {
    const V8 b0 = Load8(bp(p));
    const V8 b1 = Load8(bp(p) + 8);
    for (int i = 0; i < MR; ++i) {
      const float av = a[i * lda + p];
      acc0[i] += av * b0;
      acc1[i] += av * b1;
    }
  }
  const V8 zero = V8{};
  for (int i = 0; i < MR; ++i) {
    float* ci = c + i * ldc;
    if (nr == kGemmPanel) {
      V8 c0, c1;
      if (!st.first) {
        c0 = Load8(ci), c1 = Load8(ci + 8);
      } else if (st.bias) {
        c0 = Load8(st.bias), c1 = Load8(st.bias + 8);
      } else if (st.row_bias) {
        c0 = c1 = zero + st.row_bias[i];
      } else {
        c0 = c1 = zero;
      }
      c0 += alpha * acc0[i];
      c1 += alpha * acc1[i];
      if (st.relu) {
        c0 = c0 > zero ? c0 : zero;
        c1 = c1 > zero ? c1 : zero;
      }
      Store8(ci, c0);
      Store8(ci + 8, c1);
      continue;
    }
    float t[kGemmPanel];
    Store8(t, acc0[i]);
    Store8(t + 8, acc1[i]);
    for (int64_t j = 0; j < nr; ++j) ci[j] = StoreOne(ci[j], alpha * t[j], st, i, j);
  }
}

}  // namespace

// Outside the anonymous namespace: GCC's target_clones dispatch (an ifunc)
// wants an externally visible symbol.
namespace gemm_internal {

// The store mode of the k slice starting at kb, for columns from j0.
inline Store SliceStore(const GemmEpilogue& ep, int64_t kb, int64_t kc, int64_t k, int64_t i0,
                        int64_t j0) {
  Store st;
  st.first = ep.overwrite && kb == 0;
  st.relu = ep.relu && kb + kc == k;
  st.bias = st.first && ep.bias ? ep.bias + j0 : nullptr;
  st.row_bias = st.first && ep.row_bias ? ep.row_bias + i0 : nullptr;
  return st;
}

// B as packed panels (PackedB), or as shifted views of one array (GemmShifted).
struct PackedSource {
  const PackedB& b;
  int64_t k() const { return b.k(); }
  int64_t n() const { return b.n(); }
  PanelRows Rows(int64_t panel, int64_t kb) const { return {b.panel(panel) + kb * kGemmPanel}; }
};
struct ShiftedSource {
  const float* x;
  const int64_t* shift;
  int64_t k_, n_;
  int64_t k() const { return k_; }
  int64_t n() const { return n_; }
  ShiftedRows Rows(int64_t panel, int64_t kb) const { return {x + panel * kGemmPanel, shift + kb}; }
};

// One strip of mr <= kMr rows against one panel.
template <class Rows>
inline __attribute__((always_inline)) void Strip(int64_t mr, const float* a, int64_t lda, Rows bp,
                                                 int64_t kc, float* c, int64_t ldc, int64_t nr,
                                                 float alpha, const Store& st) {
  switch (mr) {
    case 6:
      MicroKernel<6>(a, lda, bp, kc, c, ldc, nr, alpha, st);
      break;
    case 5:
      MicroKernel<5>(a, lda, bp, kc, c, ldc, nr, alpha, st);
      break;
    case 4:
      MicroKernel<4>(a, lda, bp, kc, c, ldc, nr, alpha, st);
      break;
    case 3:
      MicroKernel<3>(a, lda, bp, kc, c, ldc, nr, alpha, st);
      break;
    case 2:
      MicroKernel<2>(a, lda, bp, kc, c, ldc, nr, alpha, st);
      break;
    default:
      MicroKernel<1>(a, lda, bp, kc, c, ldc, nr, alpha, st);
      break;
  }
}

template <class Source>
inline __attribute__((always_inline)) void RowsOf(const float* a, int64_t lda, int64_t row_begin,
                                                  int64_t row_end, const Source& b, float alpha,
                                                  float* c, int64_t ldc, const GemmEpilogue& ep) {
  const int64_t k = b.k(), n = b.n(), panels = (n + kGemmPanel - 1) / kGemmPanel;
  for (int64_t kb = 0; kb < k; kb += kKc) {
    const int64_t kc = std::min(kKc, k - kb);
    for (int64_t i = row_begin; i < row_end; i += kMr) {
      const int64_t mr = std::min<int64_t>(kMr, row_end - i);
      const float* ai = a + i * lda + kb;
      for (int64_t p = 0; p < panels; ++p) {
        const int64_t nr = std::min(kGemmPanel, n - p * kGemmPanel);
        float* ci = c + i * ldc + p * kGemmPanel;
        const Store st = SliceStore(ep, kb, kc, k, i, p * kGemmPanel);
        Strip(mr, ai, lda, b.Rows(p, kb), kc, ci, ldc, nr, alpha, st);
      }
    }
  }
}

__attribute__((target_clones("arch=x86-64-v3", "default"))) void GemmRows(
    const float* a, int64_t lda, int64_t row_begin, int64_t row_end, const PackedB& b, float alpha,
    float* c, int64_t ldc, const GemmEpilogue& ep) {
  RowsOf(a, lda, row_begin, row_end, PackedSource{b}, alpha, c, ldc, ep);
}

__attribute__((target_clones("arch=x86-64-v3", "default"))) void GemmShiftedRows(
    const float* a, int64_t lda, int64_t row_begin, int64_t row_end, const float* x,
    const int64_t* shift, int64_t k, int64_t n, float* c, int64_t ldc, const GemmEpilogue& ep) {
  RowsOf(a, lda, row_begin, row_end, ShiftedSource{x, shift, k, n}, 1.0f, c, ldc, ep);
}

typedef float V16 __attribute__((vector_size(64)));

inline __attribute__((always_inline)) V16 Load16(const float* p) {
  V16 v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// As MicroKernel, over two adjacent panels at once with 16-wide vectors:
// 2*MR accumulators keep both AVX-512 FMA pipes busy.
template <int MR, class Rows>
inline __attribute__((always_inline)) void MicroKernel2(const float* a, int64_t lda, Rows bp0,
                                                        Rows bp1, int64_t kc, float* c, int64_t ldc,
                                                        int64_t nr1, float alpha, const Store& st) {
  V16 acc0[MR], acc1[MR];
  for (int i = 0; i < MR; ++i) acc0[i] = acc1[i] = V16{};
  for (int64_t p = 0; p < kc; ++p) {
    const V16 b0 = Load16(bp0(p));
    const V16 b1 = Load16(bp1(p));
    for (int i = 0; i < MR; ++i) {
      const float av = a[i * lda + p];
      acc0[i] += av * b0;
      acc1[i] += av * b1;
    }
  }
  if (nr1 == kGemmPanel) {  // full panels: vector stores
    const V16 zero = V16{};
    for (int i = 0; i < MR; ++i) {
      float* ci = c + i * ldc;
      V16 c0, c1;
      if (!st.first) {
        c0 = Load16(ci), c1 = Load16(ci + kGemmPanel);
      } else if (st.bias) {
        c0 = Load16(st.bias), c1 = Load16(st.bias + kGemmPanel);
      } else if (st.row_bias) {
        c0 = c1 = zero + st.row_bias[i];
      } else {
        c0 = c1 = zero;
      }
      c0 += alpha * acc0[i];
      c1 += alpha * acc1[i];
      if (st.relu) {
        c0 = c0 > zero ? c0 : zero;
        c1 = c1 > zero ? c1 : zero;
      }
      std::memcpy(ci, &c0, sizeof(V16));
      std::memcpy(ci + kGemmPanel, &c1, sizeof(V16));
    }
    return;
  }
  for (int i = 0; i < MR; ++i) {
    float t[2 * kGemmPanel];
    std::memcpy(t, &acc0[i], sizeof(V16));
    std::memcpy(t + kGemmPanel, &acc1[i], sizeof(V16));
    float* ci = c + i * ldc;
    const int64_t n = kGemmPanel + nr1;
    for (int64_t j = 0; j < n; ++j) ci[j] = StoreOne(ci[j], alpha * t[j], st, i, j);
  }
}

// One strip of mr <= kMr512 rows against two adjacent panels.
template <class Rows>
inline __attribute__((always_inline)) void Strip2(int64_t mr, const float* a, int64_t lda, Rows bp0,
                                                  Rows bp1, int64_t kc, float* c, int64_t ldc,
                                                  int64_t nr1, float alpha, const Store& st) {
  switch (mr) {
    case 8:
      MicroKernel2<8>(a, lda, bp0, bp1, kc, c, ldc, nr1, alpha, st);
      break;
    case 7:
      MicroKernel2<7>(a, lda, bp0, bp1, kc, c, ldc, nr1, alpha, st);
      break;
    case 6:
      MicroKernel2<6>(a, lda, bp0, bp1, kc, c, ldc, nr1, alpha, st);
      break;
    case 5:
      MicroKernel2<5>(a, lda, bp0, bp1, kc, c, ldc, nr1, alpha, st);
      break;
    case 4:
      MicroKernel2<4>(a, lda, bp0, bp1, kc, c, ldc, nr1, alpha, st);
      break;
    case 3:
      MicroKernel2<3>(a, lda, bp0, bp1, kc, c, ldc, nr1, alpha, st);
      break;
    case 2:
      MicroKernel2<2>(a, lda, bp0, bp1, kc, c, ldc, nr1, alpha, st);
      break;
    default:
      MicroKernel2<1>(a, lda, bp0, bp1, kc, c, ldc, nr1, alpha, st);
      break;
  }
}

template <class Source>
inline __attribute__((always_inline)) void RowsOf512(const float* a, int64_t lda, int64_t row_begin,
                                                     int64_t row_end, const Source& b, float alpha,
                                                     float* c, int64_t ldc,
                                                     const GemmEpilogue& ep) {
  const int64_t k = b.k(), n = b.n(), panels = (n + kGemmPanel - 1) / kGemmPanel;
  for (int64_t kb = 0; kb < k; kb += kKc) {
    const int64_t kc = std::min(kKc, k - kb);
    for (int64_t i = row_begin; i < row_end; i += kMr512) {
      const int64_t mr = std::min<int64_t>(kMr512, row_end - i);
      const float* ai = a + i * lda + kb;
      int64_t p = 0;
      for (; p + 1 < panels; p += 2) {
        const int64_t nr1 = std::min(kGemmPanel, n - (p + 1) * kGemmPanel);
        float* ci = c + i * ldc + p * kGemmPanel;
        const Store st = SliceStore(ep, kb, kc, k, i, p * kGemmPanel);
        Strip2(mr, ai, lda, b.Rows(p, kb), b.Rows(p + 1, kb), kc, ci, ldc, nr1, alpha, st);
      }
      if (p < panels) {  // an odd last panel
        const int64_t nr = std::min(kGemmPanel, n - p * kGemmPanel);
        float* ci = c + i * ldc + p * kGemmPanel;
        const Store st = SliceStore(ep, kb, kc, k, i, p * kGemmPanel);
        if (mr > kMr) {  // 7 or 8 rows: a strip of 6, then the rest
          Strip(kMr, ai, lda, b.Rows(p, kb), kc, ci, ldc, nr, alpha, st);
          const Store rest_st = SliceStore(ep, kb, kc, k, i + kMr, p * kGemmPanel);
          Strip(mr - kMr, ai + kMr * lda, lda, b.Rows(p, kb), kc, ci + kMr * ldc, ldc, nr, alpha,
                rest_st);
          continue;
        }
        Strip(mr, ai, lda, b.Rows(p, kb), kc, ci, ldc, nr, alpha, st);
      }
    }
  }
}

__attribute__((target("arch=x86-64-v4"))) void GemmRowsAvx512(const float* a, int64_t lda,
                                                              int64_t row_begin, int64_t row_end,
                                                              const PackedB& b, float alpha,
                                                              float* c, int64_t ldc,
                                                              const GemmEpilogue& ep) {
  RowsOf512(a, lda, row_begin, row_end, PackedSource{b}, alpha, c, ldc, ep);
}

__attribute__((target("arch=x86-64-v4"))) void GemmShiftedRowsAvx512(
    const float* a, int64_t lda, int64_t row_begin, int64_t row_end, const float* x,
    const int64_t* shift, int64_t k, int64_t n, float* c, int64_t ldc, const GemmEpilogue& ep) {
  RowsOf512(a, lda, row_begin, row_end, ShiftedSource{x, shift, k, n}, 1.0f, c, ldc, ep);
}

bool CpuHasAvx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512cd");
}

std::atomic<bool> avx512_enabled{CpuHasAvx512()};

void Rows(const float* a, int64_t lda, int64_t row_begin, int64_t row_end, const PackedB& b,
          float alpha, float* c, int64_t ldc, const GemmEpilogue& ep) {
  if (avx512_enabled.load(std::memory_order_relaxed)) {
    GemmRowsAvx512(a, lda, row_begin, row_end, b, alpha, c, ldc, ep);
  } else {
    GemmRows(a, lda, row_begin, row_end, b, alpha, c, ldc, ep);
  }
}

void ShiftedRowsOf(const float* a, int64_t lda, int64_t row_begin, int64_t row_end, const float* x,
                   const int64_t* shift, int64_t k, int64_t n, float* c, int64_t ldc,
                   const GemmEpilogue& ep) {
  if (avx512_enabled.load(std::memory_order_relaxed)) {
    GemmShiftedRowsAvx512(a, lda, row_begin, row_end, x, shift, k, n, c, ldc, ep);
  } else {
    GemmShiftedRows(a, lda, row_begin, row_end, x, shift, k, n, c, ldc, ep);
  }
}

}  // namespace gemm_internal

#pragma GCC diagnostic pop

void PackedB::Reset(int64_t k, int64_t n) {
  k_ = k;
  n_ = n;
  const size_t size = static_cast<size_t>(panels() * k * kGemmPanel);
  if (data_.size() != size) data_.assign(size, 0.0f);
}

PackedB PackedB::Pack(const float* b, int64_t k, int64_t n, bool trans) {
  PackedB out;
  out.k_ = k;
  out.n_ = n;
  out.data_.assign(static_cast<size_t>(out.panels() * k * kGemmPanel), 0.0f);
  for (int64_t p = 0; p < out.panels(); ++p) {
    float* dst = out.data_.data() + p * k * kGemmPanel;
    const int64_t j0 = p * kGemmPanel, nr = std::min(kGemmPanel, n - j0);
    for (int64_t r = 0; r < k; ++r) {
      for (int64_t j = 0; j < nr; ++j) {
        dst[r * kGemmPanel + j] = trans ? b[(j0 + j) * k + r] : b[r * n + j0 + j];
      }
    }
  }
  return out;
}

void GemmAccumulate(const float* a, int64_t lda, int64_t m, const PackedB& b, float alpha, float* c,
                    int64_t ldc, ThreadPool* pool) {
  Gemm(a, lda, m, b, alpha, c, ldc, GemmEpilogue{}, pool);
}

void Gemm(const float* a, int64_t lda, int64_t m, const PackedB& b, float alpha, float* c,
          int64_t ldc, const GemmEpilogue& ep, ThreadPool* pool) {
  if (m <= 0 || b.n() <= 0) return;
  if (b.k() <= 0) {  // no products: only the epilogue
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < b.n(); ++j) {
        const float base = ep.bias ? ep.bias[j] : (ep.row_bias ? ep.row_bias[i] : 0.0f);
        float v = ep.overwrite ? base : c[i * ldc + j];
        if (ep.relu) v = v > 0.0f ? v : 0.0f;
        c[i * ldc + j] = v;
      }
    }
    return;
  }
  const int64_t macs_per_row = std::max<int64_t>(1, b.k() * b.n());
  if (pool == nullptr || pool->threads() <= 1 || m * macs_per_row < 2 * kMinParallelMacs) {
    gemm_internal::Rows(a, lda, 0, m, b, alpha, c, ldc, ep);
    return;
  }
  // Chunks are whole strips of kMr rows so every thread runs full strips.
  const int64_t strips = (m + kMr - 1) / kMr;
  const int64_t min_strips = std::max<int64_t>(1, kMinParallelMacs / (macs_per_row * kMr));
  pool->ParallelFor(strips, min_strips, [&](int64_t s0, int64_t s1) {
    gemm_internal::Rows(a, lda, s0 * kMr, std::min(m, s1 * kMr), b, alpha, c, ldc, ep);
  });
}

void GemmShifted(const float* a, int64_t lda, int64_t row_begin, int64_t row_end, const float* x,
                 const int64_t* shift, int64_t k, int64_t n, float* c, int64_t ldc,
                 const GemmEpilogue& ep) {
  if (row_end <= row_begin || n <= 0) return;
  if (k <= 0) {  // no products: only the epilogue
    for (int64_t i = row_begin; i < row_end; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        const float base = ep.bias ? ep.bias[j] : (ep.row_bias ? ep.row_bias[i] : 0.0f);
        float v = ep.overwrite ? base : c[i * ldc + j];
        if (ep.relu) v = v > 0.0f ? v : 0.0f;
        c[i * ldc + j] = v;
      }
    }
    return;
  }
  gemm_internal::ShiftedRowsOf(a, lda, row_begin, row_end, x, shift, k, n, c, ldc, ep);
}

}  // namespace ads::engine::kernels

namespace ads::engine::kernels {

bool SetGemmAvx512ForTesting(bool enabled) {
  const bool available = gemm_internal::CpuHasAvx512();
  gemm_internal::avx512_enabled.store(enabled && available);
  return available;
}

}  // namespace ads::engine::kernels
