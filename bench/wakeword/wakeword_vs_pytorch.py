#!/usr/bin/python3
"""Issue 17's wake-word acceptance line: a third-party wake-word head pruned to 80% by Compress and by
torch.nn.utils.prune, each from the same dense fine-tune, on a voice-disjoint test split.

    /usr/bin/python3 bench/wakeword/wakeword_vs_pytorch.py [--features /tmp/wakeword-bench] [--seeds 1,2,3]
        [--epochs 30] [--variants global,per-layer,...] [--results /tmp/bench-results] [--fragment-only]

Needs the embedding features of tools/fixtures/wakeword-bench.py in --features ({split}_features.npy [N,16,96],
{split}_labels.npy; that script builds them once) and a Release build of the tool
(dotnet build src/Compress.Tool -c Release). Per seed:

1. Dense: tools/fixtures/wakeword-bench.py's Head (Flatten -> Linear(1536,32)+LayerNorm+ReLU -> Linear(32,32)+
   LayerNorm+ReLU -> Linear(32,1)) trained --epochs from seeded initialisation on the standardised features, then
   exported as a third-party head ships: opset 13, batch fixed at 1, Sigmoid output [1, 1] (as
   tools/fixtures/make-fixtures.py's wakeword_head_b1). That file is "the third-party head".
2. PyTorch: the dense head, prune.global_unstructured(L1Unstructured) to --sparsity over the three Linear weights,
   --epochs more with the masks on (the reference script's recipe, seed + 1), prune.remove.
3. Compress: `dotnet-compress run` on the exported file with bench/wakeword/spec.template.yaml, once per variant
   (VARIANTS: global / per-layer magnitude, polynomial or one-shot schedule, distillation weight), same npy splits, same
   epochs; the exported 80% file is read back.
4. Every head (dense ONNX, PyTorch-pruned, Compress's exported ONNX) is scored by the same code on the validation
   and test splits: accuracy and balanced accuracy at 0.5, and recall at the threshold that accepts --far of the
   validation negatives (no test data chooses anything). Compress's exported files are evaluated by loading their
   initializers into the PyTorch module; report.json's ONNX Runtime accuracy of the same file is printed next to it
   as a cross-check.

Writes <work>/results.json and the markdown fragment <results>/80-wakeword.md for docs/benchmarks.md.
"""

import argparse
import copy
import importlib.util
import json
import os
import shlex
import statistics
import subprocess
import sys
import time

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
import torch.nn.utils.prune as prune

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "bench", "pytorch"))
from common import machine, median_range, tool_environment  # noqa: E402
_spec = importlib.util.spec_from_file_location("wakeword_bench", os.path.join(REPO, "tools", "fixtures", "wakeword-bench.py"))
wb = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(wb)

# name -> (scope, schedule, distillation weight (0 = off), lr schedule)
VARIANTS = {
    "global": ("global", "polynomial", 0.5, "cosine"),
    "per-layer": ("per-layer", "polynomial", 0.5, "cosine"),
    "global-oneshot": ("global", "one-shot", 0.5, "constant"),
    "global-nodistill": ("global", "polynomial", 0, "cosine"),
    "global-distill09": ("global", "polynomial", 0.9, "cosine"),
}


class Shipped(nn.Module):
    """The head as a third party ships it: [1, 16, 96] -> Sigmoid score [1, 1]."""

    def __init__(self, head):
        super().__init__()
        self.layers = head.layers

    def forward(self, x):
        return torch.sigmoid(self.layers(x))


def standardised(features, work):
    """The splits standardised with the training split's per-feature statistics, as npy files Compress reads too."""
    folder = os.path.join(work, "npy")
    splits = {s: wb.load(features, s) for s in ("train", "validation", "test")}
    mean, std = splits["train"][0].mean(0), splits["train"][0].std(0) + 1e-6
    splits = {s: ((x - mean) / std, y) for s, (x, y) in splits.items()}
    os.makedirs(folder, exist_ok=True)
    for s, (x, y) in splits.items():
        if not os.path.exists(os.path.join(folder, f"{s}_labels.npy")):
            np.save(os.path.join(folder, f"{s}_features.npy"), x.numpy().astype(np.float32))
            np.save(os.path.join(folder, f"{s}_labels.npy"), y.numpy().astype(np.int64))
    return splits, folder


