"""How many 1280x720 30 FPS streams one GPU sustains with the preview backend, against the seed's
pilot-style loop (Ultralytics predict + OCR on every plate of every frame, one stream at a time),
measured in the same run.

    python bench/bench_gpu_streams.py --gpu        # on the GPU machine (see --help for carry)
    python bench/bench_gpu_streams.py [--cpu-check]  # a tiny configuration, to check it runs here

Streams are the demo clip (1280x720, H.264) read as files with file-loop, as fast as the pipeline
takes them; a configuration of K streams is sustained when its aggregate throughput reaches
30 x K frames/s. The preview backend runs as W worker processes (a Python process per core
group: decoding and nvinfer's preprocessing are CPU work), each a PreviewBackend over K/W
streams, all sharing the GPU. The PGIE runs on the GPU through
- onnxruntime's CUDA execution provider when this onnxruntime has it (onnxruntime-gpu), else
- PyTorch: the same network (Ultralytics checkpoint + alpr-gen's DeepStream head, the module
  `alpr-gen export` writes to ONNX) on CUDA, outputs handed to the parser through nvinfer's ABI.
The OCR SGIE runs on onnxruntime (CPU unless onnxruntime-gpu): it reads each plate track once.

Prints one line per configuration and the result: sustained streams (target >= 32) and the ratio
to the pilot loop's streams (its frames/s / 30; target >= 5x).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from demo_bundle import CLIP, ROOT, WEIGHTS, prepare, variant

# Never let Ultralytics reach the network (the GPU machine has none).
os.environ.setdefault("YOLO_OFFLINE", "1")
os.environ.setdefault("YOLO_AUTOINSTALL", "false")

STREAM_FPS = 30.0
TARGET_STREAMS = 32
TARGET_RATIO = 5.0


# --- the PGIE on PyTorch ---------------------------------------------------------------------


class TorchDetector:
    """The exported network (Ultralytics model + DeepStream head) run by PyTorch, as a ModelRunner
    for alpr_gen.preview: [N, 3, 640, 640] in, one `boxes` [A, 6] layer per frame out."""

    def __init__(self, weights: Path, device: str, half: bool) -> None:
        import torch

        from alpr_gen.export.heads import DeepStreamHead
        from alpr_gen.export.onnx_export import load_detection_model, prepare_for_export

        loaded = load_detection_model(weights)
        self.torch, self.device, self.half = torch, device, half
        net = DeepStreamHead(prepare_for_export(loaded.model, dynamic=True)).eval().to(device)
        self.net = net.half() if half else net
        self.size = 640

    @property
    def max_batch(self) -> int | None:
        return None

    def preprocess_spec(self, settings):  # type: ignore[no-untyped-def]
        return settings.preprocess_spec((self.size, self.size))

    def frame_layers(self, batch):  # type: ignore[no-untyped-def]
        import numpy as np

        from alpr_gen.nvinfer.bridge import Layer

        torch = self.torch
        with torch.inference_mode():
            x = torch.from_numpy(batch).to(self.device, non_blocking=True)
            out = self.net(x.half() if self.half else x).float().cpu().numpy()
        return [[Layer(np.ascontiguousarray(out[i]), name="boxes")] for i in range(len(out))]


def runner_factory(executor: str, device: str):  # type: ignore[no-untyped-def]
    """The ModelRunner factory for PreviewOptions.runner_for (None: onnxruntime everywhere)."""
    if executor != "torch":
        return None

    def make(gie, settings):  # type: ignore[no-untyped-def]
        return TorchDetector(WEIGHTS, device, device != "cpu") if gie.primary else None

    return make


def providers(executor: str) -> list[str] | None:
    return ["CUDAExecutionProvider", "CPUExecutionProvider"] if executor == "ort-cuda" else None


def pick_executor(gpu: bool, choice: str = "auto") -> tuple[str, str]:
    """(executor, device): ort-cuda, torch (cuda), or ort / torch on the CPU."""
    import onnxruntime as ort

    if not gpu:
        return ("torch" if choice == "torch" else "ort"), "cpu"
    if choice == "torch":
        return "torch", "cuda"
    if "CUDAExecutionProvider" in ort.get_available_providers():
        return "ort-cuda", "cuda"
    import torch

    if torch.cuda.is_available():
        return "torch", "cuda"
    raise SystemExit("--gpu: neither onnxruntime-gpu nor PyTorch with CUDA sees a GPU here")


# --- one worker: a PreviewBackend over its streams ---------------------------------------------


def worker(bundle: str, workdir: str, streams: int, executor: str, device: str, warm: float,
           measure: float, out: mp.Queue) -> None:  # fmt: skip
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import cv2

    cv2.setNumThreads(1)  # one worker per core group: no oversubscription
    if executor == "torch":
        import torch

        torch.set_num_threads(1)
    from alpr_gen.configset import load
    from alpr_gen.preview.backend import PreviewBackend, PreviewOptions

    try:
        dest = variant(Path(bundle), Path(workdir), streams)
        backend = PreviewBackend(
            load(dest),
            PreviewOptions(
                providers=providers(executor),
                threads=1,
                runner_for=runner_factory(executor, device),
            ),
        )
        marks: dict[str, tuple[float, int]] = {}

        def frames() -> int:
            c = backend.counters
            return sum(c.frames.values()) if c is not None else 0

        def clock() -> None:
            while backend.counters is None or frames() == 0:
                time.sleep(0.05)  # models loading
            time.sleep(warm)
            marks["start"] = (time.perf_counter(), frames())
            time.sleep(measure)
            marks["end"] = (time.perf_counter(), frames())
            backend.request_stop()

        threading.Thread(target=clock, daemon=True).start()
        backend.run(lambda _e: None)
        (t0, f0), (t1, f1) = marks["start"], marks["end"]
        out.put({"fps": (f1 - f0) / (t1 - t0), "error": None})
    except BaseException as exc:  # report, never hang the parent
        out.put({"fps": 0.0, "error": f"{type(exc).__name__}: {exc}"})


def preview_throughput(bundle: Path, k: int, workers: int, executor: str, device: str,
                       warm: float, measure: float) -> tuple[float, list[str]]:  # fmt: skip
    """Aggregate frames/s of K streams spread over `workers` processes."""
    ctx = mp.get_context("spawn")
    q: mp.Queue = ctx.Queue()
    w = max(1, min(workers, k))
    shares = [k // w + (1 if i < k % w else 0) for i in range(w)]
    procs = [
        ctx.Process(
            target=worker,
            args=(
                str(bundle),
                str(ROOT / "out" / "bench_gpu" / f"w{i}"),
                n,
                executor,
                device,
                warm,
                measure,
                q,
            ),
        )
        for i, n in enumerate(shares)
    ]
    for p in procs:
        p.start()
    results = [q.get(timeout=warm + measure + 300) for _ in procs]
    for p in procs:
        p.join(30)
    errors = [r["error"] for r in results if r["error"]]
    return sum(r["fps"] for r in results), errors


# --- the pilot-style loop ----------------------------------------------------------------------


def pilot_fps(bundle: Path, device: str, seconds: float) -> float:
    """Ultralytics predict on every frame, then OCR on every plate it finds, one stream."""
    import av
    import numpy as np
    import onnxruntime as ort
    from ultralytics import YOLO

    model = YOLO(str(WEIGHTS), task="detect")
    ocr = ort.InferenceSession(str(bundle / "models" / "ocr_rec.onnx"),
                               providers=providers("ort-cuda" if device == "cuda" and
                                                   "CUDAExecutionProvider" in
                                                   ort.get_available_providers() else "ort")
                               or ["CPUExecutionProvider"])  # fmt: skip
    name = ocr.get_inputs()[0].name
    import cv2

    def read(crop: np.ndarray) -> None:
        h, w = crop.shape[:2]
        nw = min(320, max(1, int(48 * w / max(1, h))))
        x = np.zeros((1, 3, 48, 320), np.float32)
        x[0, :, :, :nw] = cv2.resize(crop, (nw, 48)).transpose(2, 0, 1) / 127.5 - 1.0
        ocr.run(None, {name: x})

    frames, t0, t_end = 0, None, None
    while t_end is None:
        with av.open(str(CLIP)) as c:
            for f in c.decode(video=0):
                img = f.to_ndarray(format="bgr24")
                res = model.predict(img, imgsz=640, device=0 if device == "cuda" else "cpu",
                                    verbose=False, conf=0.25)[0]  # fmt: skip
                for (x0, y0, x1, y1), cls in zip(res.boxes.xyxy.tolist(), res.boxes.cls.tolist(),
                                                 strict=True):  # fmt: skip
                    if int(cls) == 1 and x1 - x0 >= 8 and y1 - y0 >= 4:
                        read(img[int(y0) : int(y1), int(x0) : int(x1)])
                if t0 is None:
                    t0 = time.perf_counter()  # after the first frame (model warm)
                    continue
                frames += 1
                if time.perf_counter() - t0 >= seconds:
                    t_end = time.perf_counter()
                    break
    return frames / (t_end - t0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--gpu", action="store_true", help="the measurement (GPU machine)")
    mode.add_argument(
        "--cpu-check", action="store_true", help="tiny run on the CPU, to check (the default)"
    )
    ap.add_argument(
        "--streams",
        type=int,
        nargs="*",
        default=None,
        help="stream counts to try (default 16 32 48; --cpu-check: 2)",
    )
    ap.add_argument("--workers", type=int, default=None,
                    help="worker processes (default: cores - 2)")  # fmt: skip
    ap.add_argument("--warm", type=float, default=None, help="seconds before measuring")
    ap.add_argument("--measure", type=float, default=None, help="seconds measured per config")
    ap.add_argument(
        "--executor",
        choices=("auto", "ort", "torch"),
        default="auto",
        help="the PGIE's runner: auto (onnxruntime CUDA EP if there, else PyTorch)",
    )
    ap.add_argument("--bundle", type=Path, default=ROOT / "out" / "demo")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args()
    gpu = args.gpu
    counts = args.streams or ([16, 32, 48] if gpu else [2])
    workers = args.workers or (max(1, (os.cpu_count() or 4) - 2) if gpu else 1)
    warm = args.warm if args.warm is not None else (8.0 if gpu else 5.0)
    measure = args.measure if args.measure is not None else (15.0 if gpu else 10.0)
    # A carried bundle (bench-gpu-carry) is complete but for the detector's ONNX, which the
    # PyTorch runner does not need; a missing one is prepared here (needs the export extras).
    bundle = args.bundle if (args.bundle / "deepstream_app.txt").exists() else prepare(args.bundle)
    executor, device = pick_executor(gpu, args.executor)
    from alpr_gen.deepstream.versions import RELEASES
    from alpr_gen.nvinfer.bridge import build_bridge

    build_bridge(RELEASES["7.1"].parser_abi)  # the C++ harness: compiled once, here, up front
    print(f"executor {executor} on {device}; {workers} worker process(es); "
          f"{warm:g} s warm-up, {measure:g} s measured per configuration", flush=True)  # fmt: skip
    pilot = pilot_fps(bundle, device, measure)
    pilot_streams = pilot / STREAM_FPS
    print(f"pilot loop (Ultralytics predict + OCR every frame, 1 stream): {pilot:.1f} frames/s = "
          f"{pilot_streams:.2f} streams of {STREAM_FPS:g} FPS", flush=True)  # fmt: skip
    rows = []
    for k in counts:
        fps, errors = preview_throughput(bundle, k, workers, executor, device, warm, measure)
        ok = fps >= STREAM_FPS * k
        rows.append({"streams": k, "fps": fps, "sustained": ok, "errors": errors})
        print(f"preview, {k:3d} streams: {fps:8.1f} frames/s = {fps / STREAM_FPS:6.1f} streams "
              f"of {STREAM_FPS:g} FPS -> {'sustained' if ok else 'NOT sustained'}"
              + (f"; errors: {errors}" if errors else ""), flush=True)  # fmt: skip
    best = max([r["streams"] for r in rows if r["sustained"]], default=0)
    capacity = max(r["fps"] for r in rows) / STREAM_FPS
    ratio = capacity / pilot_streams if pilot_streams else float("nan")
    print(f"sustained: {best} streams (target >= {TARGET_STREAMS}); capacity "
          f"{capacity:.1f} streams = {ratio:.1f}x the pilot loop's {pilot_streams:.2f} "
          f"(target >= {TARGET_RATIO:g}x)")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps({"executor": executor, "device": device,
                                         "workers": workers, "pilot_fps": pilot, "rows": rows,
                                         "sustained": best, "ratio": ratio}, indent=2))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
