// The guest kernel's one error idiom: `[[nodiscard]] Result<T>` holds either a T or an Errno;
// `TRY(expr)` propagates the error. Only shim/dispatch turns an Errno into `-errno` for user
// space. Asserts (base/assert.h) are for our own bugs, never for application input.
#pragma once

#include "base/errno.h"
#include "base/types.h"

#include <new>
#include <utility>

namespace jvmos {

// Result<T>: a value or an Errno. T must be default-constructible or trivially destructible;
// kept deliberately small (no exceptions, no RTTI in the kernel).
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_errno(Errno::none) { new (&m_storage) T(std::move(value)); }
    Result(Errno e) : m_errno(e) {}
    Result(const Result& o) : m_errno(o.m_errno) {
        if (is_ok()) new (&m_storage) T(o.value());
    }
    Result(Result&& o) : m_errno(o.m_errno) {
        if (is_ok()) new (&m_storage) T(std::move(o.value()));
    }
    Result& operator=(const Result&) = delete;
    ~Result() {
        if (is_ok()) value().~T();
    }

    bool is_ok() const { return m_errno == Errno::none; }
    bool is_error() const { return !is_ok(); }
    Errno error() const { return m_errno; }
    T& value() { return *reinterpret_cast<T*>(&m_storage); }
    const T& value() const { return *reinterpret_cast<const T*>(&m_storage); }
    T release_value() { return std::move(value()); }

private:
    Errno m_errno;
    alignas(T) unsigned char m_storage[sizeof(T)];
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() : m_errno(Errno::none) {}
    Result(Errno e) : m_errno(e) {}
    bool is_ok() const { return m_errno == Errno::none; }
    bool is_error() const { return !is_ok(); }
    Errno error() const { return m_errno; }
    void release_value() {}

private:
    Errno m_errno;
};

using VoidResult = Result<void>;

} // namespace jvmos

// Evaluates `expr` (a Result); on error returns the Errno from the enclosing function, otherwise
// yields the value. GNU statement expression: fine for g++ (guest and host builds).
#define TRY(expr)                                                                                  \
    ({                                                                                             \
        auto _jvmos_try_result = (expr);                                                           \
        if (_jvmos_try_result.is_error()) return _jvmos_try_result.error();                        \
        _jvmos_try_result.release_value();                                                         \
    })
