"""nvinfer's host side, one implementation: what DeepStream's nvinfer does around the model.

- `settings`: an nvinfer config as nvinfer reads it (InferSettings, ClassAttrs, PreprocessSpec).
- `geometry`: the scaling geometry (letterbox) and its inverse, as gst-nvinfer computes them.
- `preprocess`: the tensor nvinfer gives the model for a frame (PGIE) or an object (SGIE).
- `cluster`: nvdsinfer's clustering (cluster-mode 2 NMS, 4 none) after the custom parser.
- `bridge`: the custom parser library called through nvinfer's C++ ABI (ctypes + C++ harness).
- `session`: an onnxruntime session built from InferSettings, outputs as the parser expects them.

Only `settings` and `geometry` load without numpy; import the others where needed.
"""