def export(head, path):
    x = torch.zeros(1, wb.EMBED_FRAMES, wb.EMBED_DIM)
    torch.onnx.export(Shipped(head).eval(), (x,), path, opset_version=13, input_names=["input"], output_names=["score"])
    onnx.checker.check_model(onnx.load(path))


def from_onnx(path):
    """A Head with the weights of an exported head file (names as torch.onnx wrote them)."""
    head = wb.Head()
    model = onnx.load(path)
    weights = {t.name: onnx.numpy_helper.to_array(t) for t in model.graph.initializer}
    state = head.state_dict()
    missing = [k for k in state if k not in weights]
    if missing:
        raise SystemExit(f"{path}: no initializer for {missing}; has {sorted(weights)}")
    head.load_state_dict({k: torch.from_numpy(np.array(weights[k])).reshape(state[k].shape) for k in state})
    return head.eval()


def linear_sparsity(head):
    linears = [m for m in head.modules() if isinstance(m, nn.Linear)]
    return sum((m.weight == 0).sum().item() for m in linears) / sum(m.weight.numel() for m in linears)


def auc(scores, labels):
    """ROC AUC: the probability that a random positive scores above a random negative (ties count half)."""
    pos, neg = scores[labels == 1], scores[labels == 0]
    above = (pos[:, None] > neg[None, :]).float().mean().item()
    ties = (pos[:, None] == neg[None, :]).float().mean().item()
    return above + 0.5 * ties


def measure(head, splits, far):
    """tools/fixtures/wakeword-bench.py's test metrics (threshold from the validation negatives), the test and
    validation ROC AUC, and the validation recall at that threshold (what a variant may be chosen by)."""
    m = wb.metrics(head, splits["validation"], splits["test"], far)
    (vx, vy), (tx, ty) = splits["validation"], splits["test"]
    val, test = wb.scores(head, vx), wb.scores(head, tx)
    negatives = val[vy == 0].sort(descending=True).values
    threshold = negatives[min(len(negatives) - 1, int(far * len(negatives)))].item()
    m.update(auc=auc(test, ty), val_auc=auc(val, vy), val_recall_at_far=(val[vy == 1] > threshold).float().mean().item(),
             sparsity=linear_sparsity(head))
    return m


def pytorch_prune(dense, train_set, epochs, sparsity, seed, weighted=True):
    head = copy.deepcopy(dense)
    parameters = [(m, "weight") for m in head.modules() if isinstance(m, nn.Linear)]
    prune.global_unstructured(parameters, pruning_method=prune.L1Unstructured, amount=sparsity)
    wb.train(head, *train_set, epochs, seed + 1, weighted=weighted)
    for module, name in parameters:
        prune.remove(module, name)
    return head


