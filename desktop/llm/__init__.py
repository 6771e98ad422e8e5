"""The model layer: engines, model files and downloads. The only place that imports llama_cpp."""

import os

# llama.cpp's CPU threads come from OpenMP, whose idle threads spin by default. When any
# other work wants a core (the GUI thread, another program), a spinning thread that lost
# its core stalls the rest: on 2 busy cores decode fell from ~8 to ~1 token/s. Sleeping
# idle threads cost nothing measurable here. Read once, when llama_cpp loads libgomp, so
# it is set before any submodule imports llama_cpp; a user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
