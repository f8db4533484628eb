// NumPy .npz reader: a ZIP archive of .npy members, as written by np.savez. Only *stored*
// (uncompressed) members are supported; a deflated member (np.savez_compressed) is rejected with a
// clear error. ZIP64 records (numpy writes them with force_zip64) are understood, every offset and
// size is bounds-checked, and each member's CRC-32 is verified. Errors follow npy.h:
// sfc::error(invalid_argument) for content problems, sfc::error(io) for file access.
#pragma once
#include <cstddef>
#include <map>
#include <string>

#include "tools/common/npy.h"

namespace sfc {

// Keyed by member name without the ".npy" suffix ("resnet20_logits").
using npz_archive = std::map<std::string, npy_array>;

npz_archive npz_load(const std::string& path);
// name is used in error messages only.
npz_archive npz_parse(const void* bytes, size_t size, const std::string& name);

}  // namespace sfc
