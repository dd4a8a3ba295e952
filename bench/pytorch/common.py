"""What the PyTorch comparison scripts (bench/wakeword, bench/kws) write the same way: the machine line and the
median (min–max) cells of their docs/benchmarks.md fragments."""

import os
import statistics

import torch


def machine():
    """CPU model, logical CPUs, AVX-512 flags and the PyTorch version, from /proc/cpuinfo."""
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        info = f.read()
    model = next((line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name")), "?")
    flags = sorted({w for w in info.split() if w.startswith("avx512")})
    return (f"{model}, {os.cpu_count()} logical CPUs, {' '.join(flags) or 'no AVX-512'}; PyTorch {torch.__version__}, "
            f"1 intra-op thread; `dotnet-compress` with `threads: 2` and `COMPRESS_ONEDNN={tool_environment()['COMPRESS_ONEDNN']}`")


def tool_environment():
    """The environment for `dotnet-compress`: COMPRESS_ONEDNN defaults to `off` here (the tool's own default, `auto`,
    trains with libtorch's oneDNN on CPUs where it passes a check, which changes float32 rounding from machine to
    machine; the tables were measured with it off). Set COMPRESS_ONEDNN to override."""
    env = dict(os.environ)
    env.setdefault("COMPRESS_ONEDNN", "off")
    return env


def median_range(values, fmt="{:.4f}"):
    """'median (min–max)' of values, each formatted with fmt."""
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"
