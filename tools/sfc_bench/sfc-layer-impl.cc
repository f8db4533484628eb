#include "tools/sfc_bench/sfc-layer-impl.h"

#include "kernels/algo/algorithm.h"
#include "kernels/common/error.h"
#include "kernels/fastconv/fastconv.h"

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

}  // namespace

std::unique_ptr<sfc_layer_runner> make_sfc_layer_runner(const sfc_layer_request& r) {
  sfc_layer_request q = r;
  if (q.algo.rfind("scalar:", 0) == 0) q.algo = q.algo.substr(7);
  // TODO(issue 3): the ISA-dispatched fast layer replaces this for names without "scalar:".
  return std::make_unique<scalar_runner>(q);
}

}  // namespace sfc
