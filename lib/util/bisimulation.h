// Exact bisimulation ranks of a graph whose nodes have an initial rank (their own content) and
// an ordered list of successors (the types they reference). No hashing: the result depends only
// on the graph, so it can order output (docs/MINIMIZATION.md, "Canonical order").
#pragma once
#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include "btfpack/cpu_budget.h"

namespace btfpack {

// rank: dense ranks 0..k-1 of the nodes' own content (equal content <=> equal rank).
// succ[i]: node i's successors (node indexes), in order.
// Returns the final dense ranks: round r+1 ranks each node by the sequence
// (rank_r(i), rank_r(succ[i][0]), rank_r(succ[i][1]), ...) compared lexicographically (a proper
// prefix first), with dense ranks (equal sequences share one rank, no gaps); the rounds stop when
// the number of distinct ranks stops growing, at the latest after as many rounds as nodes. Equal
// final ranks <=> bisimilar nodes (equal content and pairwise bisimilar successors, cycles
// allowed: nodes that no finite unrolling tells apart).
inline std::vector<uint32_t> bisimulation_ranks(std::vector<uint32_t> rank,
                                                const std::vector<std::vector<uint32_t>>& succ) {
    const size_t n = rank.size();
    std::vector<uint32_t> order(n), next(n);
    std::iota(order.begin(), order.end(), 0u);
    auto classes = [](const std::vector<uint32_t>& r) {
        return r.empty() ? size_t(0) : size_t(*std::max_element(r.begin(), r.end())) + 1;
    };
    size_t count = classes(rank);
    for (size_t round = 0; round < n; round++) {
        cpu_budget_check();
        auto less = [&](uint32_t a, uint32_t b) {
            if (rank[a] != rank[b]) return rank[a] < rank[b];
            const auto &x = succ[a], &y = succ[b];
            for (size_t k = 0; k < x.size() && k < y.size(); k++)
                if (rank[x[k]] != rank[y[k]]) return rank[x[k]] < rank[y[k]];
            return x.size() < y.size();
        };
        std::sort(order.begin(), order.end(), less);
        uint32_t r = 0;
        for (size_t i = 0; i < n; i++) {
            if (i && less(order[i - 1], order[i])) r++;
            next[order[i]] = r;
        }
        size_t c = n ? size_t(r) + 1 : 0;
        rank.swap(next);
        if (c == count) break;
        count = c;
    }
    return rank;
}

// Dense ranks of items under a strict weak order: equal items share a rank, no gaps.
template <class Less>
std::vector<uint32_t> dense_ranks(size_t n, Less less) {
    std::vector<uint32_t> order(n), rank(n);
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), less);
    uint32_t r = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && less(order[i - 1], order[i])) r++;
        rank[order[i]] = r;
    }
    return rank;
}

}  // namespace btfpack
