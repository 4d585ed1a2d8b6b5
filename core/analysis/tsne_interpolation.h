// The t-SNE repulsion by FFT-accelerated interpolation (Linderman et al. 2019, "FIt-SNE"): in
// O(n) per iteration instead of Barnes-Hut's O(n log n), for the 2-D maps of `loupe embed`.
//   grid      the map's bounding square cut into max(50, width) boxes per side (boxes at most one
//             unit wide), each with 3 × 3 equispaced interpolation nodes
//   spread    each point's charges (1, y_x, y_y, |y|²) to the 9 nodes of its box by Lagrange weights
//   convolve  the charges at every node with the kernel 1 / (1 + r²)² between nodes, by FFT
//             (the grid's distances form a Toeplitz matrix)
//   gather    the potentials back to each point by the same Lagrange weights
// From the four potentials φ: Σ_j q_ij² (y_i − y_j) = y_i φ₁ − (φ₂, φ₃), and the normaliser
// Z = Σ_{i≠j} q_ij = Σ_i [(1 + |y_i|²) φ₁ − 2 y_i·(φ₂, φ₃) + φ₄] − n, since
// q_ij = q_ij² (1 + |y_i − y_j|²).
#pragma once

#include <vector>

namespace loupe::analysis {

// y: the map, flat [n · 2]. Fills repulsion (flat [n · 2]) with Σ_j q_ij² (y_i − y_j) and returns Z.
double interpolated_repulsion(const std::vector<double>& y, std::vector<double>& repulsion);

}  // namespace loupe::analysis
