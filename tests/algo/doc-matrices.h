// Matrices typed in from ../shared/docs/sfc-algorithm.md, verbatim: each is the doc's bracketed
// rows, with the doc's leading "(1/N) *" factor kept as `denom`. parse() turns one into an
// exact rmatrix (entries "a" or "a/b"), so a test compares the constructed matrices against the
// document text itself.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "kernels/algo/matrix.h"

namespace sfc {
namespace doc {

struct doc_matrix {
  int64_t denom;     // the printed matrix is (1/denom) · [rows]
  const char* text;  // rows "[ a b c ]", entries integers or "p/q"
};

// Parses the bracketed rows of m.text and scales by 1/m.denom. Aborts on malformed text (the
// text is a compile-time constant of this file, so that is a test bug).
inline rmatrix parse(const doc_matrix& m) {
  std::vector<std::vector<rational>> rows;
  const std::string s(m.text);
  size_t pos = 0;
  while ((pos = s.find('[', pos)) != std::string::npos) {
    const size_t end = s.find(']', pos);
    if (end == std::string::npos) std::abort();
    std::vector<rational> row;
    const char* p = s.c_str() + pos + 1;
    const char* stop = s.c_str() + end;
    while (p < stop) {
      char* next = nullptr;
      const long long num = std::strtoll(p, &next, 10);
      if (next == p) {  // whitespace or separator: skip one character
        ++p;
        continue;
      }
      long long den = 1;
      if (*next == '/') den = std::strtoll(next + 1, &next, 10);
      row.push_back(rational(num, den));
      p = next;
    }
    if (!rows.empty() && row.size() != rows[0].size()) std::abort();
    rows.push_back(row);
    pos = end + 1;
  }
  rmatrix r(static_cast<int>(rows.size()), rows.empty() ? 0 : static_cast<int>(rows[0].size()));
  for (int i = 0; i < r.rows; ++i)
    for (int j = 0; j < r.cols; ++j) r.at(i, j) = rows[i][j] / rational(m.denom);
  return r;
}

// §3.1 SFC-6(7,3) B^T (paper = canonical): "B^T ="
inline const doc_matrix kSfc6_7_3_BT = {1, R"(
  [ 0  1  1  1  1  1  1  0  0]
  [ 0  1  1  0 -1 -1  0  0  0]
  [ 0  0 -1 -1  0  1  1  0  0]
  [ 0  1  0 -1 -1  0  1  0  0]
  [ 0  1  0 -1  1  0 -1  0  0]
  [ 0  0 -1  1  0 -1  1  0  0]
  [ 0  1 -1  0  1 -1  0  0  0]
  [ 0  1 -1  1 -1  1 -1  0  0]
  [ 1  0  0  0  0  0 -1  0  0]
  [ 0 -1  0  0  0  0  0  1  0]
  [ 0 -1  0  0  0  0  0  1  0]
  [ 0  0 -1  0  0  0  0  0  1]
)"};

// §3.1 SFC-6(7,3) G, paper variant: "G (paper) ="
inline const doc_matrix kSfc6_7_3_G_paper = {1, R"(
  [ 1  1  1]
  [ 0  1  1]
  [-1 -1  0]
  [-1  0  1]
  [-1  0  1]
  [ 1 -1  0]
  [ 0 -1  1]
  [ 1 -1  1]
  [ 1  0  0]
  [ 0  0  1]
  [ 0  1  0]
  [ 0  0  1]
)"};

// §3.1 SFC-6(7,3) A (12x7, not transposed), paper variant: "A (paper variant, 12 x 7) = (1/6) *"
inline const doc_matrix kSfc6_7_3_A_paper = {6, R"(
  [ 1  1  1  1  1  1  1]
  [ 2  1 -1 -2 -1  1  2]
  [-1  1  2  1 -1 -2 -1]
  [-1 -2 -1  1  2  1 -1]
  [ 1 -2  1  1 -2  1  1]
  [ 1  1 -2  1  1 -2  1]
  [-2  1  1 -2  1  1 -2]
  [-1  1 -1  1 -1  1 -1]
  [ 6  0  0  0  0  0  0]
  [ 0  0  0  0  0  6  0]
  [ 0  0  0  0  0  0  6]
  [ 0  0  0  0  0  0  6]
)"};

// §3.1 SFC-6(7,3) G, canonical variant: "G (canonical) ="
inline const doc_matrix kSfc6_7_3_G = {1, R"(
  [ 1  1  1]
  [ 1  0 -1]
  [ 0  1  1]
  [ 1  1  0]
  [ 1 -1  0]
  [ 0  1 -1]
  [ 1  0 -1]
  [ 1 -1  1]
  [ 1  0  0]
  [ 0  0  1]
  [ 0  1  0]
  [ 0  0  1]
)"};

// §3.1 SFC-6(7,3) A^T, canonical variant: "A^T (canonical) = (1/6) *"
inline const doc_matrix kSfc6_7_3_AT = {6, R"(
  [ 1 -1 -1  2 -2  1  1 -1  6  0  0  0]
  [ 1  1 -2  1  1 -2  1  1  0  0  0  0]
  [ 1  2 -1 -1  1  1 -2 -1  0  0  0  0]
  [ 1  1  1 -2 -2  1  1  1  0  0  0  0]
  [ 1 -1  2 -1  1 -2  1 -1  0  0  0  0]
  [ 1 -2  1  1  1  1 -2  1  0  6  0  0]
  [ 1 -1 -1  2 -2  1  1 -1  0  0  6  6]
)"};

// §3.2 SFC-6(6,3) B^T: "B^T ="
inline const doc_matrix kSfc6_6_3_BT = {1, R"(
  [ 0  1  1  1  1  1  1  0]
  [ 0  1  1  0 -1 -1  0  0]
  [ 0  0 -1 -1  0  1  1  0]
  [ 0  1  0 -1 -1  0  1  0]
  [ 0  1  0 -1  1  0 -1  0]
  [ 0  0 -1  1  0 -1  1  0]
  [ 0  1 -1  0  1 -1  0  0]
  [ 0  1 -1  1 -1  1 -1  0]
  [ 1  0  0  0  0  0 -1  0]
  [ 0 -1  0  0  0  0  0  1]
)"};

// §3.2 SFC-6(6,3) G: "G ="
inline const doc_matrix kSfc6_6_3_G = {1, R"(
  [ 1  1  1]
  [ 1  0 -1]
  [ 0  1  1]
  [ 1  1  0]
  [ 1 -1  0]
  [ 0  1 -1]
  [ 1  0 -1]
  [ 1 -1  1]
  [ 1  0  0]
  [ 0  0  1]
)"};

// §3.2 SFC-6(6,3) A^T: "A^T = (1/6) *"
inline const doc_matrix kSfc6_6_3_AT = {6, R"(
  [ 1 -1 -1  2 -2  1  1 -1  6  0]
  [ 1  1 -2  1  1 -2  1  1  0  0]
  [ 1  2 -1 -1  1  1 -2 -1  0  0]
  [ 1  1  1 -2 -2  1  1  1  0  0]
  [ 1 -1  2 -1  1 -2  1 -1  0  0]
  [ 1 -2  1  1  1  1 -2  1  0  6]
)"};

// §3.3 SFC-4(4,3) B^T: "B^T ="
inline const doc_matrix kSfc4_4_3_BT = {1, R"(
  [ 0  1  1  1  1  0]
  [ 0  1  0 -1  0  0]
  [ 0  0 -1  0  1  0]
  [ 0  1 -1 -1  1  0]
  [ 0  1 -1  1 -1  0]
  [ 1  0  0  0 -1  0]
  [ 0 -1  0  0  0  1]
)"};

// §3.3 SFC-4(4,3) G: "G ="
inline const doc_matrix kSfc4_4_3_G = {1, R"(
  [ 1  1  1]
  [ 1  0 -1]
  [ 0  1  0]
  [ 1  1 -1]
  [ 1 -1  1]
  [ 1  0  0]
  [ 0  0  1]
)"};

// §3.3 SFC-4(4,3) A^T: "A^T = (1/4) *"
inline const doc_matrix kSfc4_4_3_AT = {4, R"(
  [ 1 -2 -2  2 -1  4  0]
  [ 1  2 -2  0  1  0  0]
  [ 1  2  2 -2 -1  0  0]
  [ 1 -2  2  0  1  0  4]
)"};

// §3.4 SFC-6(6,5) B^T: "B^T ="
inline const doc_matrix kSfc6_6_5_BT = {1, R"(
  [ 0  0  1  1  1  1  1  1  0  0]
  [ 0  0  1  1  0 -1 -1  0  0  0]
  [ 0  0  0 -1 -1  0  1  1  0  0]
  [ 0  0  1  0 -1 -1  0  1  0  0]
  [ 0  0  1  0 -1  1  0 -1  0  0]
  [ 0  0  0 -1  1  0 -1  1  0  0]
  [ 0  0  1 -1  0  1 -1  0  0  0]
  [ 0  0  1 -1  1 -1  1 -1  0  0]
  [ 1  0  0  0  0  0 -1  0  0  0]
  [ 0  1  0  0  0  0  0 -1  0  0]
  [ 0  1  0  0  0  0  0 -1  0  0]
  [ 0  0 -1  0  0  0  0  0  1  0]
  [ 0  0 -1  0  0  0  0  0  1  0]
  [ 0  0  0 -1  0  0  0  0  0  1]
)"};

// §3.4 SFC-6(6,5) G: "G ="
inline const doc_matrix kSfc6_6_5_G = {1, R"(
  [ 1  1  1  1  1]
  [ 1  0 -1 -1  0]
  [ 0  1  1  0 -1]
  [ 1  1  0 -1 -1]
  [ 1 -1  0  1 -1]
  [ 0  1 -1  0  1]
  [ 1  0 -1  1  0]
  [ 1 -1  1 -1  1]
  [ 1  0  0  0  0]
  [ 0  1  0  0  0]
  [ 1  0  0  0  0]
  [ 0  0  0  0  1]
  [ 0  0  0  1  0]
  [ 0  0  0  0  1]
)"};

// §3.4 SFC-6(6,5) A^T: "A^T = (1/6) *"
inline const doc_matrix kSfc6_6_5_AT = {6, R"(
  [ 1 -2  1  1  1  1 -2  1  6  6  0  0  0  0]
  [ 1 -1 -1  2 -2  1  1 -1  0  0  6  0  0  0]
  [ 1  1 -2  1  1 -2  1  1  0  0  0  0  0  0]
  [ 1  2 -1 -1  1  1 -2 -1  0  0  0  0  0  0]
  [ 1  1  1 -2 -2  1  1  1  0  0  0  6  0  0]
  [ 1 -1  2 -1  1 -2  1 -1  0  0  0  0  6  6]
)"};

// §4.2 SFC-6(7,3) component form Tc: "Tc (rows: bin0, b1.re, b1.s, b2.re, b2.s, bin3, corr0..3) ="
inline const doc_matrix kSfc6_7_3_Tc = {1, R"(
  [ 0  1  1  1  1  1  1  0  0]
  [ 0  1  1  0 -1 -1  0  0  0]
  [ 0  0 -1 -1  0  1  1  0  0]
  [ 0  1  0 -1  1  0 -1  0  0]
  [ 0  0 -1  1  0 -1  1  0  0]
  [ 0  1 -1  1 -1  1 -1  0  0]
  [ 1  0  0  0  0  0 -1  0  0]
  [ 0 -1  0  0  0  0  0  1  0]
  [ 0 -1  0  0  0  0  0  1  0]
  [ 0  0 -1  0  0  0  0  0  1]
)"};

// §4.2 SFC-6(7,3) component form Fc: "Fc ="
inline const doc_matrix kSfc6_7_3_Fc = {1, R"(
  [ 1  1  1]
  [ 1  0 -1]
  [ 0  1  1]
  [ 1 -1  0]
  [ 0  1 -1]
  [ 1 -1  1]
  [ 1  0  0]
  [ 0  0  1]
  [ 0  1  0]
  [ 0  0  1]
)"};

// §4.2 SFC-6(7,3) component form Oc: "Oc = (1/6) *"
inline const doc_matrix kSfc6_7_3_Oc = {6, R"(
  [ 1  1  2 -1  1 -1  6  0  0  0]
  [ 1  2  1  2  1  1  0  0  0  0]
  [ 1  1 -1 -1 -2 -1  0  0  0  0]
  [ 1 -1 -2 -1  1  1  0  0  0  0]
  [ 1 -2 -1  2  1 -1  0  0  0  0]
  [ 1 -1  1 -1 -2  1  0  6  0  0]
  [ 1  1  2 -1  1 -1  0  0  6  6]
)"};

// §8 F(2,3) B^T [Lavin & Gray]: "B^T ="
inline const doc_matrix kWinoF2_3_BT = {1, R"(
  [ 1  0 -1  0]
  [ 0  1  1  0]
  [ 0 -1  1  0]
  [ 0  1  0 -1]
)"};

// §8 F(2,3) G: "G ="
inline const doc_matrix kWinoF2_3_G = {1, R"(
  [   1    0    0]
  [ 1/2  1/2  1/2]
  [ 1/2 -1/2  1/2]
  [   0    0    1]
)"};

// §8 F(2,3) A^T: "A^T ="
inline const doc_matrix kWinoF2_3_AT = {1, R"(
  [ 1  1  1  0]
  [ 0  1 -1 -1]
)"};

// §8 F(4,3) B^T [Lavin & Gray]: "B^T ="
inline const doc_matrix kWinoF4_3_BT = {1, R"(
  [ 4  0 -5  0  1  0]
  [ 0 -4 -4  1  1  0]
  [ 0  4 -4 -1  1  0]
  [ 0 -2 -1  2  1  0]
  [ 0  2 -1 -2  1  0]
  [ 0  4  0 -5  0  1]
)"};

// §8 F(4,3) G: "G ="
inline const doc_matrix kWinoF4_3_G = {1, R"(
  [  1/4     0     0]
  [ -1/6  -1/6  -1/6]
  [ -1/6   1/6  -1/6]
  [ 1/24  1/12   1/6]
  [ 1/24 -1/12   1/6]
  [    0     0     1]
)"};

// §8 F(4,3) A^T: "A^T ="
inline const doc_matrix kWinoF4_3_AT = {1, R"(
  [ 1  1  1  1  1  0]
  [ 0  1 -1  2 -2  0]
  [ 0  1  1  4  4  0]
  [ 0  1 -1  8 -8  1]
)"};

// §8 F(6,3) B^T [wincnn / NNPACK]: "B^T ="
inline const doc_matrix kWinoF6_3_BT = {1, R"(
  [    1     0 -21/4     0  21/4     0    -1     0]
  [    0     1     1 -17/4 -17/4     1     1     0]
  [    0    -1     1  17/4 -17/4    -1     1     0]
  [    0   1/2   1/4  -5/2  -5/4     2     1     0]
  [    0  -1/2   1/4   5/2  -5/4    -2     1     0]
  [    0     2     4  -5/2    -5   1/2     1     0]
  [    0    -2     4   5/2    -5  -1/2     1     0]
  [    0    -1     0  21/4     0 -21/4     0     1]
)"};

// §8 F(6,3) G: "G ="
inline const doc_matrix kWinoF6_3_G = {1, R"(
  [     1      0      0]
  [  -2/9   -2/9   -2/9]
  [  -2/9    2/9   -2/9]
  [  1/90   1/45   2/45]
  [  1/90  -1/45   2/45]
  [ 32/45  16/45   8/45]
  [ 32/45 -16/45   8/45]
  [     0      0      1]
)"};

// §8 F(6,3) A^T: "A^T ="
inline const doc_matrix kWinoF6_3_AT = {1, R"(
  [    1     1     1     1     1     1     1     0]
  [    0     1    -1     2    -2   1/2  -1/2     0]
  [    0     1     1     4     4   1/4   1/4     0]
  [    0     1    -1     8    -8   1/8  -1/8     0]
  [    0     1     1    16    16  1/16  1/16     0]
  [    0     1    -1    32   -32  1/32 -1/32     1]
)"};

// A.1 SFC-6(4,7) B^T: "B^T ="
inline const doc_matrix kSfc6_4_7_BT = {1, R"(
  [ 0  0  1  1  1  1  1  1  0  0]
  [ 0  0  1  1  0 -1 -1  0  0  0]
  [ 0  0  0 -1 -1  0  1  1  0  0]
  [ 0  0  1  0 -1 -1  0  1  0  0]
  [ 0  0  1  0 -1  1  0 -1  0  0]
  [ 0  0  0 -1  1  0 -1  1  0  0]
  [ 0  0  1 -1  0  1 -1  0  0  0]
  [ 0  0  1 -1  1 -1  1 -1  0  0]
  [ 1  0  0  0  0  0 -1  0  0  0]
  [ 0  1  0  0  0  0  0 -1  0  0]
  [ 0  1  0  0  0  0  0 -1  0  0]
  [ 0  0 -1  0  0  0  0  0  1  0]
  [ 0  0 -1  0  0  0  0  0  1  0]
  [ 0  0  0 -1  0  0  0  0  0  1]
)"};

// A.1 SFC-6(4,7) G: "G ="
inline const doc_matrix kSfc6_4_7_G = {1, R"(
  [ 1  1  1  1  1  1  1]
  [ 1  0 -1 -1  0  1  1]
  [ 0  1  1  0 -1 -1  0]
  [ 1  1  0 -1 -1  0  1]
  [ 1 -1  0  1 -1  0  1]
  [ 0  1 -1  0  1 -1  0]
  [ 1  0 -1  1  0 -1  1]
  [ 1 -1  1 -1  1 -1  1]
  [ 1  0  0  0  0  0  0]
  [ 0  1  0  0  0  0  0]
  [ 1  0  0  0  0  0  0]
  [ 0  0  0  0  0  0  1]
  [ 0  0  0  0  0  1  0]
  [ 0  0  0  0  0  0  1]
)"};

// A.1 SFC-6(4,7) A^T: "A^T = (1/6) *"
inline const doc_matrix kSfc6_4_7_AT = {6, R"(
  [ 1 -2  1  1  1  1 -2  1  6  6  0  0  0  0]
  [ 1 -1 -1  2 -2  1  1 -1  0  0  6  0  0  0]
  [ 1  1 -2  1  1 -2  1  1  0  0  0  6  0  0]
  [ 1  2 -1 -1  1  1 -2 -1  0  0  0  0  6  6]
)"};

// A.2 SFC-6(6,7) B^T: "B^T ="
inline const doc_matrix kSfc6_6_7_BT = {1, R"(
  [ 0  0  0  1  1  1  1  1  1  0  0  0]
  [ 0  0  0  1  1  0 -1 -1  0  0  0  0]
  [ 0  0  0  0 -1 -1  0  1  1  0  0  0]
  [ 0  0  0  1  0 -1 -1  0  1  0  0  0]
  [ 0  0  0  1  0 -1  1  0 -1  0  0  0]
  [ 0  0  0  0 -1  1  0 -1  1  0  0  0]
  [ 0  0  0  1 -1  0  1 -1  0  0  0  0]
  [ 0  0  0  1 -1  1 -1  1 -1  0  0  0]
  [ 1  0  0  0  0  0 -1  0  0  0  0  0]
  [ 0  1  0  0  0  0  0 -1  0  0  0  0]
  [ 0  0  1  0  0  0  0  0 -1  0  0  0]
  [ 0  1  0  0  0  0  0 -1  0  0  0  0]
  [ 0  0  1  0  0  0  0  0 -1  0  0  0]
  [ 0  0  1  0  0  0  0  0 -1  0  0  0]
  [ 0  0  0 -1  0  0  0  0  0  1  0  0]
  [ 0  0  0 -1  0  0  0  0  0  1  0  0]
  [ 0  0  0  0 -1  0  0  0  0  0  1  0]
  [ 0  0  0 -1  0  0  0  0  0  1  0  0]
  [ 0  0  0  0 -1  0  0  0  0  0  1  0]
  [ 0  0  0  0  0 -1  0  0  0  0  0  1]
)"};

// A.2 SFC-6(6,7) G: "G ="
inline const doc_matrix kSfc6_6_7_G = {1, R"(
  [ 1  1  1  1  1  1  1]
  [ 1  0 -1 -1  0  1  1]
  [ 0  1  1  0 -1 -1  0]
  [ 1  1  0 -1 -1  0  1]
  [ 1 -1  0  1 -1  0  1]
  [ 0  1 -1  0  1 -1  0]
  [ 1  0 -1  1  0 -1  1]
  [ 1 -1  1 -1  1 -1  1]
  [ 1  0  0  0  0  0  0]
  [ 0  1  0  0  0  0  0]
  [ 0  0  1  0  0  0  0]
  [ 1  0  0  0  0  0  0]
  [ 0  1  0  0  0  0  0]
  [ 1  0  0  0  0  0  0]
  [ 0  0  0  0  0  0  1]
  [ 0  0  0  0  0  1  0]
  [ 0  0  0  0  0  0  1]
  [ 0  0  0  0  1  0  0]
  [ 0  0  0  0  0  1  0]
  [ 0  0  0  0  0  0  1]
)"};

// A.2 SFC-6(6,7) A^T: "A^T = (1/6) *"
inline const doc_matrix kSfc6_6_7_AT = {6, R"(
  [ 1 -1  2 -1  1 -2  1 -1  6  6  6  0  0  0  0  0  0  0  0  0]
  [ 1 -2  1  1  1  1 -2  1  0  0  0  6  6  0  0  0  0  0  0  0]
  [ 1 -1 -1  2 -2  1  1 -1  0  0  0  0  0  6  0  0  0  0  0  0]
  [ 1  1 -2  1  1 -2  1  1  0  0  0  0  0  0  6  0  0  0  0  0]
  [ 1  2 -1 -1  1  1 -2 -1  0  0  0  0  0  0  0  6  6  0  0  0]
  [ 1  1  1 -2 -2  1  1  1  0  0  0  0  0  0  0  0  0  6  6  6]
)"};

// App. B SFC-4(4,3) component form Tc: "Tc ="
inline const doc_matrix kSfc4_4_3_Tc = {1, R"(
  [ 0  1  1  1  1  0]
  [ 0  1  0 -1  0  0]
  [ 0  0 -1  0  1  0]
  [ 0  1 -1  1 -1  0]
  [ 1  0  0  0 -1  0]
  [ 0 -1  0  0  0  1]
)"};

// App. B SFC-4(4,3) component form Fc: "Fc ="
inline const doc_matrix kSfc4_4_3_Fc = {1, R"(
  [ 1  1  1]
  [ 1  0 -1]
  [ 0  1  0]
  [ 1 -1  1]
  [ 1  0  0]
  [ 0  0  1]
)"};

// App. B SFC-4(4,3) component form Oc: "Oc = (1/4) *"
inline const doc_matrix kSfc4_4_3_Oc = {4, R"(
  [ 1  0  2 -1  4  0]
  [ 1  2  0  1  0  0]
  [ 1  0 -2 -1  0  0]
  [ 1 -2  0  1  0  4]
)"};

// §4.2 CRT maps of a C×C block, written there as nested lists:
//   N=6: M = [[1,0,0,-1],[0,1,1,1],[1,1,0,1],[0,-1,1,0]]  M^-1 = (1/3)[[1,-1,2,1],[1,2,-1,-2],[1,2,-1,1],[-2,-1,2,1]]
//   N=4: M = [[1,0,0,-1],[0,1,1,0],[1,0,0,1],[0,-1,1,0]]  M^-1 = (1/2)[[1,0,1,0],[0,1,0,-1],[0,1,0,1],[-1,0,1,0]]
inline const doc_matrix kCrt6 = {1, "[1 0 0 -1] [0 1 1 1] [1 1 0 1] [0 -1 1 0]"};
inline const doc_matrix kCrt6Inv = {3, "[1 -1 2 1] [1 2 -1 -2] [1 2 -1 1] [-2 -1 2 1]"};
inline const doc_matrix kCrt4 = {1, "[1 0 0 -1] [0 1 1 0] [1 0 0 1] [0 -1 1 0]"};
inline const doc_matrix kCrt4Inv = {2, "[1 0 1 0] [0 1 0 -1] [0 1 0 1] [-1 0 1 0]"};

}  // namespace doc
}  // namespace sfc
