"""The model layer: engines, model files and downloads. The only place that imports llama_cpp."""

import os

# llama.cpp's CPU threads come from OpenMP (libgomp), whose idle threads spin for a long
# while. When anything else wants a core (the GUI thread, another program), a spinning
# thread that lost its core stalls the others. Measured here, 1.5B Q4_K_M, 2 threads:
#   quiet machine:   default 15.2 tok/s, spin 1000: 14.3, passive: 10.9
#   one core busy:   default  4.9 tok/s, spin 1000:  7.6, passive:  8.1
# A short spin keeps most of the quiet speed and most of the busy one. libgomp reads these
# once, when llama_cpp loads it, so they are set before any submodule imports llama_cpp; a
# user's own OMP_WAIT_POLICY or GOMP_SPINCOUNT wins.
if "OMP_WAIT_POLICY" not in os.environ:
    os.environ.setdefault("GOMP_SPINCOUNT", "1000")
