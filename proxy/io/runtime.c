#include "runtime.h"

hf_runtime_t hf_rt;