def compress_run(tool, model, data, out, variant, epochs, sparsity, seed):
    scope, schedule, distill, lr_schedule = VARIANTS[variant]
    with open(os.path.join(HERE, "spec.template.yaml"), encoding="utf-8") as f:
        template = f.read()
    spec = template.format(model=model, data=data, out=out, scope=scope, schedule=schedule, epochs=epochs,
                           sparsity=sparsity, seed=seed, lr_schedule=lr_schedule,
                           distillation=f"  distillation: {{weight: {distill}, temperature: 4}}\n" if distill else "")
    os.makedirs(out, exist_ok=True)
    spec_path = os.path.join(out, "compress.yaml")
    with open(spec_path, "w", encoding="utf-8") as f:
        f.write(spec)
    started = time.time()
    with open(os.path.join(out, "log.txt"), "w", encoding="utf-8") as log:
        code = subprocess.call(tool + ["run", spec_path], stdout=log, stderr=subprocess.STDOUT, cwd=REPO, env=tool_environment())
    if code != 0:
        raise SystemExit(f"dotnet-compress run exited {code}; see {out}/log.txt")
    with open(os.path.join(out, "report", "report.json"), encoding="utf-8") as f:
        report = json.load(f)
    return os.path.join(out, "head.compressed.onnx"), report, time.time() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--features", default="/tmp/wakeword-bench")
    parser.add_argument("--work", default="/tmp/wakeword-bench/compare")
    parser.add_argument("--results", default="/tmp/bench-results", help="where the docs/benchmarks.md fragment goes")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--sparsity", type=float, default=0.8)
    parser.add_argument("--far", type=float, default=0.01)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--tool", default=f"dotnet {REPO}/src/Compress.Tool/bin/Release/net10.0/dotnet-compress.dll")
    parser.add_argument("--fragment-only", action="store_true", help="rewrite the fragment from <work>/results.json")
    args = parser.parse_args()
    if args.fragment_only:
        with open(os.path.join(args.work, "results.json"), encoding="utf-8") as f:
            saved = json.load(f)
        finished = os.path.getmtime(os.path.join(args.work, "results.json"))
        return fragment(args, saved["command"], saved["seeds"], saved["rows"], saved.get("seconds", 0), finished)
    torch.set_num_threads(1)  # a 1536x32 head: two threads on a shared 2-core box are ~8x slower than one
    started = time.time()
    command = "/usr/bin/python3 bench/wakeword/wakeword_vs_pytorch.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])

    splits, data = standardised(args.features, args.work)
    seeds = [int(s) for s in args.seeds.split(",")]
    variants = [v for v in args.variants.split(",") if v]
    rows = {}  # name -> [metrics per seed]
    for seed in seeds:
        folder = os.path.join(args.work, f"seed{seed}")
        os.makedirs(folder, exist_ok=True)
        dense_path = os.path.join(folder, "head.onnx")
        if not os.path.exists(dense_path):
            torch.manual_seed(seed)
            head = wb.Head()
            wb.train(head, *splits["train"], args.epochs, seed)
            export(head, dense_path)
        dense = from_onnx(dense_path)
        rows.setdefault("dense", []).append(measure(dense, splits, args.far))
        print(f"seed {seed} dense {rows['dense'][-1]}", flush=True)

        t = time.time()
        pruned = pytorch_prune(dense, splits["train"], args.epochs, args.sparsity, seed)
        seconds = time.time() - t
        export(pruned, os.path.join(folder, "head.pytorch-pruned.onnx"))
        rows.setdefault("pytorch", []).append(dict(measure(pruned, splits, args.far), seconds=seconds))
        # The same with Compress's loss (unweighted BCE): how much of the difference is the class weighting.
        unweighted = pytorch_prune(dense, splits["train"], args.epochs, args.sparsity, seed, weighted=False)
        rows.setdefault("pytorch-unweighted", []).append(measure(unweighted, splits, args.far))
        print(f"seed {seed} pytorch {rows['pytorch'][-1]}", flush=True)

        for variant in variants:
            exported, report, seconds = compress_run(shlex.split(args.tool), dense_path, data,
                                                     os.path.join(folder, f"compress-{variant}"), variant,
                                                     args.epochs, args.sparsity, seed)
            m = measure(from_onnx(exported), splits, args.far)
            m.update(seconds=seconds, ort_accuracy=report["compressed"]["accuracy"],
                     ort_baseline_accuracy=report["baseline"]["accuracy"], total_sparsity=report["total_sparsity"])
            rows.setdefault(f"compress-{variant}", []).append(m)
            print(f"seed {seed} compress-{variant} {m}", flush=True)

    with open(os.path.join(args.work, "results.json"), "w", encoding="utf-8") as f:
        json.dump(dict(command=command, seeds=seeds, epochs=args.epochs, seconds=time.time() - started, rows=rows), f,
                  indent=1)
    fragment(args, command, seeds, rows, time.time() - started)


METRICS = (("accuracy", "accuracy @0.5"), ("balanced", "balanced accuracy @0.5"), ("auc", "ROC AUC"),
           ("recall_at_far", "recall @1% validation FA"))


