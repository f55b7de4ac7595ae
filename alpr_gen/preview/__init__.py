"""The preview backend: run a rendered config set without DeepStream, with DeepStream's semantics.

One module per pipeline stage, in pipeline order, each reading its settings from the ConfigSet:

- `sources`: file:// and rtsp:// through PyAV (FFmpeg), file-loop, RTSP reconnection;
- `streammux`: nvstreammux's batching (batch-size, batched-push-timeout) and scaling;
- `pgie`: the primary nvinfer (alpr_gen.nvinfer: preprocessing, onnxruntime, the parser library
  through nvinfer's ABI, clustering, interval);
- `tracker`: NvMultiObjectTracker (IOU directly; NvSORT/NvDCF/NvDeepSORT by ByteTrack);
- `analytics`: nvdsanalytics line crossing, ROI filtering, direction detection;
- `sgie`: the OCR secondary nvinfer with nvinfer's secondary-GIE rules and per-track cache;
- `msgconv` / `payload_schema`: nvmsgconv's payloads and their JSON schema; `publish`: brokers;
- `osd`: what nvdsosd draws, written to the type-3 file sink's MP4;
- `summary`: the counters behind the end summary; `backend`: the `PreviewBackend` tying it up.

Heavy dependencies (numpy, PyAV, onnxruntime, trackers) are imported by the stages, never here:
`alpr-gen --help`, `render` and `validate` do not load them.
"""
