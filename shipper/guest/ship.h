// The guest half of the shipper: a shipped call is written into a slot of the ship ring (abi.h,
// "The ship ring"), the doorbell is rung unless the relay is already polling, and the calling
// thread waits for the relay's completion — spinning briefly, then halting until the
// completion interrupt. Kernel-only.
//
// Threads: today one thread calls at a time; with the SMP scheduler each waiting thread parks
// and the vCPU runs another (the slot, not the vCPU, is what a call occupies).
#pragma once

#include "base/result.h"
#include "base/types.h"
#include "jvmos/abi/abi.h"

namespace jvmos::shipper {

// One call being prepared: obtained from begin(), filled, then submitted with call().
class Call {
public:
    jvmos_ship_slot& slot() { return *m_slot; }
    u8* data() { return m_data; }
    static constexpr usize DATA_CAPACITY = JVMOS_SHIP_SLOT_DATA;

    // Copies a NUL-terminated path to the start of the data buffer (ENAMETOOLONG if it does
    // not fit in maxPath); returns the offset after its NUL.
    Result<u32> put_path(const char* path, usize len, u32 offset = 0);

private:
    friend Call begin(u32 op, u32 handle);
    friend Result<i64> call(Call& c);
    jvmos_ship_slot* m_slot = nullptr;
    u8* m_data = nullptr;
};

// Sets up the ring (kernel boot, once): allocates the ring and the slot buffers, and asks the
// monitor to connect it. Panics with the monitor's reason if it cannot.
void init();

// The guest's starting directory (from the session), valid after init().
const char* initial_cwd();

// Starts a call of `op` on `handle`: a free slot, cleared, with op and handle set.
Call begin(u32 op, u32 handle);

// Submits the call and waits for it. Returns the slot's result, or the slot's errno as an
// error; the slot stays readable (out_len, data, new handles) until the next begin().
// read, write, flock, lock (F_SETLKW) and poll calls are interruptible: a signal for the waiting
// thread asks the proxy to end the call's wait; if it ends with nothing transferred the error
// is ERESTARTSYS (the signal-delivery path makes it EINTR or a restart), else the partial
// result comes back.
Result<i64> call(Call& c);

// Drops a handle id (no reply needed by the caller; errors are ignored as close(2) would).
void release(u32 handle);

// Shipped calls completed so far (the relay's count).
u64 calls_completed();

// Calls this guest has issued so far: equal values mean no call reached the proxy in between.
u64 calls_issued();

// The completion interrupt arrived (called from the trap path).
void on_completion_interrupt();

} // namespace jvmos::shipper
