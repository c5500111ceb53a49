// Checks libbpf 1.1 leaves out when it opens a BTF (1.3+ makes them): every name offset of
// every type, member, enum value and parameter names a string of the BTF, and every type id
// a type refers to exists. The engine reads names and references without further checks, so
// a BTF from an untrusted object must pass this first.
#pragma once
#include <string>

struct btf;

namespace btfpack {

// "" when the BTF is sound, else what is wrong ("type [12]: member 3 name offset 99999 out of range").
std::string btf_soundness_problem(const struct btf* b);

}  // namespace btfpack
