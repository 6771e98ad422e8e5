"""The PySide6 desktop shell over desktop.core and desktop.llm. The only package that imports Qt."""