def fragment(args, command, seeds, rows, seconds, finished=None):
    """The docs/benchmarks.md section: absolute metrics, paired differences to dense, and the notes."""
    labels = {"dense": "dense fine-tune (the third-party head)",
              "pytorch": f"`torch.nn.utils.prune` global {args.sparsity:.0%}",
              "pytorch-unweighted": f"`torch.nn.utils.prune` global {args.sparsity:.0%}, unweighted BCE"}
    for variant, (scope, schedule, distill, lr) in VARIANTS.items():
        labels[f"compress-{variant}"] = (f"Compress magnitude {args.sparsity:.0%}, {scope}, {schedule}, "
                                         f"{f'distillation {distill}' if distill else 'no distillation'}, {lr} LR")
    dense = rows["dense"]
    command = command.strip()

    def deltas(ms, key):
        return [100 * (m[key] - d[key]) for m, d in zip(ms, dense)]

    lines = [
        "## 8. Wake-word head: Compress vs `torch.nn.utils.prune`",
        "",
        f"Issue 17's acceptance case, measured by `{command}` (bench/wakeword/; the embedding features are "
        "`tools/fixtures/wakeword-bench.py`'s, built once). A third-party-style wake-word head (`[1, 16, 96]` "
        "embeddings → 3 Gemm + LayerNorm → Sigmoid → `[1, 1]`, batch fixed at 1, opset 13) is fine-tuned dense in "
        f"PyTorch on its own embedding features for {args.epochs} epochs (keyword `marvin` against every other word "
        "and background noise: 15114 training clips, 498 positives; voice-disjoint validation and test splits of "
        "2756 clips, 88 positives each) and exported the way such a head ships. From that file, "
        f"{args.sparsity:.0%} of its three Gemm weights are pruned by Compress (`dotnet-compress run` on the exported "
        "file, its exported 80% model read back) and by PyTorch (`prune.global_unstructured(L1Unstructured)` on the "
        f"dense module), each followed by {args.epochs} fine-tuning epochs of Adam at 1e-3, batch 128. Every head is "
        "scored by the same code on the test split; the false-accept threshold is chosen on the validation "
        f"negatives. Seeds {', '.join(map(str, seeds))} (the dense initialisation and shuffling, PyTorch's pruned "
        "fine-tune, Compress `seed`): median with min–max.",
        "",
        "| head | sparsity | " + " | ".join(title for _, title in METRICS) + " | test FA rate at that threshold |",
        "|---|---:|" + "---:|" * (len(METRICS) + 1),
    ]
    for name, ms in rows.items():
        lines.append(f"| {labels.get(name, name)} | {median_range([m['sparsity'] for m in ms], '{:.3f}')} | "
                     + " | ".join(median_range([m[key] for m in ms]) for key, _ in METRICS)
                     + f" | {median_range([m['test_far'] for m in ms])} |")
    lines += [
        "",
        "Differences to the dense head of the same seed, in points (median, min–max over seeds); the last column is "
        "the same recall on the validation split, the only number a variant may be chosen by:",
        "",
        "| head | " + " | ".join(f"Δ {title}" for _, title in METRICS) + " | Δ validation recall @1% FA |",
        "|---|" + "---:|" * (len(METRICS) + 1),
    ]
    for name, ms in rows.items():
        if name != "dense":
            lines.append(f"| {labels.get(name, name)} | "
                         + " | ".join(median_range(deltas(ms, key), '{:+.2f}') for key, _ in METRICS)
                         + f" | {median_range(deltas(ms, 'val_recall_at_far'), '{:+.2f}')} |")
    lines += ["", "Within 1 point of dense (median Δ ≥ −1) per metric:", ""]
    for name, ms in rows.items():
        if name != "dense":
            verdict = ", ".join(f"{title} {'yes' if statistics.median(deltas(ms, key)) >= -1 else 'no'}"
                                for key, title in METRICS)
            lines.append(f"- {labels.get(name, name)}: {verdict}.")
    lines += ["", f"Machine: {machine()}."]
    checked = [m for name, ms in rows.items() if name.startswith("compress-") for m in ms]
    if checked:
        gap = max(max(abs(m["ort_accuracy"] - m["accuracy"]), abs(m["ort_baseline_accuracy"] - d["accuracy"]))
                  for name, ms in rows.items() if name.startswith("compress-") for m, d in zip(ms, dense))
        lines += ["", f"Cross-check: over the {len(checked)} Compress runs, the accuracy ONNX Runtime measured in "
                  f"report.json (dense baseline and compressed file) differs from this script's by at most {gap:.1e}."]
    with open(os.path.join(HERE, "NOTES.md"), encoding="utf-8") as f:
        notes = f.read().strip()
    os.makedirs(args.results, exist_ok=True)
    path = os.path.join(args.results, "80-wakeword.md")
    stamp = time.strftime("%Y-%m-%d %H:%M", time.gmtime((finished or time.time()) - seconds))
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"<!-- section 80-wakeword: `{command}`, started {stamp} UTC, {seconds:.0f} s -->\n")
        f.write("\n".join(lines) + "\n\n" + notes + "\n\n")
        f.write(f"*Section wall time: {seconds:.0f} s.*\n")
    print("\n".join(lines))
    print(f"fragment: {path}")


if __name__ == "__main__":
    main()
