// ObservedFacts: which parts of a target (kernel) BTF a CO-RE relocation pass read. The
// resolver records them; the minimizer keeps exactly these and nothing else.
#pragma once
#include <cstdint>
#include <map>
#include <unordered_map>

namespace btfpack {

enum MemberFact : uint8_t {
    kMemberName = 1,     // member (or enumerator) is kept with its name
    kMemberType = 2,     // its type is read
    kMemberOffset = 4,   // its bit offset is read
    kMemberBitsize = 8,  // its bitfield size is read
    kEnumValue = 16,     // enumerator value is read
};

struct TypeFacts {
    bool name = false;         // type name compared
    bool size = false;         // t->size read (struct/union/enum/int/float/datasec)
    bool all_members = false;  // vlen read: every member/enumerator/param kept with names
    bool nelems = false;       // array element count read
    bool elem = false;         // array element type read
    bool pointee = false;      // pointer / typedef target read
    bool proto = false;        // func_proto return and param types read
    std::map<uint32_t, uint8_t> members;  // member / enumerator index -> MemberFact bits
};

struct ObservedFacts {
    std::unordered_map<uint32_t, TypeFacts> types;  // target type id -> facts (presence = kept)
    bool pointer_size = false;                      // btf__pointer_size() of the target read

    TypeFacts& keep(uint32_t id) { return types[id]; }
    // Adds everything other recorded (used for reads that only count when a match succeeds).
    void merge(const ObservedFacts& other) {
        for (const auto& [id, f] : other.types) {
            TypeFacts& t = types[id];
            t.name |= f.name;
            t.size |= f.size;
            t.all_members |= f.all_members;
            t.nelems |= f.nelems;
            t.elem |= f.elem;
            t.pointee |= f.pointee;
            t.proto |= f.proto;
            for (const auto& [idx, bits] : f.members) t.members[idx] |= bits;
        }
        pointer_size |= other.pointer_size;
    }
    void member(uint32_t id, uint32_t idx, uint8_t facts) { types[id].members[idx] |= facts; }
};

}  // namespace btfpack
