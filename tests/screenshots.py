"""Screenshots of live pages with headless Chromium (`apt-get install chromium`, which
scripts/bootstrap.sh installs), and what a test can check of one without an image library."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import av
import numpy as np

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def take(url: str, out: Path, width: int = 1280, height: int = 900) -> Path:
    """A PNG of `url` as headless Chromium renders it."""
    assert CHROMIUM, "chromium is not installed (scripts/bootstrap.sh installs it)"
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",  # tests run as root in CI containers
            "--disable-gpu",
            "--hide-scrollbars",
            f"--window-size={width},{height}",
            f"--screenshot={out}",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0 and out.exists(), done.stderr[-2000:]
    return out


def pixels(png: Path) -> np.ndarray:
    """The PNG's RGB pixels (decoded by PyAV's ffmpeg), height × width × 3."""
    with av.open(str(png)) as container:
        frame = next(container.decode(video=0))
        return np.asarray(frame.to_ndarray(format="rgb24"))


def colours(image: np.ndarray, of: tuple[int, int, int]) -> int:
    """How many pixels are within a few levels of the colour `of`."""
    near = np.abs(image.astype(int) - np.array(of)).max(axis=2) <= 12
    return int(near.sum())
