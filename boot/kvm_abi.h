// <linux/kvm.h> declares some structs with a trailing flexible array through
// __DECLARE_FLEX_ARRAY, which g++ sizes differently from C (an empty struct in a union is one
// byte in C++). The ioctl numbers encode sizeof, so in C++ these come out wrong and the kernel
// rejects them with EINVAL. These are the numbers with the C sizes (header: 8 bytes).
#pragma once

#include <linux/kvm.h>

namespace jvmos::boot::kvm_abi {

inline constexpr unsigned long GET_MSRS = _IOC(_IOC_READ | _IOC_WRITE, KVMIO, 0x88, 8);
inline constexpr unsigned long SET_MSRS = _IOC(_IOC_WRITE, KVMIO, 0x89, 8);
inline constexpr unsigned long GET_SUPPORTED_CPUID = _IOC(_IOC_READ | _IOC_WRITE, KVMIO, 0x05, 8);
inline constexpr unsigned long SET_CPUID2 = _IOC(_IOC_WRITE, KVMIO, 0x90, 8);
// struct kvm_irq_routing: nr, flags, then the entries.
inline constexpr unsigned long SET_GSI_ROUTING = _IOC(_IOC_WRITE, KVMIO, 0x6a, 8);

} // namespace jvmos::boot::kvm_abi
