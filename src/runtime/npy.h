// NPY: numpy's .npy array format (versions 1.0, 2.0 and 3.0), read without
// numpy and without unpickling.
//
// ADS clients send numpy arrays as {"data": base64(np.save(...)),
// "data_type": "<class 'numpy.ndarray'>"}; the generated score.py loads them
// with np.load(allow_pickle=False). ParseNpy is that load: it reads the header
// (a Python dict literal: 'descr', 'fortran_order', 'shape'), accepts the
// numeric dtypes, bool and unicode strings in either byte order, converts
// Fortran order to C order, and refuses object arrays (which would need
// pickle) and structured dtypes with a message naming the problem.
//
//   ADS_ASSIGN_OR_RETURN(engine::Tensor t, ParseNpy(bytes));
//   // t.dtype() == DataType::kDouble, t.shape() == {3, 4}
//
// Thread-safety: pure functions.
#ifndef ADS_RUNTIME_NPY_H_
#define ADS_RUNTIME_NPY_H_

#include <string_view>

#include "base/status.h"
#include "engine/tensor.h"

namespace ads::runtime {

// Errors are kInvalidArgument and start with "numpy array: ".
Result<engine::Tensor> ParseNpy(std::string_view bytes);

}  // namespace ads::runtime

#endif  // ADS_RUNTIME_NPY_H_
