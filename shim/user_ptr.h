// Typed access to program memory from syscall handlers. A UserPtr is an address in the
// program's half; the only ways to its bytes are read()/write(), which go through the address
// space's checked copies: a bad pointer is EFAULT, never a kernel fault.
#pragma once

#include "base/result.h"
#include "kernel/process.h"

namespace jvmos::shim {

template <typename T> class UserPtr {
public:
    explicit UserPtr(u64 addr) : m_addr(addr) {}
    u64 addr() const { return m_addr; }
    bool is_null() const { return m_addr == 0; }

    Result<T> read() const {
        T value;
        TRY(kernel::current_address_space().copy_from_user(&value, m_addr, sizeof(T)));
        return value;
    }
    Result<void> write(const T& value) const {
        return kernel::current_address_space().copy_to_user(m_addr, &value, sizeof(T));
    }
    // Element i of an array starting here.
    UserPtr at(usize i) const { return UserPtr(m_addr + i * sizeof(T)); }

private:
    u64 m_addr;
};

inline Result<void> copy_from_user(void* dst, u64 src, usize len) {
    return kernel::current_address_space().copy_from_user(dst, src, len);
}
inline Result<void> copy_to_user(u64 dst, const void* src, usize len) {
    return kernel::current_address_space().copy_to_user(dst, src, len);
}

} // namespace jvmos::shim
