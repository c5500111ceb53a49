// ServiceError: an error with the HTTP status it should be answered with (4xx: the
// request's fault, 5xx: the server's); the message says what was wrong, for the client.
#pragma once
#include <string>

#include "btfpack/error.h"

namespace btfpack {

class ServiceError : public Error {
public:
    ServiceError(int status, const std::string& what) : Error(what), status_(status) {}
    int status() const { return status_; }

private:
    int status_;
};

}  // namespace btfpack
