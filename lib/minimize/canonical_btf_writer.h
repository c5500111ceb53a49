// Writes the observed part of a full BTF as canonical raw BTF: type order and string order
// depend only on the content kept, never on type ids of the input.
#pragma once
#include <cstdint>
#include <vector>

#include "btfpack/observed_facts.h"

struct btf;

namespace btfpack {

std::vector<uint8_t> write_canonical_btf(const struct btf* full, const ObservedFacts& facts);

}  // namespace btfpack
