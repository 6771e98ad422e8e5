"""llama-cpp-python: its ctypes bindings load libllama/libggml*.so from llama_cpp/lib at import.

PyInstaller cannot see ctypes loads; collect the shared libraries where llama_cpp looks for
them (os.path.dirname(llama_cpp.__file__)/lib). The server subpackage (FastAPI, uvicorn) is
not used by the app.
"""

from PyInstaller.utils.hooks import collect_dynamic_libs, collect_submodules, copy_metadata

binaries = collect_dynamic_libs("llama_cpp", destdir="llama_cpp/lib")
hiddenimports = collect_submodules("llama_cpp", filter=lambda name: not name.startswith("llama_cpp.server"))
excludedimports = ["llama_cpp.server"]
datas = copy_metadata("llama_cpp_python")
