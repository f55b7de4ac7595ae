"""Rules that span fields of a validated profile: (dotted path, message) for each problem."""

from __future__ import annotations

from collections.abc import Sequence

from alpr_gen.profile.model import Line, SiteProfile, Zone

Point = tuple[int, int]


def check_profile(profile: SiteProfile) -> list[tuple[str, str]]:
    """Rules that span fields: (dotted path, message) for each problem."""
    problems: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for i, cam in enumerate(profile.cameras):
        if cam.id in seen:
            problems.append(
                (f"cameras[{i}].id", f"duplicate camera id (also cameras[{seen[cam.id]}])")
            )
        seen.setdefault(cam.id, i)
        width, height = cam.resolution
        shapes_by_kind: tuple[tuple[str, Sequence[Line | Zone]], ...] = (
            ("lines", cam.lines),
            ("zones", cam.zones),
        )
        for kind, shapes in shapes_by_kind:
            names: set[str] = set()
            for j, shape in enumerate(shapes):
                if shape.name in names:
                    problems.append((f"cameras[{i}].{kind}[{j}].name", "duplicate name"))
                names.add(shape.name)
                points = list(shape.points)
                if isinstance(shape, Line):
                    points += list(shape.direction)
                for x, y in points:
                    if x >= width or y >= height:
                        problems.append(
                            (
                                f"cameras[{i}].{kind}[{j}]",
                                f"point [{x}, {y}] is outside the {width}x{height} frame "
                                f"(cameras[{i}].resolution)",
                            )
                        )
                        break
            if kind == "zones":
                for j, zone in enumerate(cam.zones):
                    problem = polygon_problem(list(zone.points))
                    if problem:
                        problems.append((f"cameras[{i}].zones[{j}].points", problem))
            if kind == "lines":
                for j, line in enumerate(cam.lines):
                    (ax, ay), (bx, by) = line.points
                    (cx, cy), (dx, dy) = line.direction
                    if (ax, ay) == (bx, by) or (cx, cy) == (dx, dy):
                        problems.append(
                            (f"cameras[{i}].lines[{j}]", "zero-length line or direction")
                        )
        # nvdsanalytics sets class-id, mode and extended once per stream group.
        for kind, shapes, attrs in (
            ("lines", cam.lines, ("objects", "mode", "extended")),
            ("zones", [z for z in cam.zones if z.kind == "roi"], ("objects", "inverse")),
            ("zones", [z for z in cam.zones if z.kind == "overcrowding"], ("objects",)),
        ):
            for attr in attrs:
                if len({getattr(s, attr) for s in shapes}) > 1:
                    problems.append(
                        (
                            f"cameras[{i}].{kind}",
                            f"all {kind} of one camera must share `{attr}` "
                            "(nvdsanalytics sets it once per stream)",
                        )
                    )
    det = profile.detector
    ncls = len(det.labels)
    for field_name in ("vehicle_class_ids", "plate_class_ids"):
        for k, cid in enumerate(getattr(det, field_name)):
            if cid >= ncls:
                problems.append(
                    (f"detector.{field_name}[{k}]", f"class id {cid} but there are {ncls} labels")
                )
    if set(det.vehicle_class_ids) & set(det.plate_class_ids):
        problems.append(("detector.plate_class_ids", "a class cannot be both vehicle and plate"))
    for label in det.thresholds.per_class:
        if label not in det.labels:
            problems.append(
                (f"detector.thresholds.per_class.{label}", "not one of detector.labels")
            )
    if det.precision == "int8" and det.int8_calib_file is None and det.engine is None:
        problems.append(
            (
                "detector.int8_calib_file",
                "int8 needs a calibration cache (alpr-gen export writes one)",
            )
        )
    if profile.target.deepstream == "6.3" and det.head == "end2end":
        problems.append(
            (
                "detector.head",
                "end2end (NMS in the graph) needs TensorRT >= 8.6; DeepStream 6.3 ships 8.5: "
                "use head: deepstream",
            )
        )
    used_ports: dict[int, str] = {}
    for i, out in enumerate(profile.outputs):
        if out.type == "rtsp":
            for attr in ("port", "udp_port"):
                port = getattr(out, attr)
                if port in used_ports:
                    problems.append(
                        (f"outputs[{i}].{attr}", f"port {port} already used by {used_ports[port]}")
                    )
                used_ports[port] = f"outputs[{i}].{attr}"
    if sum(1 for o in profile.outputs if o.type == "display") > 1:
        problems.append(("outputs", "only one display output is supported"))
    return problems


# --- polygons ----------------------------------------------------------------------------------


def _cross(o: Point, a: Point, b: Point) -> int:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _on_segment(p: Point, q: Point, r: Point) -> bool:
    """q (collinear with p-r) lies on the segment p-r."""
    return min(p[0], r[0]) <= q[0] <= max(p[0], r[0]) and min(p[1], r[1]) <= q[1] <= max(p[1], r[1])


def segments_touch(a: Point, b: Point, c: Point, d: Point) -> bool:
    """Segments a-b and c-d share at least one point (integer arithmetic: exact)."""
    d1, d2, d3, d4 = _cross(c, d, a), _cross(c, d, b), _cross(a, b, c), _cross(a, b, d)
    if ((d1 > 0) != (d2 > 0) and d1 != 0 and d2 != 0) and (
        (d3 > 0) != (d4 > 0) and d3 != 0 and d4 != 0
    ):
        return True
    return (
        (d1 == 0 and _on_segment(c, a, d))
        or (d2 == 0 and _on_segment(c, b, d))
        or (d3 == 0 and _on_segment(a, c, b))
        or (d4 == 0 and _on_segment(a, d, b))
    )


def polygon_problem(points: Sequence[Point]) -> str | None:
    """Why a zone polygon is not simple (nvdsanalytics' point-in-polygon test then counts
    objects in the wrong places), or None."""
    n = len(points)
    for k in range(n):
        if points[k] == points[(k + 1) % n]:
            return f"point {k + 1} repeats the point before it; remove it"
    if all(_cross(points[0], points[1], p) == 0 for p in points[2:]):
        return "all points lie on one line: a zone needs an area"
    edges = [(points[k], points[(k + 1) % n]) for k in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            a, b = edges[i]
            c, d = edges[j]
            adjacent = j == i + 1 or (i == 0 and j == n - 1)
            if adjacent:
                # Neighbours share a point; they cross only by folding back along each other.
                shared, other_i, other_j = (b, a, d) if j == i + 1 else (a, b, c)
                if _cross(shared, other_i, other_j) == 0 and _folds_back(shared, other_i, other_j):
                    return f"edges {i + 1} and {j + 1} fold back over each other"
                continue
            if segments_touch(a, b, c, d):
                return (
                    f"edges {i + 1} and {j + 1} cross (a self-intersecting polygon): list the "
                    "points in order around the zone"
                )
    return None


def _folds_back(shared: Point, p: Point, q: Point) -> bool:
    # Collinear neighbours fold back when both go the same way from the shared point.
    return (p[0] - shared[0]) * (q[0] - shared[0]) + (p[1] - shared[1]) * (q[1] - shared[1]) > 0
