"""The model layer: engines, model files and downloads. The only place that imports llama_cpp."""
