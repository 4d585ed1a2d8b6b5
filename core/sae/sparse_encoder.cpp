#include "core/sae/sparse_encoder.h"

#include "core/sae/sae.h"

namespace loupe::sae {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct SelectedPreActivations : torch::autograd::Function<SelectedPreActivations> {
  static torch::Tensor forward(AutogradContext* context, const torch::Tensor& centred, const torch::Tensor& W_enc,
                               const torch::Tensor& b_enc, const torch::Tensor& pre, const torch::Tensor& indices) {
    context->save_for_backward({centred, W_enc, indices});
    context->saved_data["d_sae"] = b_enc.size(0);
    return pre.gather(1, indices);  // [B, m]
  }

  static variable_list backward(AutogradContext* context, variable_list grad_outputs) {
    const auto saved = context->get_saved_variables();
    const torch::Tensor &centred = saved[0], &W_enc = saved[1], &indices = saved[2];
    const int64_t d_sae = context->saved_data["d_sae"].toInt();
    const int64_t batch = indices.size(0), m = indices.size(1);
    const torch::Tensor grad = grad_outputs[0].contiguous();  // [B, m]
    const torch::Tensor flat_indices = indices.reshape({-1});  // [B·m]
    const torch::Tensor flat_grad = grad.reshape({-1});
    // d centred[b] = Σ_j grad[b, j] · W_enc[:, indices[b, j]]: a weighted gather of W_encᵀ rows.
    const torch::Tensor grad_centred = gather_rows_sum(W_enc.t().contiguous(), {grad, indices});  // [B, d_in]
    // d W_enc[:, i] = Σ_(b, j: indices[b, j] = i) grad[b, j] · centred[b]: a sparse [d_sae, B] product.
    const torch::Tensor rows = torch::arange(batch, indices.options()).repeat_interleave(m);
    const torch::Tensor selection = torch::sparse_coo_tensor(torch::stack({flat_indices, rows}), flat_grad, {d_sae, batch});
    const torch::Tensor grad_W_enc = torch::mm(selection, centred).t();  // [d_in, d_sae]
    const torch::Tensor grad_b_enc = torch::zeros({d_sae}, grad.options()).index_add_(0, flat_indices, flat_grad);
    return {grad_centred, grad_W_enc, grad_b_enc, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor selected_pre_activations(const torch::Tensor& centred, const torch::Tensor& W_enc, const torch::Tensor& b_enc,
                                       const torch::Tensor& pre, const torch::Tensor& indices) {
  return SelectedPreActivations::apply(centred, W_enc, b_enc, pre, indices);
}

}  // namespace loupe::sae
