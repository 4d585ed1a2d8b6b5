#include "core/analysis/tsne_quadtree.h"

#include <algorithm>
#include <numeric>

namespace loupe::analysis {

namespace {

constexpr int32_t kGroupSize = 128;  // points a group holds at most (more when they coincide)
constexpr int32_t kLeafSize = 16;    // points a leaf holds at most (more when they coincide)
constexpr size_t kLanes = 16;       // partial sums per point, so that the sum vectorises
constexpr int kMaxDepth = 48;       // deeper cells hold coincident points: one leaf

void add(QuadTree::Interactions& list, double x, double y, double size) {
  list.x.push_back(x);
  list.y.push_back(y);
  list.size.push_back(size);
}

// Σ w·q and Σ w·q²·d over the list for the point at offset (u0, u1) from the group's centre,
// d = u − offset, q = 1 / (1 + |d|²), into sums[0], sums[1, 2]. Compiled for AVX2 as well, chosen
// at run time where the processor has it.
__attribute__((target_clones("avx2", "default"))) void sum_interactions(const QuadTree::Interactions& list, size_t length,
                                                                         float u0, float u1, double sums[3]) {
  const float* x = list.offset_x.data();
  const float* y = list.offset_y.data();
  const float* w = list.weight.data();
  float z[kLanes] = {}, f0[kLanes] = {}, f1[kLanes] = {};
  for (size_t m = 0; m < length; m += kLanes)
    for (size_t lane = 0; lane < kLanes; ++lane) {
      const float d0 = u0 - x[m + lane], d1 = u1 - y[m + lane];
      const float q = 1 / (1 + d0 * d0 + d1 * d1);
      const float wq = w[m + lane] * q;
      z[lane] += wq;
      f0[lane] += wq * q * d0;
      f1[lane] += wq * q * d1;
    }
  sums[0] = sums[1] = sums[2] = 0;
  for (size_t lane = 0; lane < kLanes; ++lane) {
    sums[0] += double(z[lane]);
    sums[1] += double(f0[lane]);
    sums[2] += double(f1[lane]);
  }
}

}  // namespace

void QuadTree::rebuild(const std::vector<double>& y) {
  y_ = &y;
  const auto n = int32_t(y.size() / 2);
  order_.resize(size_t(n));
  std::iota(order_.begin(), order_.end(), 0);
  cells_.clear();
  groups_.clear();
  double low[2] = {y[0], y[1]}, high[2] = {y[0], y[1]};
  for (int32_t i = 0; i < n; ++i)
    for (int a = 0; a < 2; ++a) {
      low[a] = std::min(low[a], y[size_t(2 * i + a)]);
      high[a] = std::max(high[a], y[size_t(2 * i + a)]);
    }
  const double width = std::max({high[0] - low[0], high[1] - low[1], 1e-12}) * (1 + 1e-9);
  cells_.reserve(size_t(2 * n));
  cells_.emplace_back();
  build(0, {0, n, low[0], low[1], width}, 0, false);
}

// Fills cells_[id] for the points order_[begin, end) in the square at (x0, y0) of side `width`:
// a leaf when it holds few points, otherwise its non-empty quadrants as consecutive cells, each
// built in turn, and its centre of mass from theirs.
void QuadTree::build(int32_t id, const Span& span, int depth, bool in_group) {
  const std::vector<double>& y = *y_;
  {
    Cell& cell = cells_[size_t(id)];
    cell.width2 = span.width * span.width;
    cell.begin = span.begin;
    cell.count = span.end - span.begin;
    const bool leaf = cell.count <= kLeafSize || depth >= kMaxDepth;
    if (!in_group && (cell.count <= kGroupSize || leaf)) {
      groups_.push_back(id);
      in_group = true;
    }
    if (leaf) {
      for (int32_t k = span.begin; k < span.end; ++k) {
        cell.centre[0] += y[size_t(2 * order_[size_t(k)])];
        cell.centre[1] += y[size_t(2 * order_[size_t(k)] + 1)];
      }
      cell.centre[0] /= double(cell.count);
      cell.centre[1] /= double(cell.count);
      return;
    }
  }
  const double half = span.width / 2, mid0 = span.x0 + half, mid1 = span.y0 + half;
  const auto first = order_.begin();
  const auto left = [&](int32_t i) { return y[size_t(2 * i)] < mid0; };
  const auto lower = [&](int32_t i) { return y[size_t(2 * i + 1)] < mid1; };
  const auto split = int32_t(std::partition(first + span.begin, first + span.end, left) - first);
  const auto split_left = int32_t(std::partition(first + span.begin, first + split, lower) - first);
  const auto split_right = int32_t(std::partition(first + split, first + span.end, lower) - first);
  const int32_t bounds[5] = {span.begin, split_left, split, split_right, span.end};
  const double corners[4][2] = {{span.x0, span.y0}, {span.x0, mid1}, {mid0, span.y0}, {mid0, mid1}};
  Span quadrants[4];
  int32_t children = 0;
  for (int q = 0; q < 4; ++q)
    if (bounds[q + 1] > bounds[q]) quadrants[children++] = {bounds[q], bounds[q + 1], corners[q][0], corners[q][1], half};
  const auto first_child = int32_t(cells_.size());
  cells_.resize(cells_.size() + size_t(children));
  cells_[size_t(id)].first_child = first_child;
  cells_[size_t(id)].children = children;
  double centre[2] = {0, 0};
  for (int32_t q = 0; q < children; ++q) {
    build(first_child + q, quadrants[q], depth + 1, in_group);
    const Cell& child = cells_[size_t(first_child + q)];
    centre[0] += child.centre[0] * double(child.count);
    centre[1] += child.centre[1] * double(child.count);
  }
  Cell& cell = cells_[size_t(id)];
  cell.centre[0] = centre[0] / double(cell.count);
  cell.centre[1] = centre[1] / double(cell.count);
}

// Appends a leaf's or a group's points to `list` one by one, or as one entry when they coincide (a
// leaf over kLeafSize: the tree stopped at kMaxDepth).
void QuadTree::add_points(const Cell& cell, Interactions& list) const {
  if (cell.first_child < 0 && cell.count > kLeafSize) {
    add(list, cell.centre[0], cell.centre[1], double(cell.count));
    return;
  }
  for (int32_t k = cell.begin; k < cell.begin + cell.count; ++k) {
    const int32_t j = order_[size_t(k)];
    add(list, (*y_)[size_t(2 * j)], (*y_)[size_t(2 * j + 1)], 1);
  }
}

// Appends to `list` every cell outside group_cell that the walk summarises for the box
// [low, high]. A cell that holds the group (an ancestor) is always opened.
void QuadTree::list_far_cells(int32_t group_cell, const double low[2], const double high[2], double theta,
                              Interactions& list) const {
  const Cell& group = cells_[size_t(group_cell)];
  const double theta2 = theta * theta;
  int32_t stack[kMaxDepth * 4 + 4];
  int top = 0;
  stack[top++] = 0;
  while (top > 0) {
    const int32_t id = stack[--top];
    if (id == group_cell) continue;
    const Cell& cell = cells_[size_t(id)];
    const bool ancestor = cell.begin <= group.begin && group.begin + group.count <= cell.begin + cell.count;
    if (!ancestor) {
      const double d0 = std::max({low[0] - cell.centre[0], 0.0, cell.centre[0] - high[0]});
      const double d1 = std::max({low[1] - cell.centre[1], 0.0, cell.centre[1] - high[1]});
      if (cell.width2 < theta2 * (d0 * d0 + d1 * d1)) {
        add(list, cell.centre[0], cell.centre[1], double(cell.count));
        continue;
      }
    }
    if (cell.first_child < 0) {  // a leaf too near to summarise
      add_points(cell, list);
      continue;
    }
    for (int32_t child = cell.first_child; child < cell.first_child + cell.children; ++child) stack[top++] = child;
  }
}

void QuadTree::group_repulsion(int64_t g, double theta, Interactions& list, double* repulsion, double* z_share) const {
  const std::vector<double>& y = *y_;
  const Cell& group = cells_[size_t(groups_[size_t(g)])];
  list.x.clear();
  list.y.clear();
  list.size.clear();
  add_points(group, list);
  double low[2] = {group.centre[0], group.centre[1]}, high[2] = {group.centre[0], group.centre[1]};
  for (int32_t k = group.begin; k < group.begin + group.count; ++k) {
    const int32_t j = order_[size_t(k)];
    for (int a = 0; a < 2; ++a) {
      low[a] = std::min(low[a], y[size_t(2 * j + a)]);
      high[a] = std::max(high[a], y[size_t(2 * j + a)]);
    }
  }
  list_far_cells(groups_[size_t(g)], low, high, theta, list);
  // Offsets from the group's centre in float: near entries, which need the precision, are small.
  const size_t length = (list.size.size() + kLanes - 1) / kLanes * kLanes;
  list.offset_x.assign(length, 0);
  list.offset_y.assign(length, 0);
  list.weight.assign(length, 0);  // the padding adds nothing
  for (size_t m = 0; m < list.size.size(); ++m) {
    list.offset_x[m] = float(list.x[m] - group.centre[0]);
    list.offset_y[m] = float(list.y[m] - group.centre[1]);
    list.weight[m] = float(list.size[m]);
  }
  for (int32_t k = group.begin; k < group.begin + group.count; ++k) {
    const int32_t i = order_[size_t(k)];
    double sums[3];
    sum_interactions(list, length, float(y[size_t(2 * i)] - group.centre[0]), float(y[size_t(2 * i + 1)] - group.centre[1]), sums);
    // The point itself is in the list (alone, or among coincident points): distance 0 adds 1 to z
    // and nothing to the force.
    z_share[i] = sums[0] - 1;
    repulsion[2 * i] = sums[1];
    repulsion[2 * i + 1] = sums[2];
  }
}

}  // namespace loupe::analysis
