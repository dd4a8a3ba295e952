#!/usr/bin/python3
"""Issue 21's comparison on the foreign fixtures: keyword spotters built and exported the way PyTorch users do
(tools/fixtures/make-fixtures.py's DsCnn and GruKws), trained on the sample's corpus, then pruned to 80% by
Compress and by torch.nn.utils.prune with the same number of fine-tuning epochs.

    /usr/bin/python3 bench/kws/kws_vs_pytorch.py [--corpus samples/AppWithModel/data] [--work /tmp/kws-bench]
        [--models dscnn,gru] [--methods magnitude:global,...,gradient:global:nodistill]
        [--gru-methods magnitude:global,...,l1:global:nodistill] [--bn-methods ...]   (defaults: see --help)
        [--seeds 1,2,3] [--dense-epochs 20] [--epochs 8] [--sparsity 0.8] [--results /tmp/bench-results]
        [--fragment-only]

Needs PyTorch 1.13 and onnx 1.12 (Debian's python3-torch / python3-onnx), the sample's corpus
(samples/AppWithModel/make-data.sh) and a Release build of the tool (dotnet build src/Compress.Tool -c Release).

1. Features, once: 12-class Speech Commands v1 task on the corpus (the 10 keywords; _unknown_ drawn from the other
   words and _silence_ cut from _background_noise_, each 10% of a split, as the sample's spec asks), split by the
   corpus's validation/testing lists (voice-disjoint), 49 x 40 log-mel (30 ms Hann window, 20 ms hop, n_fft 512,
   HTK mel 20-8000 Hz, log(x + 1e-6)), standardised per bin with the training split's statistics; written as npy
   files that PyTorch and Compress both read. Each training clip is augmented once, as the sample's spec does on the
   fly (shift, gain, background noise at 0-15 dB SNR): the corpus's validation and test clips are noisy.
2. Dense, per model and seed: seeded initialisation, --dense-epochs of Adam at 1e-3 (batch 64, cross-entropy),
   exported as make-fixtures.py exports the fixture (DsCnn: eval mode, constant folding, so every BatchNorm is folded
   into its Conv, opset 13; GruKws: opset 17), dynamic batch. That file is "the user's model".
3. PyTorch: the dense module, prune.global_unstructured(L1Unstructured, amount=--sparsity) over every Conv2d/Linear
   weight and the GRU's weight_ih/weight_hh, --epochs of Adam at 1e-3 with the masks on (constant LR, shuffling
   seeded with seed + 1), prune.remove, exported like the dense model.
4. Compress: `dotnet-compress run` on the exported dense file with bench/kws/spec.template.yaml, once per
   method:ranking in --methods (magnitude: the same criterion as PyTorch's; gradient: Taylor saliency; global: one
   threshold on the raw scores, as PyTorch's; lamp: one threshold on LAMP's layer-normalised scores), the same
   weights, --epochs.
   For the DS-CNN, also PyTorch on what Compress receives: the exported file's BN-folded weights loaded into the
   same network without BatchNorm, then step 3's recipe (tells the folding apart from the method).
5. Every file (dense, PyTorch-pruned, Compress's) is measured by `dotnet-compress eval` (ONNX Runtime) on the test
   split; sparsity is counted in the file.

Writes <work>/results.json and the fragment <results>/81-kws-pytorch.md for docs/benchmarks.md. Files already in
<work> are reused (a dense model and its state, PyTorch's pruned file, a Compress run whose spec is unchanged), so
adding a method reruns only that method; delete <work> to start over.
"""

import argparse
import importlib.util
import json
import math
import os
import random
import re
import shlex
import statistics
import subprocess
import sys
import time
import wave

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.utils.prune as prune

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "bench", "pytorch"))
from common import machine, median_range, tool_environment  # noqa: E402
_spec = importlib.util.spec_from_file_location("make_fixtures", os.path.join(REPO, "tools", "fixtures", "make-fixtures.py"))
fx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fx)

KEYWORDS = fx.LABELS[2:]
SAMPLE_RATE = 16000
WINDOW, HOP, N_FFT = 480, 320, 512
DATA_SEED = 20261207

