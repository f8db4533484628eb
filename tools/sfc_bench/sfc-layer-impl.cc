#include "tools/sfc_bench/sfc-layer-impl.h"

#include "kernels/algo/algorithm.h"
#include "kernels/common/error.h"
#include "kernels/fastconv/fastconv.h"
#include "kernels/fastconv/q16-layer.h"
#include "kernels/fastconv/q8-layer.h"
#include "kernels/isa.h"

namespace sfc {

namespace {

class scalar_runner : public sfc_layer_runner {
 public:
  explicit scalar_runner(const sfc_layer_request& r) : p_(r.p) {
    alg_ = find_algorithm(r.algo);
    if (!alg_) throw_invalid("unknown implementation '" + r.algo + "'");
    fastconv_validate(*alg_, p_);
    w_ = fastconv_q8_transform_weights(*alg_, p_.oc, p_.ic, r.weights->data(), r.bits);
    std::vector<double> maxabs;
    fastconv_q8_calibrate(*alg_, p_, r.src, qtype::u8, 0, maxabs);
    s_ = fastconv_q8_act_scales_from_maxabs(maxabs, r.bits);
    q8_output_params o;
    o.src_scale = r.src_scale, o.weight_scale = r.wscale->data(), o.bias = r.bias->data();
    o.dst_type = qtype::u8, o.dst_scale = r.dst_scale, o.relu = true;
    out_ = fastconv_q8_prepare_output(*alg_, w_, s_, o);
    detail_ = alg_->label + " int8 b=" + std::to_string(r.bits) + " scalar reference";
  }
  void run(const uint8_t* src, uint8_t* dst) override {
    fastconv_q8_run(*alg_, p_, src, qtype::u8, 0, w_, s_, out_, dst);
  }
  std::string detail() const override { return detail_; }

 private:
  conv2d_params p_;
  const fastconv_algorithm* alg_ = nullptr;
  fastconv_q8_weights w_;
  fastconv_q8_act_scales s_;
  fastconv_q8_output out_;
  std::string detail_;
};

// The ISA-dispatched layer (q8-layer.h), calibrated exactly like scalar_runner, so both produce
// the same bytes. r.max_isa caps the kernels (SFC_MAX_ISA caps further).
class fast_runner : public sfc_layer_runner {
 public:
  explicit fast_runner(const sfc_layer_request& r) : threads_(r.threads) {
    const fastconv_algorithm* alg = find_algorithm(r.algo);
    if (!alg) throw_invalid("unknown implementation '" + r.algo + "'");
    fastconv_validate(*alg, r.p);
    isa_level cap = isa_level::avx512vnni;
    if (!r.max_isa.empty() && !isa_from_name(r.max_isa, &cap))
      throw_invalid("unknown ISA '" + r.max_isa + "'");
    std::vector<double> maxabs;
    fastconv_q8_calibrate(*alg, r.p, r.src, qtype::u8, 0, maxabs);
    const fastconv_q8_act_scales s = fastconv_q8_act_scales_from_maxabs(maxabs, r.bits);
    q8_output_params o;
    o.src_scale = r.src_scale, o.weight_scale = r.wscale->data(), o.bias = r.bias->data();
    o.dst_type = qtype::u8, o.dst_scale = r.dst_scale, o.relu = true;
    layer_ = std::make_unique<fastconv_q8_layer>(*alg, r.p, r.weights->data(), r.bits, s, o,
                                                 qtype::u8, 0, cap);
    detail_ = alg->label + " int8 b=" + std::to_string(r.bits) + " " + layer_->kernel_name();
  }
  void run(const uint8_t* src, uint8_t* dst) override { layer_->run(src, dst, threads_); }
  std::string detail() const override { return detail_; }

 private:
  int threads_ = 1;
  std::unique_ptr<fastconv_q8_layer> layer_;
  std::string detail_;
};

// The exact (lossless, int16 transform domain) layer of q16-layer.h: "exact:<algorithm>".
class exact_runner : public sfc_layer_runner {
 public:
  explicit exact_runner(const sfc_layer_request& r) : threads_(r.threads) {
    const fastconv_algorithm* alg = find_algorithm(r.algo);
    if (!alg) throw_invalid("unknown implementation 'exact:" + r.algo + "'");
    fastconv_validate(*alg, r.p);
    isa_level cap = isa_level::avx512vnni;
    if (!r.max_isa.empty() && !isa_from_name(r.max_isa, &cap)) throw_invalid("unknown ISA '" + r.max_isa + "'");
    q8_output_params o;
    o.src_scale = r.src_scale, o.weight_scale = r.wscale->data(), o.bias = r.bias->data();
    o.dst_type = qtype::u8, o.dst_scale = r.dst_scale, o.relu = true;
    layer_ = fastconv_q16_layer::create(*alg, r.p, r.weights->data(), o, qtype::u8, 0, cap);
    detail_ = alg->label + " exact int16 " + layer_->kernel_name();
  }
  void run(const uint8_t* src, uint8_t* dst) override { layer_->run(src, dst, threads_); }
  std::string detail() const override { return detail_; }

 private:
  int threads_ = 1;
  std::unique_ptr<fastconv_q16_layer> layer_;
  std::string detail_;
};

}  // namespace

std::unique_ptr<sfc_layer_runner> make_sfc_layer_runner(const sfc_layer_request& r) {
  if (r.algo.rfind("exact:", 0) == 0) {
    sfc_layer_request q = r;
    q.algo = q.algo.substr(6);
    return std::make_unique<exact_runner>(q);
  }
  if (r.algo.rfind("scalar:", 0) == 0) {
    sfc_layer_request q = r;
    q.algo = q.algo.substr(7);
    return std::make_unique<scalar_runner>(q);
  }
  return std::make_unique<fast_runner>(r);
}

}  // namespace sfc
