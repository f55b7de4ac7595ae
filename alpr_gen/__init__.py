"""alpr-gen: from a trained YOLO11 model to a running DeepStream ALPR pipeline."""

__version__ = "0.1.0"
