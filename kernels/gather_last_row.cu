// gather_last_row.cu - the last of the first `length` rows of a matrix, with `length` read on the device.
//
//   y[0, c] = x[length - 1, c]      for c < cols; x and y share one storage type (fp32 or bf16, dtype code)
//
// A prefill recorded for a padded prompt (a shape class) picks its last real row with it, so the length can change
// between replays of one captured graph. A length outside [1, rows] writes a NaN row: the launcher's host validation
// cannot see a length written on the device, and a NaN row makes such a one visible.
// Launch: grid = ceil(cols / block), block = 256.
#include "common.cuh"

extern "C" __global__ void palicuda_gather_last_row(void* y, const void* x, const int* length, int rows, int cols, int dtype) {
    using namespace palicuda;
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols) return;
    const int n = *length;
    if (n < 1 || n > rows) {
        store_any(y, dtype, c, quiet_nan());
        return;
    }
    // fp32 -> fp32 and bf16 -> fp32 -> bf16 both reproduce the stored value exactly.
    store_any(y, dtype, c, load_any(x, dtype, (long long)(n - 1) * cols + c));
}
