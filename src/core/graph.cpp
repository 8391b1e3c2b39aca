#include "nmtx/core/graph.h"

#include <stdexcept>
#include <string>

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

Tensor Expr::grad() const {
  bool fresh = false;
  const Tensor g = grad_for_write(fresh);
  if (fresh) g.fill(0.0f);
  return g;
}

// ---- Graph ---------------------------------------------------------------------

const Graph::Node& Graph::node(const Expr& e) const {
  if (e.graph_ != this || e.generation_ != generation_ || e.id_ < 0 ||
      static_cast<std::size_t>(e.id_) >= nodes_.size()) {
    throw std::logic_error("Expr does not belong to this graph (or the graph was cleared)");
  }
  return nodes_[e.id_];
}

Graph::Node& Graph::node(const Expr& e) {
  return const_cast<Node&>(static_cast<const Graph*>(this)->node(e));
}

Expr Graph::add_node(Op op, bool needs_grad, const Tensor& value) {
  nodes_.push_back(Node{op, needs_grad && grad_enabled_, false, value, Tensor(), BackwardFn()});
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
  Expr e = add_node(Op::leaf, true, p.value());
  nodes_.back().parameter = true;
  if (e.needs_grad()) nodes_.back().grad = p.grad();  // backward adds straight into the set
  return e;
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
}

void Graph::clear() {
  nodes_.clear();
  arena_.clear();
  backward_done_ = false;
  ++generation_;
}

}  // namespace nmtx
