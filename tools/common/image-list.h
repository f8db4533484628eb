// Helpers shared by the command-line tools: expanding files/folders into image lists, reading
// label files, JSON string escaping.
#pragma once
#include <string>
#include <vector>

namespace sfc {

// Files are kept as given (any extension: the decoder checks the content); folders are walked
// recursively for *.jpg, *.jpeg, *.png, *.bmp, *.ppm, *.pgm (case-insensitive), sorted.
// Throws sfc::error(io) for a path that does not exist, invalid_argument if nothing is found.
std::vector<std::string> list_images(const std::vector<std::string>& paths);

// One label per line. Lines like "n01440764 tench, Tinca tinca" (synset id first) keep the
// text after the id; empty lines are kept as empty labels so line numbers stay class indices.
std::vector<std::string> read_labels(const std::string& path);

std::string json_escape(const std::string& s);

}  // namespace sfc
