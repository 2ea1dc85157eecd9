/* The data the vDSO reads: written by the guest kernel into its copy of the vDSO image when
 * it maps it into the program (the vDSO's __jvmos_vdso_data object). Shared by the vDSO (C,
 * built as a user-space shared object) and the kernel. */
#ifndef JVMOS_VDSO_DATA_H
#define JVMOS_VDSO_DATA_H

#include <stdint.h>

#define JVMOS_VDSO_MAGIC 0x4f5344564a564d4full /* "OMVJVDSO" */

struct jvmos_vdso_data {
    uint64_t magic;
    uint64_t boot_tsc;          /* TSC at the moment below */
    int64_t boot_realtime_ns;   /* CLOCK_REALTIME then */
    int64_t boot_monotonic_ns;  /* CLOCK_MONOTONIC then */
    uint64_t ns_mult;           /* ns = (tsc delta * ns_mult) >> 32 */
    uint64_t ready;             /* nonzero once the kernel filled the fields */
};

#endif
