"""Time and peak memory of bindings.uploads.sanitize_upload on a 12-megapixel phone photo.

    .venv/bin/python bench/bench_documents.py [--runs 5]

The photo (4000x3000 JPEG, EXIF orientation 6 and GPS, photo-like detail so it weighs what a phone
file weighs) is generated in this process; each measurement runs in a fresh child process that only
reads the file and sanitizes it, so the peak RSS reported is that of a worker doing the job and not
of the generator. Pillow allocates pixels outside Python's allocator, so tracemalloc would miss
them: the process's peak resident set (interpreter and Django included) is the honest number. It is
read from VmHWM in /proc/self/status because Linux carries ru_maxrss over from the parent across
fork and exec, which would report the generator's peak.
"""

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_photo(path: Path) -> None:
    from PIL import ExifTags, Image, ImageFilter

    size = (4000, 3000)
    # Smooth shading plus sensor-like noise: compresses like a real photo (a few MB), unlike flat
    # colour (too small) or pure noise (too large).
    shading = Image.merge(
        "RGB",
        [
            Image.linear_gradient("L").resize(size),
            Image.radial_gradient("L").resize(size),
            Image.linear_gradient("L").rotate(90).resize(size),
        ],
    )
    noise = Image.effect_noise(size, 40).filter(ImageFilter.GaussianBlur(0.6)).convert("RGB")
    photo = Image.blend(shading, noise, 0.5)
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (27.0, 48.0, 0.0)
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=92, exif=exif)
    path.write_bytes(out.getvalue())


def peak_rss_mib() -> float:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure(path: Path) -> None:
    """Child process: sanitize once, print one JSON line."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bindings.uploads import sanitize_upload

    data = path.read_bytes()
    before_mib = peak_rss_mib()
    start = time.perf_counter()
    doc = sanitize_upload(SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg"))
    seconds = time.perf_counter() - start
    peak_mib = peak_rss_mib()
    result = {
        "seconds": seconds,
        "peak_rss_mib": peak_mib,
        "rss_before_mib": before_mib,
        "input_bytes": len(data),
        "output_bytes": doc.size,
        "output_size": [doc.width, doc.height],
    }
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the summary as JSON to this file (bench/run.py)")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure)
        return

    with tempfile.TemporaryDirectory() as tmp:
        photo = Path(tmp) / "photo.jpg"
        make_photo(photo)
        results = []
        for _ in range(args.runs):
            child = subprocess.run(
                [sys.executable, __file__, "--measure", str(photo)], check=True, capture_output=True, text=True
            )
            results.append(json.loads(child.stdout.strip().splitlines()[-1]))

    first = results[0]
    print(f"input: 4000x3000 JPEG, {first['input_bytes'] / 1024 / 1024:.1f} MiB (EXIF orientation 6 + GPS)")
    print(f"output: {first['output_size'][0]}x{first['output_size'][1]} JPEG, {first['output_bytes'] / 1024:.0f} KiB")
    seconds = sorted(r["seconds"] for r in results)
    fastest, median, slowest = seconds[0], seconds[len(seconds) // 2], seconds[-1]
    print(f"time over {len(results)} runs: min {fastest:.3f} s, median {median:.3f} s, max {slowest:.3f} s")
    peak = max(r["peak_rss_mib"] for r in results)
    before = max(r["rss_before_mib"] for r in results)
    print(f"peak RSS of the whole process: {peak:.0f} MiB (interpreter + Django before the call: {before:.0f} MiB)")
    if args.json:
        summary = {
            "runs": len(results),
            "input_mib": first["input_bytes"] / 1024 / 1024,
            "output_size": first["output_size"],
            "output_kib": first["output_bytes"] / 1024,
            "seconds_min": fastest,
            "seconds_median": median,
            "seconds_max": slowest,
            "peak_rss_mib": peak,
            "rss_before_mib": before,
        }
        args.json.write_text(json.dumps(summary))


if __name__ == "__main__":
    main()
