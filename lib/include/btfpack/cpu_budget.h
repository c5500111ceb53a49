// CpuBudget: a cooperative limit on the CPU time one thread may spend in the engine. The
// engine's loops (object parsing, relocation passes, observing, writing) call
// cpu_budget_check(), which throws CpuBudgetExceeded once the thread's CPU clock passes the
// deadline of the innermost ScopedCpuBudget. Without one installed the check costs a
// thread-local load. Used by `btfpack serve` to bound each minimization of an uploaded object.
#pragma once
#include <cstdint>

#include "btfpack/error.h"

namespace btfpack {

class CpuBudgetExceeded : public Error {
public:
    explicit CpuBudgetExceeded(double seconds);
    double seconds() const { return seconds_; }

private:
    double seconds_;
};

// Installs a budget of `seconds` of this thread's CPU time from now (<= 0: none) for its
// lifetime; nested budgets keep the tighter deadline and restore the outer one on exit.
class ScopedCpuBudget {
public:
    explicit ScopedCpuBudget(double seconds);
    ~ScopedCpuBudget();
    ScopedCpuBudget(const ScopedCpuBudget&) = delete;
    ScopedCpuBudget& operator=(const ScopedCpuBudget&) = delete;

private:
    int64_t saved_deadline_ns_;
    double saved_seconds_;
};

namespace detail {
extern thread_local int64_t cpu_deadline_ns;  // 0: no budget
extern thread_local uint32_t cpu_budget_ticks;
void cpu_budget_check_clock();
}  // namespace detail

// Throws CpuBudgetExceeded when the innermost budget of this thread is spent (the clock is
// read every 64th call: the loops that call it do microseconds of work per iteration).
inline void cpu_budget_check() {
    if (detail::cpu_deadline_ns != 0 && (++detail::cpu_budget_ticks & 63) == 0) detail::cpu_budget_check_clock();
}

}  // namespace btfpack
