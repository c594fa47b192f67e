"""One intra-op thread per test process: these networks are tiny, and with ``-n 2`` on a shared
2-core machine, two threads per worker oversubscribe the cores and run several times slower."""

import torch

torch.set_num_threads(1)
