"""Training step time of the sample's DS-CNN written in PyTorch, the same network, batch, optimizer and threads as
bench/Compress.Bench/ExecutorTrainingBenchmark.cs. Prints one JSON object: step times in milliseconds.

Usage: python3 dscnn_train_step.py [--batch 64] [--warmup 5] [--runs 30] [--threads 2]
"""
import argparse
import json
import re
import time

import torch
from torch import nn


def block(in_ch, out_ch, kernel, stride, groups, pads):
    # pads are ONNX [top, left, bottom, right]; ZeroPad2d takes (left, right, top, bottom).
    return [nn.ZeroPad2d((pads[1], pads[3], pads[0], pads[2])),
            nn.Conv2d(in_ch, out_ch, kernel, stride=stride, groups=groups, bias=False),
            nn.BatchNorm2d(out_ch, eps=1e-5, momentum=0.1),
            nn.ReLU()]


class DsCnn(nn.Module):
    def __init__(self, channels=64, blocks=4, classes=12):
        super().__init__()
        layers = block(1, channels, (10, 4), (2, 2), 1, [4, 1, 5, 2])
        for _ in range(blocks):
            layers += block(channels, channels, (3, 3), (1, 1), channels, [1, 1, 1, 1])
            layers += block(channels, channels, (1, 1), (1, 1), 1, [0, 0, 0, 0])
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(channels, classes)

    def forward(self, x):
        return self.fc(self.features(x).mean((2, 3)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--threads", type=int, default=2)
    a = parser.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = DsCnn()
    model.train()
    x = torch.randn(a.batch, 1, 49, 40)
    y = torch.randint(0, 12, (a.batch,))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    times = []
    for i in range(a.warmup + a.runs):
        start = time.perf_counter()
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        elapsed = (time.perf_counter() - start) * 1000
        if i >= a.warmup:
            times.append(elapsed)
    blas = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    print(json.dumps({"torch": torch.__version__, "blas": blas.group(1) if blas else "?", "mkldnn": torch.backends.mkldnn.is_available(), "threads": torch.get_num_threads(), "batch": a.batch, "ms": times}))


if __name__ == "__main__":
    main()
