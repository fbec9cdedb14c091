/*
 * entry.c: libFuzzer's entry for one harness, FUZZ_TARGET (fuzz.h),
 * given by the Makefile as -DFUZZ_TARGET=fuzz_NAME for bin/fuzz_NAME.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return FUZZ_TARGET(data, size);
}
