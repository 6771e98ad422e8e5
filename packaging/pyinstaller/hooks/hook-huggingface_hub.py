"""huggingface_hub resolves most of its public names lazily (a module __getattr__ calling
importlib.import_module), which static analysis does not follow: collect its submodules,
but not the command line (typer, rich) the app never runs."""

from PyInstaller.utils.hooks import collect_submodules, copy_metadata

hiddenimports = collect_submodules(
    "huggingface_hub", filter=lambda name: not name.startswith(("huggingface_hub.cli", "huggingface_hub.commands"))
)
datas = copy_metadata("huggingface_hub")
