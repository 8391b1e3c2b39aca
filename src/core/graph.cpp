#include "nmtx/core/graph.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "nmtx/core/blas.h"
#include "nmtx/core/params.h"

namespace nmtx {

Graph::Graph() = default;
Graph::~Graph() = default;

// ---- Expr ----------------------------------------------------------------------

Shape Expr::shape() const { return graph_->node(*this).value.shape(); }
Tensor Expr::value() const { return graph_->node(*this).value; }
bool Expr::needs_grad() const { return graph_->node(*this).needs_grad; }

float Expr::item() const {
  const Tensor v = value();
  if (v.size() != 1) {
    throw std::invalid_argument("Expr::item: the value has shape " + v.shape().str() +
                                "; item() needs exactly one element");
  }
  return v[0];
}

Tensor Expr::grad_for_write(bool& fresh) const {
  Graph::Node& n = graph_->node(*this);
  if (!n.needs_grad) {
    throw std::logic_error(std::string("Expr::grad: node ") + std::to_string(id_) + " (" +
                           op_name(n.op) + ") does not need a gradient");
  }
  fresh = n.grad.empty();
  if (fresh) n.grad = Tensor(graph_->arena_.allocate(n.value.size()), n.value.shape());
  return n.grad;
}

Tensor Expr::grad_over_value() const {
  Graph::Node& n = graph_->node(*this);
  if (!n.needs_grad || n.parameter || !n.grad.empty()) {
    throw std::logic_error(std::string("Expr::grad_over_value: node ") + std::to_string(id_) + " (" + op_name(n.op) +
                           ") " + (!n.needs_grad ? "does not need a gradient" : n.parameter ? "is a parameter" : "has a gradient already"));
  }
  n.grad = n.value;
  return n.grad;
}

Tensor Expr::grad() const {
  bool fresh = false;
  const Tensor g = grad_for_write(fresh);
  if (fresh) g.fill(0.0f);
  return g;
}

// ---- Graph ---------------------------------------------------------------------

const Graph::Node& Graph::node(const Expr& e) const {
  if (e.graph_ != this || e.id_ < 0 || static_cast<std::size_t>(e.id_) >= nodes_.size() ||
      e.generation_ != nodes_[e.id_].generation) {
    throw std::logic_error("Expr does not belong to this graph (or the graph was cleared or rewound past it)");
  }
  return nodes_[e.id_];
}

Graph::Node& Graph::node(const Expr& e) {
  return const_cast<Node&>(static_cast<const Graph*>(this)->node(e));
}

Expr Graph::add_node(Op op, bool needs_grad, const Tensor& value) {
  nodes_.push_back(Node{generation_, op, needs_grad && grad_enabled_, false, value, Tensor(), BackwardFn()});
  return Expr(this, static_cast<int>(nodes_.size() - 1), generation_);
}

bool Graph::any_needs_grad(const Expr* begin, const Expr* end) const {
  for (const Expr* e = begin; e != end; ++e) {
    if (node(*e).needs_grad) return true;
  }
  return false;
}

Expr Graph::constant(const Shape& shape, const float* values) {
  Tensor v(arena_.allocate(shape.size()), shape);
  v.copy_from(values);
  return add_node(Op::leaf, false, v);
}

Expr Graph::constant(const Shape& shape, std::initializer_list<float> values) {
  if (values.size() != shape.size()) {
    throw std::invalid_argument("Graph::constant: shape " + shape.str() + " holds " +
                                std::to_string(shape.size()) + " values, but " +
                                std::to_string(values.size()) + " were given");
  }
  return constant(shape, values.begin());
}

Expr Graph::variable(const TensorData& t) {
  Tensor v(arena_.allocate(t.shape.size()), t.shape);
  v.copy_from(t.values.data());
  Expr e = add_node(Op::leaf, true, v);
  if (e.needs_grad()) e.grad();  // allocated now so it is readable even if nothing flows in
  return e;
}

Expr Graph::param(const Parameter& p) {
  p.set_->freeze();
  Expr e = add_node(Op::leaf, p.set_->has_gradients(), p.value());
  nodes_.back().parameter = true;
  if (e.needs_grad()) {  // backward adds straight into the set (or the block given for it)
    nodes_.back().grad = p.set_ == redirected_set_ ? Tensor(redirected_grads_ + p.set_->offset(p), p.shape()) : p.grad();
  }
  return e;
}

void Graph::redirect_gradients(const ParameterSet& set, float* grads) {
  redirected_set_ = grads != nullptr ? &set : nullptr;
  redirected_grads_ = grads;
}

Expr Graph::record(Op op, std::initializer_list<Expr> inputs, const Shape& shape) {
  return add_node(op, any_needs_grad(inputs.begin(), inputs.end()), Tensor(arena_.allocate(shape.size()), shape));
}

Expr Graph::record(Op op, const std::vector<Expr>& inputs, const Shape& shape) {
  const Expr* first = inputs.data();
  return add_node(op, any_needs_grad(first, first + inputs.size()), Tensor(arena_.allocate(shape.size()), shape));
}

Expr Graph::record_view(Op op, std::initializer_list<Expr> inputs, const Shape& shape, float* data) {
  return add_node(op, any_needs_grad(inputs.begin(), inputs.end()), Tensor(data, shape));
}

void Graph::on_backward(const Expr& y, BackwardFn fn) {
  Node& n = node(y);
  if (n.needs_grad) n.backward = std::move(fn);
}

Tensor Graph::scratch(const Shape& shape) { return Tensor(arena_.allocate(shape.size()), shape); }

Tensor Graph::temporary(const Shape& shape, int slot) {
  std::vector<float>& buffer = temporaries_[slot];
  if (buffer.size() < shape.size()) buffer.resize(shape.size());
  return Tensor(buffer.data(), shape);
}

void Graph::backward(const Expr& loss) {
  if (loss.shape().size() != 1) {
    throw std::invalid_argument("Graph::backward: the loss has shape " + loss.shape().str() +
                                "; backward(loss) needs a single value (reduce it with sum or mean)");
  }
  float one = 1.0f;
  backward(loss, Tensor(&one, loss.shape()));
}

void Graph::backward(const Expr& y, const Tensor& seed) {
  const Node& start = node(y);
  if (seed.size() != start.value.size()) {
    throw std::invalid_argument("Graph::backward: seed " + seed.shape().str() + " does not match " +
                                "the output " + start.value.shape().str());
  }
  if (!start.needs_grad) {
    throw std::logic_error("Graph::backward: the output does not depend on anything that needs a "
                           "gradient (gradients disabled, or only constants)");
  }
  if (backward_done_) {
    throw std::logic_error("Graph::backward: already run on this graph; gradients would be added "
                           "twice. Build a new graph (or clear() this one) for the next pass");
  }
  backward_done_ = true;
  const Tensor g = y.grad();
  for (std::size_t i = 0; i < g.size(); ++i) g[i] += seed[i];
  for (int id = y.id(); id >= 0; --id) {
    const Node& n = nodes_[id];
    if (!n.grad.empty() && n.backward) n.backward();
  }
  flush_weight_gradients();
}

void Graph::add_weight_gradient(const Expr& W, std::size_t rows, const float* dy, const float* x) {
  const Shape s = W.shape();
  float* dW = W.grad().data();  // a parameter's: the set's block, already there
  auto it = std::find_if(weight_rows_.begin(), weight_rows_.end(), [dW](const WeightRows& w) { return w.dW == dW; });
  if (it == weight_rows_.end()) it = weight_rows_.insert(weight_rows_.end(), WeightRows{});
  if (it->rows == 0) {  // the first rows of this pass
    it->dW = dW;
    it->out = s[0];
    it->in = s[1];
    it->dy.clear();
    it->x.clear();
  }
  it->dy.insert(it->dy.end(), dy, dy + rows * s[0]);
  it->x.insert(it->x.end(), x, x + rows * s[1]);
  it->rows += rows;
}

// In the order the weights first met backward: the same additions in every run.
void Graph::flush_weight_gradients() {
  for (WeightRows& w : weight_rows_) {
    if (w.rows == 0) continue;
    gemm(true, false, w.out, w.in, w.rows, 1.0f, w.dy.data(), w.x.data(), 1.0f, w.dW);
    w.rows = 0;
    w.dy.clear();
    w.x.clear();
  }
}

void Graph::clear() {
  for (WeightRows& w : weight_rows_) w.rows = 0;  // a backward that threw midway leaves none behind
  nodes_.clear();
  arena_.clear();
  backward_done_ = false;
  ++generation_;
}

void Graph::rewind(const Mark& m, std::initializer_list<Expr*> keep) {
  rewind(m, std::vector<Expr*>(keep));
}

void Graph::rewind(const Mark& m, const std::vector<Expr*>& keep) {
  if (grad_enabled_) throw std::logic_error("Graph::rewind: only with gradients disabled (NoGradScope)");
  if (m.nodes > nodes_.size()) throw std::logic_error("Graph::rewind: the mark is past the tape's end");
  // Nodes recorded before the mark stay as they are. Of the others each node is kept once
  // however many Exprs name it: a parameter as the same parameter (its values are not in
  // the arena, and products treat parameters apart), any other node as a copy.
  struct Kept {
    int id;
    Tensor value;
    bool parameter;
    std::size_t at;  // its values' place in the staging buffer (not for parameters)
  };
  std::vector<Kept> kept;
  constexpr std::size_t kNotMoved = static_cast<std::size_t>(-1);
  std::vector<std::size_t> slot_of(keep.size(), kNotMoved);
  std::size_t floats = 0;
  for (std::size_t i = 0; i < keep.size(); ++i) {
    const Node& n = node(*keep[i]);  // throws for a stale or foreign Expr
    const int id = keep[i]->id();
    if (static_cast<std::size_t>(id) < m.nodes) continue;
    std::size_t k = 0;
    while (k < kept.size() && kept[k].id != id) ++k;
    if (k == kept.size()) {
      kept.push_back({id, n.value, n.parameter, floats});
      if (!n.parameter) floats += n.value.size();
    }
    slot_of[i] = k;
  }
  // The copies wait here while the arena is rewound; one buffer per thread, reused by the
  // graphs it decodes with (a graph per batch), so that its pages are touched once.
  thread_local std::vector<float> staging;
  if (staging.size() < floats) staging.resize(floats);
  for (const Kept& k : kept) {
    if (!k.parameter) std::copy(k.value.data(), k.value.data() + k.value.size(), staging.data() + k.at);
  }
  nodes_.resize(m.nodes);
  arena_.rewind(m.arena);
  ++generation_;
  std::vector<Expr> again;
  for (const Kept& k : kept) {
    if (k.parameter) {
      again.push_back(add_node(Op::leaf, false, k.value));
      nodes_.back().parameter = true;
    } else {
      again.push_back(constant(k.value.shape(), staging.data() + k.at));
    }
  }
  for (std::size_t i = 0; i < keep.size(); ++i) {
    if (slot_of[i] != kNotMoved) *keep[i] = again[slot_of[i]];
  }
}

}  // namespace nmtx
