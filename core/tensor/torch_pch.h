// Precompiled header for every translation unit that computes with LibTorch.
#pragma once
#include <torch/torch.h>
