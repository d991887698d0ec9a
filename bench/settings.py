"""The production profile plus one page for the benchmark's baseline (bench/urls.py). Used only by `make bench`."""

from config.settings.production import *  # noqa: F401,F403

ROOT_URLCONF = "bench.urls"
BENCH = True
