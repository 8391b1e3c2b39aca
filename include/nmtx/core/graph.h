// Graph: the tape of one forward pass. Ops append nodes (a value and a backward
// function) in execution order, which is a topological order, so backward() is one
// reverse sweep. Values and gradients live in the graph's arena until clear().
//
//   Graph g;
//   Expr h = tanh(matmul(g.param(W), x) + g.param(b));
//   Expr loss = sum(h);
//   g.backward(loss);          // adds d loss / d W into W's gradient
//
// Model code calls the free functions of nmtx/core/ops.h; only op implementations use
// record() and on_backward().
#pragma once

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <vector>

#include "nmtx/core/arena.h"
#include "nmtx/core/op_list.h"
#include "nmtx/core/tensor.h"

namespace nmtx {

class Graph;
class Parameter;
class ParameterSet;

// A handle to one node of a graph: the value an op produced and, during backward, the
// gradient of the loss with respect to it. Cheap to copy; valid until the graph is
// cleared or destroyed.
class Expr {
 public:
  Expr() = default;

  Graph& graph() const { return *graph_; }
  int id() const { return id_; }
  bool valid() const { return graph_ != nullptr; }

  // By value: a reference into the tape would dangle once the next op grows it.
  Shape shape() const;
  Tensor value() const;
  float item() const;  // the value of a one-element tensor

  // Whether the loss can depend on this value through something that needs a gradient.
  bool needs_grad() const;
  // d loss / d this, allocated and zeroed the first time it is asked for. Backward
  // functions ADD into it: a value used twice receives both contributions.
  Tensor grad() const;
  // The gradient for a backward function that writes EVERY element: when the gradient
  // does not exist yet it is allocated without zeroing and `fresh` is true, and the caller
  // must assign (=) instead of adding (+=). Saves a zero-fill pass over each gradient.
  Tensor grad_for_write(bool& fresh) const;
  // The gradient stored over this node's own value, for a backward function that writes
  // every element, reading each value only before it overwrites it, after which nothing
  // reads the value (cross_entropy_in_place: the logits). Saves a buffer of the value's
  // size. Throws std::logic_error if the gradient exists already or the node is a
  // parameter; the node must not be a view of another node's value.
  Tensor grad_over_value() const;

 private:
  friend class Graph;
  Expr(Graph* g, int id, unsigned generation) : graph_(g), id_(id), generation_(generation) {}
  Graph* graph_ = nullptr;
  int id_ = -1;
  unsigned generation_ = 0;  // its node's generation: stale handles are caught
};

using BackwardFn = std::function<void()>;

class Graph {
 public:
  Graph();
  ~Graph();
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  // ---- leaves -------------------------------------------------------------------
  // A value that is not differentiated (data, masks). The values are copied.
  Expr constant(const Shape& shape, const float* values);
  Expr constant(const Shape& shape, std::initializer_list<float> values);
  Expr constant(const TensorData& t) { return constant(t.shape, t.values.data()); }
  // A leaf whose gradient is kept and readable after backward (tests, gradient checks).
  Expr variable(const TensorData& t);
  // A parameter: aliases the ParameterSet's storage, so backward adds straight into the
  // parameter's gradient, and nothing is copied.
  Expr param(const Parameter& p);
  // From now on param() of `set`'s parameters adds their gradients into `grads` (numel
  // floats laid out as set.grads()) instead: graphs in several threads, each computing a
  // shard of one batch, each into its own block (train/train_step.h). Null: the set's own.
  void redirect_gradients(const ParameterSet& set, float* grads);

  // ---- recording (for op implementations) ----------------------------------------
  // Appends a node made by `op` from `inputs` with an uninitialised value of `shape`.
  Expr record(Op op, std::initializer_list<Expr> inputs, const Shape& shape);
  Expr record(Op op, const std::vector<Expr>& inputs, const Shape& shape);
  // Appends a node whose value aliases `data` (a reshape or slice of an input's value).
  Expr record_view(Op op, std::initializer_list<Expr> inputs, const Shape& shape, float* data);
  // Sets how `y`'s gradient flows to its inputs. Dropped when `y` needs no gradient
  // (grad mode off, or no input needs one), so the closure costs nothing then.
  void on_backward(const Expr& y, BackwardFn fn);
  // Memory that lives as long as the graph (saved state for a backward function).
  Tensor scratch(const Shape& shape);
  // Memory for work inside ONE forward or backward function: slot k's buffer is reused
  // (overwritten) by the next call with the same slot, so temporaries cost no arena
  // memory per step. Contents are uninitialised.
  Tensor temporary(const Shape& shape, int slot = 0);

