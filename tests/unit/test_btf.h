// BTFs under construction in the rule tests (libbpf's btf__add_* API), freed with the test.
#pragma once
#include <bpf/btf.h>

#include <memory>

namespace btfpack {

using BtfPtr = std::unique_ptr<struct btf, void (*)(struct btf*)>;
inline BtfPtr new_btf() { return BtfPtr(btf__new_empty(), btf__free); }

}  // namespace btfpack
