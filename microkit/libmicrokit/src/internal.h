/*
 * internal.h: declarations shared by the libmicrokit sources, not part of
 * the PD-facing API.
 */
#ifndef MK_INTERNAL_H
#define MK_INTERNAL_H

#include <microkit.h>

/* Read a variable the Microkit tool patches into the ELF. The volatile access
 * makes sure the value comes from memory, never from what the compiler saw at
 * build time (zero). */
#define MK_PATCHED_READ(var) (*(volatile __typeof__(var) *)&(var))

/* Print this PD's name (microkit_name holds at most MICROKIT_PD_NAME_LENGTH
 * bytes and need not be NUL-terminated). */
void mk_put_name(void);

/* Print "<pd name>: <what> ", the start of every libmicrokit error message. */
void mk_error_start(const char *what);

#endif /* MK_INTERNAL_H */
