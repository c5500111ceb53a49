// btfpack::Error: the one exception type the library throws; what() names the file and the problem.
#pragma once
#include <stdexcept>
#include <string>

namespace btfpack {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& what) : std::runtime_error(what) {}
    // "<file>: <problem>"
    Error(const std::string& file, const std::string& problem)
        : std::runtime_error(file.empty() ? problem : file + ": " + problem) {}
};

}  // namespace btfpack