  // ---- weight gradients gathered over time steps (for op implementations) ---------
  // dW += dyᵀ · x for a parameter W (out, in) from a product of few rows, y (rows, out) =
  // x (rows, in) · Wᵀ: a recurrent or decoder step, T of them per batch. Instead of T
  // sgemm calls whose inner dimension is one batch (where sgemm's per-call overhead
  // dominates), dy and x are copied aside and each parameter's rows become one sgemm over
  // all of them when backward ends (the same sum in another order of additions). Only for
  // parameters, whose gradient nothing reads before the end (defers_weight_gradient), and
  // products of fewer than kDeferRowsBelow rows; the caller multiplies the others at once.
  static constexpr std::size_t kDeferRowsBelow = 512;
  bool defers_weight_gradient(const Expr& W, std::size_t rows) const {
    return rows < kDeferRowsBelow && W.needs_grad() && is_parameter(W);
  }
  void add_weight_gradient(const Expr& W, std::size_t rows, const float* dy, const float* x);

  // ---- backward -----------------------------------------------------------------
  // Runs backward from a one-element loss, seeding d loss / d loss = 1.
  void backward(const Expr& loss);
  // Runs backward from `y` with d L / d y = seed (same size as y).
  void backward(const Expr& y, const Tensor& seed);

  // ---- mode and bookkeeping -----------------------------------------------------
  // With gradients disabled ops only compute values: no backward functions are kept
  // and no gradient memory is ever allocated (inference).
  bool grad_enabled() const { return grad_enabled_; }
  void set_grad_enabled(bool on) { grad_enabled_ = on; }

  void clear();  // forgets every node; keeps the arena's memory for the next pass

  // ---- inference in the memory of one step ----------------------------------------
  // A decoding loop records a step's nodes, reads what it needs, and goes on from a few
  // of them (the decoder state). rewind(m, keep) forgets every node recorded since mark()
  // returned m and reuses their arena memory, except that each Expr in `keep` is
  // recorded again right after m (and updated in place): a copy of its value, once
  // however many of the Exprs name its node; a parameter as the same parameter. So a
  // batch's decoding touches one step's memory instead of every step's, which stays in
  // cache and needs no new pages, and after encoding only what the decoder reads stays.
  // Only with gradients disabled (nothing to differentiate through the copies); Exprs to
  // forgotten nodes are caught as stale.
  struct Mark {
    std::size_t nodes = 0;
    Arena::Mark arena;
  };
  Mark mark() const { return {nodes_.size(), arena_.mark()}; }
  void rewind(const Mark& m, std::initializer_list<Expr*> keep = {});
  void rewind(const Mark& m, const std::vector<Expr*>& keep);
  std::size_t size() const { return nodes_.size(); }
  Op op_of(int id) const { return nodes_.at(id).op; }
  std::size_t arena_bytes() const { return arena_.bytes_in_use(); }
  // Whether `e` is a leaf made by param(): it aliases a ParameterSet's values.
  bool is_parameter(const Expr& e) const { return node(e).parameter; }

 private:
  friend class Expr;
  struct Node {
    unsigned generation;  // the graph's generation when recorded: Exprs must carry the same
    Op op;
    bool needs_grad;
    bool parameter;  // aliases a ParameterSet's values
    Tensor value;
    Tensor grad;  // empty until a gradient reaches the node
    BackwardFn backward;
  };
  Expr add_node(Op op, bool needs_grad, const Tensor& value);
  bool any_needs_grad(const Expr* begin, const Expr* end) const;
  const Node& node(const Expr& e) const;
  Node& node(const Expr& e);

  // add_weight_gradient's rows of one weight, kept (with their capacity) across passes.
  struct WeightRows {
    float* dW = nullptr;  // the weight's gradient, (out, in)
    std::size_t out = 0, in = 0, rows = 0;
    std::vector<float> dy, x;  // (rows, out) and (rows, in)
  };
  void flush_weight_gradients();

  std::vector<Node> nodes_;
  std::vector<WeightRows> weight_rows_;
  const ParameterSet* redirected_set_ = nullptr;
  float* redirected_grads_ = nullptr;
  Arena arena_;
  std::vector<float> temporaries_[4];
  bool grad_enabled_ = true;
  bool backward_done_ = false;
  unsigned generation_ = 0;  // counts clear() and rewind() calls
};

// Disables gradient recording on a graph for the lifetime of the guard.
class NoGradScope {
 public:
  explicit NoGradScope(Graph& g) : graph_(g), previous_(g.grad_enabled()) { g.set_grad_enabled(false); }
  ~NoGradScope() { graph_.set_grad_enabled(previous_); }
  NoGradScope(const NoGradScope&) = delete;
  NoGradScope& operator=(const NoGradScope&) = delete;

 private:
  Graph& graph_;
  bool previous_;
};

}  // namespace nmtx
