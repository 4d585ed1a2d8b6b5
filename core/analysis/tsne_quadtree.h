// The Barnes-Hut repulsion of a t-SNE map (van der Maaten 2014) over a quadtree, walked once per
// group of nearby points rather than once per point (interaction lists, as tree codes do):
//   tree      each cell holds its points' count and centre of mass; a leaf holds at most
//             kLeafSize points (more when they coincide); a group is a topmost cell of at most
//             kGroupSize points, or a leaf of coincident points
//   walk      from the root, a cell counts as one point of its size when width / distance < theta,
//             the distance taken from its centre of mass to the group's bounding box, so to the
//             nearest of the group's points (scikit-learn's criterion, met for every point of the
//             group at once); the points of a leaf too near to summarise, and the group's own, are
//             listed one by one (coincident points as one entry)
//   sum       every point of the group against the one list: Σ size·q²·(y_i − centre) and
//             Σ size·q, q = 1 / (1 + distance²), in float over offsets from the group's centre (the near
//             entries, which need the precision, are small), in fixed lanes the compiler vectorises
// A point's sums depend on the map alone, not on the thread that computes them.
#pragma once

#include <cstdint>
#include <vector>

namespace loupe::analysis {

class QuadTree {
 public:
  // The interaction list of one group, reused between groups (one per thread).
  struct Interactions {
    std::vector<double> x, y, size;               // the points and cells found
    std::vector<float> offset_x, offset_y, weight;  // from the group's centre, padded for the sum
  };

  // Builds the tree over y (flat [n · 2]), reusing the storage of the previous build (one tree
  // serves every iteration of a descent, so that no iteration allocates). y must outlive the tree's use.
  void rebuild(const std::vector<double>& y);

  int64_t groups() const { return int64_t(groups_.size()); }

  // For every point i of group g: Σ_j q_ij² (y_i − y_j) into repulsion[2i, 2i + 1] and
  // Σ_j q_ij (its share of the normaliser Z) into z_share[i], the far cells summarised at `theta`.
  void group_repulsion(int64_t g, double theta, Interactions& list, double* repulsion, double* z_share) const;

 private:
  // A cell's children are consecutive in cells_; its points are order_[begin, begin + count).
  struct Cell {
    double centre[2] = {0, 0};  // centre of mass
    double width2 = 0;          // side length squared
    int32_t begin = 0, count = 0;
    int32_t first_child = -1;   // -1: a leaf (one point, or coincident points)
    int32_t children = 0;
  };

  struct Span {
    int32_t begin = 0, end = 0;
    double x0 = 0, y0 = 0, width = 0;
  };

  void build(int32_t id, const Span& span, int depth, bool in_group);
  void add_points(const Cell& cell, Interactions& list) const;
  void list_far_cells(int32_t group_cell, const double low[2], const double high[2], double theta, Interactions& list) const;

  const std::vector<double>* y_ = nullptr;
  std::vector<int32_t> order_;   // the points in the tree's leaf order
  std::vector<Cell> cells_;
  std::vector<int32_t> groups_;  // cell ids
};

}  // namespace loupe::analysis
