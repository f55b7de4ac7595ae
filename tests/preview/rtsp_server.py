"""A real RTSP server for the preview tests: GStreamer's gst-rtsp-server from Debian's packages.

Run by the system Python (python3-gi, gir1.2-gst-rtsp-server-1.0, gstreamer1.0-plugins-good and
-bad: scripts/install-system-deps), not the project's venv, which has no GObject bindings:

    /usr/bin/python3 rtsp_server.py --port 8554 --file clip.mp4 [--path /test]

Serves the H.264 MP4 `--file` at rtsp://127.0.0.1:PORT/PATH, paced in real time, on loopback
only; prints "ready" once listening and runs until SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import signal
import sys


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--file", required=True)
    ap.add_argument("--path", default="/test")
    args = ap.parse_args()

    import gi

    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtspServer", "1.0")
    from gi.repository import GLib, Gst, GstRtspServer

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    # The file's H.264 as is (no re-encoding), one RTP payloader.
    location = args.file.replace("\\", "\\\\").replace('"', '\\"')
    factory.set_launch(
        f'( filesrc location="{location}" ! qtdemux ! h264parse ! rtph264pay name=pay0 pt=96 )'
    )
    factory.set_shared(True)
    server.get_mount_points().add_factory(args.path, factory)
    if server.attach(None) == 0:
        print(f"cannot listen on 127.0.0.1:{args.port}", file=sys.stderr)
        return 1
    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    print("ready", flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