# name -> (module factory, input rank: 4 = [N, 1, frames, bins], 3 = [N, frames, bins], opset)
MODELS = {
    "dscnn": (fx.DsCnn, 4, 13),
    "gru": (fx.GruKws, 3, 17),
}
LABELS = {"dscnn": "DS-CNN", "gru": "GRU"}
DESCRIPTIONS = {
    "dscnn": "**DS-CNN**: make-fixtures' `DsCnn` (Conv + BatchNorm, 2 depthwise-separable blocks, 24 channels, 2,832 "
             "weights), exported with BatchNorm folded into the Convs, opset 13",
    "gru": "**GRU**: make-fixtures' `GruKws` (1 layer, hidden 64, last step → Linear, 20,736 weights), opset 17",
}


# ---------------------------------------------------------------------------------------------------------------
# Features
# ---------------------------------------------------------------------------------------------------------------

def read_wav(path):
    with wave.open(path, "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2 or w.getframerate() != SAMPLE_RATE:
            raise SystemExit(f"{path}: expected 16 kHz 16-bit mono")
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
    return pcm


def fit(pcm):
    return pcm[:SAMPLE_RATE] if len(pcm) >= SAMPLE_RATE else np.pad(pcm, (0, SAMPLE_RATE - len(pcm)))


def mel_filterbank(bins=fx.BINS, fmin=20.0, fmax=8000.0):
    def mel(f):
        return 2595.0 * np.log10(1.0 + f / 700.0)

    def hz(m):
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)

    edges = hz(np.linspace(mel(fmin), mel(fmax), bins + 2))
    freqs = np.arange(N_FFT // 2 + 1) * SAMPLE_RATE / N_FFT
    bank = np.zeros((N_FFT // 2 + 1, bins))
    for b in range(bins):
        lo, centre, hi = edges[b], edges[b + 1], edges[b + 2]
        bank[:, b] = np.maximum(0, np.minimum((freqs - lo) / (centre - lo), (hi - freqs) / (hi - centre)))
    return bank


WINDOW_FN = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(WINDOW) / WINDOW)
BANK = mel_filterbank()


def log_mel(pcm):
    frames = 1 + (SAMPLE_RATE - WINDOW) // HOP
    idx = np.arange(WINDOW)[None, :] + HOP * np.arange(frames)[:, None]
    spectrum = np.fft.rfft(pcm[idx] * WINDOW_FN, n=N_FFT)
    return np.log((np.abs(spectrum) ** 2) @ BANK + 1e-6).astype(np.float32)  # [frames, bins]


def augment(pcm, noise, rng):
    """The sample spec's augmentation, applied once (the corpus's validation and test clips carry noise, its
    training clips do not): a time shift of up to 100 ms, a gain of up to ±6 dB, and with probability 0.8 a crop of
    a background noise mixed in at 0-15 dB SNR."""
    shift = rng.randint(-SAMPLE_RATE // 10, SAMPLE_RATE // 10)
    pcm = np.roll(pcm, shift)
    if shift > 0:
        pcm[:shift] = 0
    elif shift < 0:
        pcm[shift:] = 0
    pcm = pcm * 10 ** (rng.uniform(-6, 6) / 20)
    if rng.random() < 0.8:
        source = noise[rng.randrange(len(noise))]
        start = rng.randrange(len(source) - SAMPLE_RATE)
        crop = source[start:start + SAMPLE_RATE]
        power = max(float(np.mean(pcm ** 2)), 1e-10)
        scale = math.sqrt(power / max(float(np.mean(crop ** 2)), 1e-10) / 10 ** (rng.uniform(0, 15) / 10))
        pcm = pcm + scale * crop
    return pcm.astype(np.float32)


def build_features(corpus, folder):
    """The three splits as {split}_features.npy [N, frames, bins] (standardised) and {split}_labels.npy."""
    if all(os.path.exists(os.path.join(folder, f"{s}_labels.npy")) for s in ("train", "validation", "test")):
        return
    os.makedirs(folder, exist_ok=True)
    lists = {}
    for split, name in (("validation", "validation_list.txt"), ("test", "testing_list.txt")):
        with open(os.path.join(corpus, name), encoding="utf-8") as f:
            lists[split] = {line.strip() for line in f if line.strip()}
    rng = random.Random(DATA_SEED)
    words = sorted(d for d in os.listdir(corpus) if os.path.isdir(os.path.join(corpus, d)) and not d.startswith("_"))
    clips = {s: {"keyword": [], "unknown": []} for s in ("train", "validation", "test")}
    for word in words:
        for name in sorted(os.listdir(os.path.join(corpus, word))):
            rel = f"{word}/{name}"
            split = next((s for s, names in lists.items() if rel in names), "train")
            clips[split]["keyword" if word in KEYWORDS else "unknown"].append(rel)
    noise = [read_wav(os.path.join(corpus, "_background_noise_", n))
             for n in sorted(os.listdir(os.path.join(corpus, "_background_noise_"))) if n.endswith(".wav")]
    raw = {}
    for split, c in clips.items():
        extra = len(c["keyword"]) // 8  # _unknown_ and _silence_ are 10% each of keywords / 0.8
        items = [(rel, fx.LABELS.index(rel.split("/")[0])) for rel in c["keyword"]]
        items += [(rel, 1) for rel in rng.sample(c["unknown"], extra)]
        feats, labels = [], []
        for rel, label in items:
            pcm = fit(read_wav(os.path.join(corpus, rel)))
            feats.append(log_mel(augment(pcm, noise, rng) if split == "train" else pcm))
            labels.append(label)
        for _ in range(extra):
            source = noise[rng.randrange(len(noise))]
            start = rng.randrange(len(source) - SAMPLE_RATE)
            feats.append(log_mel(source[start:start + SAMPLE_RATE] * rng.uniform(0.0, 1.0)))
            labels.append(0)
        raw[split] = (np.stack(feats), np.array(labels, dtype=np.int64))
        print(f"features: {split} {len(labels)} clips", flush=True)
    mean = raw["train"][0].mean(axis=(0, 1))
    std = raw["train"][0].std(axis=(0, 1)) + 1e-6
    for split, (x, y) in raw.items():
        np.save(os.path.join(folder, f"{split}_features.npy"), ((x - mean) / std).astype(np.float32))
        np.save(os.path.join(folder, f"{split}_labels.npy"), y)


def model_data(folder, model, work):
    """The npy splits in the model's input layout (a folder per layout: Compress reads rows shaped like the input)."""
    rank = MODELS[model][1]
    if rank == 3:
        return folder
    out = os.path.join(work, f"npy-rank{rank}")
    os.makedirs(out, exist_ok=True)
    for s in ("train", "validation", "test"):
        target = os.path.join(out, f"{s}_features.npy")
        if not os.path.exists(os.path.join(out, f"{s}_labels.npy")):
            np.save(target, np.load(os.path.join(folder, f"{s}_features.npy"))[:, None])
            np.save(os.path.join(out, f"{s}_labels.npy"), np.load(os.path.join(folder, f"{s}_labels.npy")))
    return out


def load(data, split):
    return (torch.from_numpy(np.load(os.path.join(data, f"{split}_features.npy"))),
            torch.from_numpy(np.load(os.path.join(data, f"{split}_labels.npy"))))


# ---------------------------------------------------------------------------------------------------------------
# PyTorch
# ---------------------------------------------------------------------------------------------------------------

def train(module, x, y, epochs, seed, lr=1e-3, batch=64):
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(module.parameters(), lr=lr)
    module.train()
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        for i in range(0, len(x), batch):
            idx = order[i:i + batch]
            loss = F.cross_entropy(module(x[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    module.eval()


def export(module, model, path, sample, preserve=False):
    """As make-fixtures exports the fixture (eval mode, constant folding: BatchNorm folded into the Conv before it);
    preserve: `training=TrainingMode.PRESERVE, do_constant_folding=False`, which keeps the BatchNormalization nodes."""
    opset = MODELS[model][2]
    extra = dict(training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False) if preserve else {}
    torch.onnx.export(module.eval(), (sample[:1],), path, opset_version=opset, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, **extra)
    onnx.checker.check_model(onnx.load(path))


def prunable(module):
    """What torch.nn.utils.prune is pointed at: every Conv2d/Linear weight and the GRU's input and recurrent weights."""
    parameters = []
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            parameters.append((m, "weight"))
        elif isinstance(m, nn.GRU):
            parameters += [(m, n) for n in ("weight_ih_l0", "weight_hh_l0")]
    return parameters


def dense_module(model, folder, train_set, test_x, epochs, seed):
    """A function returning the seed's trained dense module: trained, saved (dense.pt) and exported (dense.onnx)
    once, loaded from dense.pt afterwards (training is deterministic, so a rerun would give the same weights)."""
    state_path, dense_path = os.path.join(folder, "dense.pt"), os.path.join(folder, "dense.onnx")

    def load_module():
        module = MODELS[model][0]()
        module.load_state_dict(torch.load(state_path))
        return module.eval()

    if os.path.exists(dense_path) and os.path.exists(state_path):
        return load_module
    torch.manual_seed(seed)
    module = MODELS[model][0]()
    train(module, *train_set, epochs, seed)
    torch.save(module.state_dict(), state_path)
    if os.path.exists(dense_path):
        # Runs made from an earlier dense.onnx are only reused if this training gave the same file.
        retrained = dense_path + ".retrained"
        export(module, model, retrained, test_x)
        with open(retrained, "rb") as a, open(dense_path, "rb") as b:
            same = a.read() == b.read()
        os.remove(retrained)
        if not same:
            os.remove(state_path)
            raise SystemExit(f"{dense_path}: retraining gave another model; delete {folder} and rerun")
    else:
        export(module, model, dense_path, test_x)
    return load_module


class FoldedDsCnn(nn.Module):
    """make-fixtures' DsCnn as the exporter leaves it: every BatchNorm folded into its Conv (a bias), none left."""

    def __init__(self, channels=24):
        super().__init__()
        self.conv1 = nn.Conv2d(1, channels, (10, 4), stride=(2, 2), padding=(5, 1))
        blocks = []
        for _ in range(2):
            blocks += [nn.Conv2d(channels, channels, 3, padding=1, groups=channels), nn.ReLU(),
                       nn.Conv2d(channels, channels, 1), nn.ReLU()]
        self.blocks = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(channels, fx.CLASSES)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = self.pool(self.blocks(x))
        return self.fc(torch.flatten(x, 1))


def folded_dscnn(dense_path):
    """The exported DS-CNN's weights (BatchNorm folded) in FoldedDsCnn: the Conv nodes in graph order, then the Gemm."""
    graph = onnx.load(dense_path).graph
    values = {t.name: torch.from_numpy(onnx.numpy_helper.to_array(t).copy()) for t in graph.initializer}
    module = FoldedDsCnn()
    layers = [module.conv1] + [m for m in module.blocks if isinstance(m, nn.Conv2d)] + [module.fc]
    nodes = [n for n in graph.node if n.op_type == "Conv"] + [n for n in graph.node if n.op_type == "Gemm"]
    if len(nodes) != len(layers):
        raise SystemExit(f"{dense_path}: {len(nodes)} Conv/Gemm nodes, expected {len(layers)}")
    with torch.no_grad():
        for layer, node in zip(layers, nodes):
            layer.weight.copy_(values[node.input[1]].reshape(layer.weight.shape))
            layer.bias.copy_(values[node.input[2]])
    return module.eval()


def pytorch_prune(dense, train_set, epochs, sparsity, seed):
    module = dense
    parameters = prunable(module)
    prune.global_unstructured(parameters, pruning_method=prune.L1Unstructured, amount=sparsity)
    train(module, *train_set, epochs, seed + 1)
    for m, name in parameters:
        prune.remove(m, name)
    return module


# ---------------------------------------------------------------------------------------------------------------
# Compress and ONNX Runtime
# ---------------------------------------------------------------------------------------------------------------

RANKINGS = {"global": "  scope: global", "lamp": "  allocation: lamp"}

# The fine-tuning recipe: Compress's (prune gradually, the default learning-rate schedule — the base rate until the
# ramp ends, then cosine —, distil from the dense file), or PyTorch's as this script runs it (prune at once, then the
# epochs at a constant LR, cross-entropy only), or Compress's without the distillation (cross-entropy only, as PyTorch's:
# the dense file of a weak seed is a weak teacher).
RECIPES = {
    "compress": """  schedule:
    kind: polynomial

finetune:
  epochs: {epochs}
  batch_size: 64
  optimizer: adam
  learning_rate: 0.001
  lr_schedule: cosine-after-pruning
  distillation:
    weight: 0.9
    temperature: 2""",
    "pytorch": """  schedule:
    kind: one-shot

finetune:
  epochs: {epochs}
  batch_size: 64
  optimizer: adam
  learning_rate: 0.001
  lr_schedule: constant""",
}


# Compress's recipe without its distillation block (everything above it unchanged).
RECIPES["nodistill"] = RECIPES["compress"].split("\n  distillation:")[0]


def settings(text):
    """A spec without its comments: what decides whether an earlier run can be reused."""
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def write_spec(out, model_path, data, method, ranking, epochs, sparsity, seed, recipe="compress", insert_bn=False):
    """Writes <out>/compress.yaml; returns its path. An existing run with the same settings keeps its spec file.
    insert_bn adds `finetune.insert_batchnorm: true` (a BatchNormalization trained after every Conv, folded back)."""
    finetune = RECIPES[recipe].format(epochs=epochs)
    if insert_bn:
        finetune = finetune.replace("finetune:\n", "finetune:\n  insert_batchnorm: true\n")
    with open(os.path.join(HERE, "spec.template.yaml"), encoding="utf-8") as f:
        text = f.read().format(model=model_path, data=data, out=out, method=method, ranking=RANKINGS[ranking],
                               recipe=finetune, sparsity=sparsity, seed=seed)
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "compress.yaml")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            if settings(f.read()) == settings(text):
                return path
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    for stale in (os.path.join(out, "report", "report.json"), os.path.join(out, "model.compressed.onnx")):
        if os.path.exists(stale):
            os.remove(stale)
    return path


def compress_run(tool, spec, out):
    """`dotnet-compress run` on <spec>, unless a finished run of it is in <out>; (exported file, report.json)."""
    report_path = os.path.join(out, "report", "report.json")
    exported = os.path.join(out, "model.compressed.onnx")
    if not (os.path.exists(report_path) and os.path.exists(exported)):
        with open(os.path.join(out, "log.txt"), "w", encoding="utf-8") as log:
            code = subprocess.call(tool + ["run", spec, "--no-progress"], stdout=log, stderr=subprocess.STDOUT, cwd=REPO, env=tool_environment())
        if code != 0:
            raise SystemExit(f"dotnet-compress run exited {code}; see {out}/log.txt")
    with open(report_path, encoding="utf-8") as f:
        return exported, json.load(f)


def ort_accuracy(tool, spec, model_path):
    """`dotnet-compress eval`: ONNX Runtime's accuracy of the file on the spec's test split."""
    out = subprocess.run(tool + ["eval", model_path, "--spec", spec], capture_output=True, text=True, cwd=REPO, env=tool_environment())
    if out.returncode != 0:
        raise SystemExit(f"dotnet-compress eval {model_path} exited {out.returncode}:\n{out.stdout}\n{out.stderr}")
    match = re.search(r"^\s*accuracy\s+([0-9.]+)", out.stdout, re.MULTILINE)
    if not match:
        raise SystemExit(f"no accuracy in the output of dotnet-compress eval {model_path}:\n{out.stdout}")
    return float(match.group(1))


def file_sparsity(path):
    """Zeros of the weights the methods prune, counted in the ONNX file: the weight operands of Conv, Gemm and MatMul
    (input 1) and of GRU (W and R, inputs 1 and 2) that are initializers."""
    model = onnx.load(path)
    initializers = {t.name: t for t in model.graph.initializer}
    operands = {"Conv": (1,), "Gemm": (1,), "MatMul": (1,), "GRU": (1, 2)}
    names = {n.input[i] for n in model.graph.node if n.op_type in operands
             for i in operands[n.op_type] if i < len(n.input) and n.input[i] in initializers}
    arrays = [onnx.numpy_helper.to_array(initializers[name]) for name in sorted(names)]
    total = sum(a.size for a in arrays)
    return sum(int((a == 0).sum()) for a in arrays) / total if total else 0.0


# ---------------------------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=os.path.join(REPO, "samples", "AppWithModel", "data"))
    parser.add_argument("--work", default="/tmp/kws-bench")
    parser.add_argument("--results", default="/tmp/bench-results", help="where the docs/benchmarks.md fragment goes")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--methods", default="magnitude:global,magnitude:lamp,gradient:global,gradient:lamp,"
                                             "magnitude:global:insertbn,gradient:global:insertbn,gradient:global:nodistill,l1:global:nodistill,"
                                             "gradient:global:nodistill:insertbn,l1:global:nodistill:insertbn",
                        help="method:ranking[:pytorch|:nodistill][:insertbn]; pytorch = PyTorch's recipe instead of "
                             "Compress's, nodistill = Compress's without distillation, "
                             "insertbn = finetune.insert_batchnorm (BatchNorm trained after each Conv, folded back)")
    parser.add_argument("--gru-methods", default="magnitude:global,gradient:global,l1:global,l2:global,magnitude:global:pytorch,"
                                                 "gradient:global:nodistill,l1:global:nodistill",
                        help="the methods run on the GRU (--methods are the DS-CNN's; lamp is for layers of unlike scale)")
    parser.add_argument("--bn-methods", default="magnitude:global,gradient:global,l1:global,l2:global,magnitude:global:pytorch,"
                                                "gradient:global:nodistill,l1:global:nodistill",
                        help="the methods also run on the DS-CNN exported with its BatchNorm nodes kept "
                             "(method:ranking[:pytorch|:nodistill], as --methods)")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--dense-epochs", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--sparsity", type=float, default=0.8)
    parser.add_argument("--tool", default=f"dotnet {REPO}/src/Compress.Tool/bin/Release/net10.0/dotnet-compress.dll")
    parser.add_argument("--fragment-only", action="store_true", help="rewrite the fragment from <work>/results.json")
    args = parser.parse_args()
    results_path = os.path.join(args.work, "results.json")
    if args.fragment_only:
        with open(results_path, encoding="utf-8") as f:
            saved = json.load(f)
        return fragment(args, saved, os.path.getmtime(results_path))
    torch.set_num_threads(1)  # small models: a second thread on a shared 2-core machine is slower, not faster
    started = time.time()
    command = "/usr/bin/python3 bench/kws/kws_vs_pytorch.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    tool = shlex.split(args.tool)
    features = os.path.join(args.work, "npy")
    build_features(args.corpus, features)
    seeds = [int(s) for s in args.seeds.split(",")]
    methods = [m for m in args.methods.split(",") if m]
    gru_methods = [m for m in args.gru_methods.split(",") if m]
    rows = {}  # model -> row -> [per seed {accuracy, sparsity, ...}]
    for model in [m for m in args.models.split(",") if m]:
        data = model_data(features, model, args.work)
        train_set, test_x = load(data, "train"), load(data, "test")[0]
        rows[model] = {}
        for seed in seeds:
            folder = os.path.join(args.work, model, f"seed{seed}")
            os.makedirs(folder, exist_ok=True)
            dense_path = os.path.join(folder, "dense.onnx")
            eval_spec = write_spec(os.path.join(folder, "eval"), dense_path, data, "magnitude", "global", args.epochs,
                                   args.sparsity, seed)

            def record(name, path, **extra):
                rows[model].setdefault(name, []).append(dict(accuracy=ort_accuracy(tool, eval_spec, path),
                                                             sparsity=file_sparsity(path), **extra))
                print(f"{model} seed {seed} {name} {rows[model][name][-1]}", flush=True)

            module = dense_module(model, folder, train_set, test_x, args.dense_epochs, seed)
            record("dense", dense_path)
            pruned_path = os.path.join(folder, "pytorch-pruned.onnx")
            if not os.path.exists(pruned_path):
                export(pytorch_prune(module(), train_set, args.epochs, args.sparsity, seed), model, pruned_path, test_x)
            record("pytorch", pruned_path)
            if model == "dscnn":
                folded_path = os.path.join(folder, "pytorch-folded-pruned.onnx")
                if not os.path.exists(folded_path):
                    folded = folded_dscnn(dense_path)
                    export(pytorch_prune(folded, train_set, args.epochs, args.sparsity, seed), model, folded_path, test_x)
                record("pytorch-folded", folded_path)

            runs = [(variant, dense_path, "") for variant in (methods if model == "dscnn" else gru_methods)]
            if model == "dscnn":
                # The same dense module exported with its BatchNorm nodes kept: Compress then trains them with batch
                # statistics, as PyTorch does.
                bn_path = os.path.join(folder, "dense-bn.onnx")
                if not os.path.exists(bn_path):
                    export(module(), model, bn_path, test_x, preserve=True)
                record("dense-bn", bn_path)
                runs += [(variant, bn_path, ":bn") for variant in args.bn_methods.split(",") if variant]
            for variant, source, suffix in runs:
                method, ranking, *options = variant.split(":")
                recipe = "pytorch" if "pytorch" in options else "nodistill" if "nodistill" in options else "compress"
                insert_bn = "insertbn" in options
                out = os.path.join(folder, f"compress-{method}" + ("" if ranking == "global" else f"-{ranking}")
                                   + ("" if recipe == "compress" else f"-{recipe}-recipe")
                                   + ("-insertbn" if insert_bn else "") + suffix.replace(":", "-"))
                spec = write_spec(out, source, data, method, ranking, args.epochs, args.sparsity, seed, recipe, insert_bn)
                exported, report = compress_run(tool, spec, out)
                record(f"compress-{variant}{suffix}", exported, report_accuracy=report["compressed"]["accuracy"],
                       report_baseline=report["baseline"]["accuracy"])

    saved = dict(command=command, seeds=seeds, dense_epochs=args.dense_epochs, epochs=args.epochs,
                 sparsity=args.sparsity, seconds=time.time() - started, rows=rows,
                 clips={s: int(len(np.load(os.path.join(features, f"{s}_labels.npy")))) for s in ("train", "validation", "test")})
    with open(results_path, "w", encoding="utf-8") as f:
        json.dump(saved, f, indent=1)
    fragment(args, saved)


def fragment(args, saved, finished=None):
    rows, seeds, sparsity = saved["rows"], saved["seeds"], saved["sparsity"]
    names = {"dense": f"dense ({saved['dense_epochs']} epochs, PyTorch), the exported file",
             "pytorch": f"`torch.nn.utils.prune` global L1 {sparsity:.0%}, constant LR",
             "pytorch-folded": f"`torch.nn.utils.prune` as above, on the exported BN-folded weights (what Compress receives)",
             "dense-bn": "the same dense module exported with its BatchNorm nodes kept (`training=TrainingMode.PRESERVE`, `do_constant_folding=False`)"}
    for model_rows in rows.values():
        for name in model_rows:
            if name.startswith("compress-"):
                method, ranking, *rest = name[len("compress-"):].split(":")
                names[name] = (f"Compress {method} {sparsity:.0%}, "
                               + ("one global threshold (`scope: global`)" if ranking == "global" else "`allocation: lamp`")
                               + (", PyTorch's recipe (one-shot, constant LR, no distillation)" if "pytorch" in rest else "")
                               + (", Compress's recipe without distillation" if "nodistill" in rest else "")
                               + (", `finetune.insert_batchnorm: true`" if "insertbn" in rest else "")
                               + (", on the export that keeps BatchNorm (`TrainingMode.PRESERVE`)" if "bn" in rest else ""))
    clips = saved["clips"]
    lines = [
        "## 8b. Keyword spotters exported by PyTorch: Compress vs `torch.nn.utils.prune`",
        "",
        f"Issue 21's comparison on the foreign fixtures, measured by `{saved['command'].strip()}` (bench/kws/). "
        "Two of the real-models fixtures' architectures (tools/fixtures/make-fixtures.py; "
        + "; ".join(DESCRIPTIONS[m] for m in rows) + ") are trained in PyTorch "
        "on the sample's corpus as a 12-class Speech Commands task (49 × 40 log-mel features computed and "
        "standardised in Python, written as npy that both sides read; voice-disjoint splits of "
        f"{clips['train']:,} / {clips['validation']:,} / {clips['test']:,} clips) and exported the way the fixture is. "
        f"From each seed's model, {sparsity:.0%} of every Conv/Gemm/GRU weight is pruned, by PyTorch "
        "(`prune.global_unstructured(L1Unstructured)` on the dense module, BatchNorm included, then the epochs at a "
        "constant learning rate) and by Compress (`dotnet-compress run` on the exported file, "
        "bench/kws/spec.template.yaml: no first/last protection, one threshold over all those weights — on the raw "
        "scores like PyTorch's, or on LAMP's layer-normalised ones —, a polynomial schedule, the default learning-rate "
        f"schedule (`cosine-after-pruning`: the base rate until the ramp ends, then cosine decay), distillation from the dense file at weight 0.9, T = 2), both with {saved['epochs']} epochs of Adam at "
        "1e-3, batch 64. For the DS-CNN a third PyTorch row prunes what Compress receives: the exported file's "
        "BN-folded weights in the same network without BatchNorm, with PyTorch's recipe; and the same dense module is "
        "also exported with its BatchNorm nodes kept, which Compress fine-tunes with batch statistics as PyTorch does "
        "(the rows marked PRESERVE); the rows marked `finetune.insert_batchnorm` run on the folded file with a "
        "BatchNormalization trained after every Conv and folded back into it at export (docs/pruning.md). On the PRESERVE export and on the GRU, Compress also runs PyTorch's recipe (one-shot, "
        "constant learning rate, no distillation), so that row differs from PyTorch's in the implementation only. "
        "Every file is measured by "
        "`dotnet-compress eval` (ONNX Runtime) on the test split; the sparsity "
        f"is counted in the file. Seeds {', '.join(map(str, seeds))} (dense initialisation and shuffling, PyTorch's "
        "pruned fine-tune, Compress `seed`): median with min–max; Δ is against the dense file of the same seed. "
        "Files an earlier invocation left in `--work` were reused, so the wall time below is the last invocation's.",
        "",
        "| model | pruned by | sparsity | test accuracy | Δ vs dense, points | Δ vs `torch.nn.utils.prune`, points | seeds ≥ PyTorch |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    verdicts = []
    for model, by in rows.items():
        dense, torch_rows = by["dense"], by["pytorch"]
        for name, ms in by.items():
            vs_dense = "" if name == "dense" else median_range([100 * (m["accuracy"] - d["accuracy"]) for m, d in zip(ms, dense)], "{:+.2f}")
            vs_torch, count = "", ""
            if name.startswith("compress-"):
                deltas = [100 * (m["accuracy"] - p["accuracy"]) for m, p in zip(ms, torch_rows)]
                vs_torch = median_range(deltas, "{:+.2f}")
                at_least = sum(d >= 0 for d in deltas)
                count = f"{at_least}/{len(deltas)}"
                verdicts.append(f"{model}, {names[name][len('Compress '):]}: median {statistics.median(deltas):+.2f} "
                                f"points against PyTorch, {at_least} of {len(deltas)} seeds at or above it "
                                f"(**{'met' if at_least == len(deltas) else 'not met'}**)")
            label = names[name]
            lines.append(f"| {LABELS[model]} | {label} | {median_range([m['sparsity'] for m in ms], '{:.3f}')} | "
                         f"{median_range([m['accuracy'] for m in ms])} | {vs_dense} | {vs_torch} | {count} |")
    lines += ["", "Issue 21's target \"at 80 %, never worse than `torch.nn.utils.prune` global magnitude with the same "
              "epochs\" (never = on every seed), on this run: " + "; ".join(verdicts) + "."]
    checked = [m for by in rows.values() for name, ms in by.items() if name.startswith("compress-") for m in ms]
    if checked:
        gap = max(abs(m["report_accuracy"] - m["accuracy"]) for m in checked)
        lines += ["", f"Cross-check: over the {len(checked)} Compress runs, the accuracy in report.json (measured "
                  f"inside `dotnet-compress run`) and `eval`'s differ by at most {gap:.1e}."]
    lines += ["", f"Machine: {machine()}."]
    with open(os.path.join(HERE, "NOTES.md"), encoding="utf-8") as f:
        lines += ["", f.read().strip()]
    seconds = saved.get("seconds", 0)
    os.makedirs(args.results, exist_ok=True)
    path = os.path.join(args.results, "81-kws-pytorch.md")
    stamp = time.strftime("%Y-%m-%d %H:%M", time.gmtime((finished or time.time()) - seconds))
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"<!-- section 81-kws-pytorch: `{saved['command'].strip()}`, started {stamp} UTC, {seconds:.0f} s -->\n")
        f.write("\n".join(lines) + "\n\n")
        f.write(f"*Section wall time: {seconds:.0f} s.*\n")
    print("\n".join(lines))
    print(f"fragment: {path}")


if __name__ == "__main__":
    main()
