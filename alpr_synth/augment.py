"""Photometric damage applied to a whole scene: light, shadow, blur, noise, JPEG, low resolution."""

from __future__ import annotations

import cv2
import numpy as np


def lighting(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    h, w = img.shape[:2]
    f = img.astype(np.float32) / 255.0
    f = f ** rng.uniform(0.6, 1.6)  # gamma: dusk to glare
    gx, gy = rng.uniform(-0.5, 0.5, 2)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ramp = 1.0 + gx * (xx / w - 0.5) + gy * (yy / h - 0.5)
    f = f * (rng.uniform(0.45, 1.25) * ramp)[..., None] * rng.uniform(0.85, 1.15, 3)
    return np.clip(f * 255.0, 0, 255).astype(np.uint8)


def shadow(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    h, w = img.shape[:2]
    pts = np.stack([rng.integers(0, w, 4), rng.integers(0, h, 4)], axis=1).astype(np.int32)
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [cv2.convexHull(pts)], 255)
    mask = cv2.GaussianBlur(mask, (0, 0), rng.uniform(1, 8)).astype(np.float32) / 255.0
    k = 1.0 - rng.uniform(0.25, 0.55) * mask
    return (img * k[..., None]).astype(np.uint8)


def blur(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    if rng.random() < 0.6:
        return cv2.GaussianBlur(img, (0, 0), rng.uniform(0.4, 1.8))
    n = int(rng.integers(3, 10))  # motion blur along a random direction
    k = np.zeros((n, n), np.float32)
    k[n // 2] = 1.0 / n
    rot = cv2.getRotationMatrix2D((n / 2 - 0.5, n / 2 - 0.5), rng.uniform(0, 180), 1.0)
    k = cv2.warpAffine(k, rot, (n, n))
    return cv2.filter2D(img, -1, k / max(k.sum(), 1e-6))


def noise(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    sigma = rng.uniform(2, 14)
    return np.clip(img + rng.normal(0, sigma, img.shape), 0, 255).astype(np.uint8)


def jpeg(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(20, 90))])
    return cv2.imdecode(buf, cv2.IMREAD_UNCHANGED) if ok else img


def low_res(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    h, w = img.shape[:2]
    f = rng.uniform(0.35, 0.7)
    small = cv2.resize(img, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def degrade(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each step with its own probability, in the order a camera would add them."""
    if rng.random() < 0.8:
        img = lighting(img, rng)
    if rng.random() < 0.3:
        img = shadow(img, rng)
    if rng.random() < 0.15:
        img = low_res(img, rng)
    if rng.random() < 0.35:
        img = blur(img, rng)
    if rng.random() < 0.5:
        img = noise(img, rng)
    if rng.random() < 0.6:
        img = jpeg(img, rng)
    return img
