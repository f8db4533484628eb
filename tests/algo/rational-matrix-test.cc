// rational and rmatrix / imatrix basics.
#include <gtest/gtest.h>

#include <cstdint>

#include "kernels/algo/matrix.h"
#include "kernels/algo/rational.h"
#include "kernels/common/error.h"

namespace sfc {
namespace {

TEST(Rational, NormalisesSignAndGcd) {
  const rational a(6, -4);
  EXPECT_EQ(a.num(), -3);
  EXPECT_EQ(a.den(), 2);
  EXPECT_EQ(rational(0, -7), rational(0));
  EXPECT_EQ(rational(0, -7).den(), 1);
  EXPECT_TRUE(rational(8, 4).is_integer());
  EXPECT_EQ(a.str(), "-3/2");
  EXPECT_EQ(rational(5).str(), "5");
}

TEST(Rational, Arithmetic) {
  EXPECT_EQ(rational(1, 6) + rational(1, 3), rational(1, 2));
  EXPECT_EQ(rational(1, 6) - rational(1, 3), rational(-1, 6));
  EXPECT_EQ(rational(2, 9) * rational(-9, 4), rational(-1, 2));
  EXPECT_EQ(rational(2, 9) / rational(4, 3), rational(1, 6));
  EXPECT_EQ(-rational(1, 90), rational(-1, 90));
  rational x(1, 4);
  x += rational(3, 4);
  x *= 5;
  x -= 1;
  EXPECT_EQ(x, rational(4));
  EXPECT_TRUE(rational(-1, 2) < rational(1, 3));
  EXPECT_FALSE(rational(1, 3) < rational(1, 3));
  EXPECT_EQ(abs(rational(-21, 4)), rational(21, 4));
  EXPECT_DOUBLE_EQ(rational(-21, 4).to_double(), -5.25);
}

TEST(Rational, GcdLcm) {
  EXPECT_EQ(gcd64(12, -18), 6);
  EXPECT_EQ(gcd64(0, 5), 5);
  EXPECT_EQ(lcm64(4, 6), 12);
  EXPECT_EQ(lcm64(45, 90), 90);
}

TEST(Rational, ErrorsThrow) {
  EXPECT_THROW(rational(1, 0), error);
  EXPECT_THROW(rational(1) / rational(0), error);
  const rational big(INT64_MAX / 2 + 1);
  EXPECT_THROW(big * rational(4), error);  // overflow is a construction bug, never silent
  EXPECT_THROW(big + big, error);
}

TEST(Matrix, ProductTransposeScale) {
  const rmatrix a = rmatrix::from_ints(2, 3, {1, 2, 3, 4, 5, 6});
  const rmatrix b = rmatrix::from_ints(3, 2, {1, 0, 0, 1, 1, 1});
  EXPECT_EQ(a * b, rmatrix::from_ints(2, 2, {4, 5, 10, 11}));
  EXPECT_EQ(a.transpose(), rmatrix::from_ints(3, 2, {1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(a * rmatrix::identity(3), a);
  EXPECT_EQ(a.scaled(rational(1, 2)).at(1, 1), rational(5, 2));
  EXPECT_THROW(a * a, error);
  EXPECT_THROW(rmatrix::from_ints(2, 2, {1, 2, 3}), error);
  const std::vector<double> d = a.scaled(rational(1, 4)).to_double();
  EXPECT_DOUBLE_EQ(d[5], 1.5);
}

TEST(Matrix, IntegerFormUsesSmallestCommonDenominator) {
  rmatrix m(2, 2);
  m.at(0, 0) = rational(1, 90);
  m.at(0, 1) = rational(2, 45);
  m.at(1, 0) = rational(-2, 9);
  m.at(1, 1) = 1;
  const imatrix i = to_imatrix(m);
  EXPECT_EQ(i.denom, 90);
  EXPECT_EQ(i.at(0, 0), 1);
  EXPECT_EQ(i.at(0, 1), 4);
  EXPECT_EQ(i.at(1, 0), -20);
  EXPECT_EQ(i.at(1, 1), 90);
  EXPECT_EQ(to_imatrix(rmatrix::identity(3)).denom, 1);
}

TEST(Matrix, KroneckerMatchesVecIdentity) {
  // vec(A X Bᵀ) = (A ⊗ B) vec(X) with row-major vec.
  const rmatrix a = rmatrix::from_ints(2, 2, {1, -1, 2, 0});
  const rmatrix b = rmatrix::from_ints(3, 2, {1, 2, 0, 1, -1, 1});
  const rmatrix x = rmatrix::from_ints(2, 2, {3, 1, 4, 1});
  const rmatrix lhs = a * x * b.transpose();
  rmatrix vx(4, 1);
  for (int t = 0; t < 4; ++t) vx.at(t, 0) = x.a[t];
  const rmatrix rhs = kron(a, b) * vx;
  ASSERT_EQ(rhs.rows, 6);
  for (int t = 0; t < 6; ++t) EXPECT_EQ(rhs.at(t, 0), lhs.a[t]);
}

TEST(Matrix, Inverse) {
  const rmatrix m = rmatrix::from_ints(3, 3, {0, 2, 1, 1, 1, 0, 3, 0, 1});
  EXPECT_EQ(m * inverse(m), rmatrix::identity(3));
  EXPECT_THROW(inverse(rmatrix::from_ints(2, 2, {1, 2, 2, 4})), error);
}

}  // namespace
}  // namespace sfc
