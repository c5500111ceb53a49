// Object specs of build/verify: "obj.o" or "ARCH=obj.o", and which objects an arch gets.
#include <catch2/catch.hpp>

#include "btfpack/pack_builder.h"

using namespace btfpack;

TEST_CASE("object specs: ARCH=obj.o, plain paths, '=' only before any '/'", "[pack][objects]") {
    struct {
        const char *spec, *arch, *path;
    } cases[] = {
        {"x86_64=build/a.o", "x86_64", "build/a.o"},
        {"build/b.o", ObjectSpec::kAnyArch, "build/b.o"},
        {"dir/x=y/c.o", ObjectSpec::kAnyArch, "dir/x=y/c.o"},  // a directory with '=' in its name
        {"arm64=dir/x=y/d.o", "arm64", "dir/x=y/d.o"},
    };
    for (const auto& c : cases) {
        ObjectSpec o = parse_object_spec(c.spec);
        INFO(c.spec);
        CHECK(o.arch == c.arch);
        CHECK(o.path == c.path);
    }
}

TEST_CASE("objects for an arch: its own if any, else those for every arch", "[pack][objects]") {
    std::vector<ObjectSpec> objs = {parse_object_spec("x86_64=a.o"), parse_object_spec("all1.o"),
                                    parse_object_spec("x86_64=b.o"), parse_object_spec("all2.o")};
    CHECK(objects_for_arch(objs, "x86_64") == std::vector<size_t>{0, 2});
    CHECK(objects_for_arch(objs, "arm64") == std::vector<size_t>{1, 3});
    std::vector<ObjectSpec> only = {parse_object_spec("x86_64=a.o")};
    CHECK(objects_for_arch(only, "arm64").empty());
    CHECK(objects_for_arch({}, "x86_64").empty());
}
