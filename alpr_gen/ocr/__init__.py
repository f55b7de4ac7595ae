"""OCR model preparation and settings for the plate-reading SGIE (issue 6).

`presets` is import-light (stdlib only) because the render plan imports it; `export` pulls in
onnx/numpy inside its functions.
"""
