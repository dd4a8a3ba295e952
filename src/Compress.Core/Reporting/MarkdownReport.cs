using System.Globalization;
using System.Text;
using static Compress.Reporting.ReportWriter;

namespace Compress.Reporting;

/// <summary>The human-readable report: tables a person reads in a CI summary.</summary>
public static class MarkdownReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static string Signed(double value) => value.ToString("+0.0000;-0.0000;0.0000", Inv);

    /// <summary>Renders the report.</summary>
    public static string Render(CompressionReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        var verdict = report.Gate is null ? "" : report.Gate.Passed ? " — gate passed" : " — **gate FAILED**";
        md.AppendLine(Inv, $"## Compress report{verdict}").AppendLine();
        md.AppendLine(Inv, $"Method `{report.Method}`{(report.Reconstruct ? " with `reconstruct` (each layer's kept weights re-solved after every pruning step)" : "")}{(report.InsertedBatchNorms > 0 ? $", {report.InsertedBatchNorms} BatchNormalization(s) trained after the Convs and folded back (`insert_batchnorm`)" : "")}, total sparsity **{N(report.TotalSparsity, "0.0%")}**, tool {report.ToolVersion}.").AppendLine();
        if (report.Head is { } head)
        {
            md.AppendLine(Inv, $"Output `{head.Output}`: {head.Kind} head, trained on `{head.TrainedOn}` with {head.Loss}.").AppendLine();
        }

        if (report.Baseline is not null || report.Compressed is not null)
        {
            md.AppendLine("| metric | dense baseline | compressed | change |").AppendLine("|---|---:|---:|---:|");
            if (report.Baseline?.Transcription is not null || report.Compressed?.Transcription is not null)
            {
                var decoder = report.Compressed?.Transcription?.Decoder ?? report.Baseline?.Transcription?.Decoder;
                Row(md, decoder is null or "greedy" ? "WER" : $"WER ({decoder})", report.Baseline?.Transcription?.Wer, report.Compressed?.Transcription?.Wer);
                Row(md, "CER", report.Baseline?.Transcription?.Cer, report.Compressed?.Transcription?.Cer);
                Row(md, "utterances exact", report.Baseline?.Accuracy, report.Compressed?.Accuracy);
            }
            else
            {
                Row(md, "accuracy", report.Baseline?.Accuracy, report.Compressed?.Accuracy);
                Row(md, "macro-F1", report.Baseline?.MacroF1, report.Compressed?.MacroF1);
            }

            if (report.Baseline?.FrrAtFaPerHour is not null || report.Compressed?.FrrAtFaPerHour is not null)
            {
                var at = report.Compressed?.WakeWord is { } w ? $"FRR of {w.Label} at {N(w.FaPerHour, "0.###")} FA/h" : "FRR at FA/h";
                Row(md, at, report.Baseline?.FrrAtFaPerHour, report.Compressed?.FrrAtFaPerHour);
                Row(md, "threshold (probability)", report.Baseline?.Threshold, report.Compressed?.Threshold);
            }

            if (report.Compressed?.WakeWord is { } wake)
            {
                md.AppendLine(Inv, $"| false rejects / false accepts | {Counts(report.Baseline?.WakeWord)} | {Counts(wake)} | |");
            }

            // The unpaired per-batch medians (baseline/compressed latency_ms_per_clip) are measured minutes apart and are
            // not compared here: only the paired rows, timed in alternation, are.
            LatencyRow(md, report.Latency);
            LatencyRow(md, report.LatencyBatched);
            md.AppendLine();
        }

        if (report.QuantizationLatency is { } ql)
        {
            var faster = ql.Ratio < 1 ? "int8 is faster" : "**int8 is not faster** than the float export";
            md.AppendLine(Inv, $"int8 against the float export, ONNX Runtime ms per clip (paired, {Threads(ql.Threads)}, batch {ql.Batch}): float {N(ql.ReferenceMsPerClip, "0.0000")}, int8 {N(ql.CandidateMsPerClip, "0.0000")}, int8/float **{N(ql.Ratio)}×** ({Spread(ql)}) — {faster}.");
            md.AppendLine();
        }

        if (report.Gate is { } gate)
        {
            var thresholds = new List<string>();
            if (gate.Min is double min) { thresholds.Add($"min {N(min)}"); }
            if (gate.Max is double max) { thresholds.Add($"max {N(max)}"); }
            if (gate.MaxDrop is double drop) { thresholds.Add($"{(gate.Metric is "wer" or "cer" or "frr_at_fa_per_hour" ? "max_increase" : "max_drop")} {N(drop)}"); }
            if (gate.MaxRelativeDrop is double rel) { thresholds.Add($"max_relative_drop {N(rel, "0.0%")}"); }
            md.AppendLine(Inv, $"Gate on `{gate.Metric}` ({string.Join(", ", thresholds)}): {N(gate.Value)} vs baseline {N(gate.Baseline)} — {(gate.Passed ? "passed" : "FAILED")}.");
            foreach (var failure in gate.Failures)
            {
                md.AppendLine(Inv, $"- `{failure}`");
            }

            if (gate.Paired is { } p)
            {
                var items = report.Compressed?.Transcription is null ? "clips" : "utterances";
                md.AppendLine().AppendLine(Inv, $"Paired on the same {p.Items} {items}: compressed − baseline {Signed(p.Difference)} (95% interval {Signed(p.Low)} to {Signed(p.High)}; better on {p.Better}, worse on {p.Worse}). A change of less than ±{N((p.High - p.Low) / 2, "0.0000")} is within what this test split can resolve.");
            }

            md.AppendLine();
        }

        if (report.Warnings.Count > 0)
        {
            md.AppendLine(Inv, $"Warnings ({report.Warnings.Count}):");
            foreach (var warning in report.Warnings)
            {
                md.AppendLine(Inv, $"- `{warning}`");
            }

            md.AppendLine();
        }

        if (report.Sizes is { } sizes)
        {
            md.AppendLine("| file | bytes | of dense |").AppendLine("|---|---:|---:|");
            md.AppendLine(Inv, $"| dense ONNX | {sizes.DenseOnnxBytes:N0} | 100% |");
            var int8 = report.Quantization is { QuantizedTensors: > 0 } q
                ? string.Create(Inv, $", {q.QuantizedTensors} int8 weight tensors{(q.AwareEpochs is { } aware ? $", quantization-aware for the last {aware} epochs" : "")}")
                : "";
            int8 += report.Quantization is { QuantizedActivations: > 0 } a ? string.Create(Inv, $", {a.QuantizedActivations} int8 activations") : "";
            md.AppendLine(Inv, $"| exported ONNX (`{sizes.Storage}`{int8}) | {sizes.ExportedOnnxBytes:N0} | {N((double)sizes.ExportedOnnxBytes / Math.Max(1, sizes.DenseOnnxBytes), "0.0%")} |");
            md.AppendLine(Inv, $"| embedded (`{(sizes.Filter == "none" ? sizes.Compression : sizes.Filter + " + " + sizes.Compression)}`) | {sizes.EmbeddedBytes:N0} | {N((double)sizes.EmbeddedBytes / Math.Max(1, sizes.DenseOnnxBytes), "0.0%")} |");
            md.AppendLine();
        }

        if (report.Layers.Count > 0)
        {
            md.AppendLine("| layer | elements | zeros | sparsity |").AppendLine("|---|---:|---:|---:|");
            foreach (var layer in report.Layers)
            {
                md.AppendLine(Inv, $"| `{(layer.Sources.Count == 0 ? layer.Name : $"{layer.Name} ({string.Join(", ", layer.Sources)})")}` | {layer.Elements:N0} | {layer.Zeros:N0} | {N(layer.Sparsity, "0.0%")} |");
            }

            md.AppendLine();
        }

        foreach (var kept in report.Protected)
        {
            md.AppendLine(Inv, $"Protected (dense): `{kept.Name}`, {kept.Elements:N0} elements: {kept.Reason}.");
            md.AppendLine();
        }

        if (report.Compressed?.Transcription is { } transcription)
        {
            var w = transcription.Words;
            var c = transcription.Characters;
            md.AppendLine(Inv, $"Compressed model: {w.Substitutions + w.Deletions + w.Insertions:N0} word errors ({w.Substitutions:N0} substitutions, {w.Deletions:N0} deletions, {w.Insertions:N0} insertions) in {w.Reference:N0} words; {c.Substitutions + c.Deletions + c.Insertions:N0} character errors in {c.Reference:N0} characters.");
            md.AppendLine();
            if (transcription.Worst.Count > 0)
            {
                md.AppendLine("| reference | decoded | word errors | char errors |").AppendLine("|---|---|---:|---:|");
                foreach (var u in transcription.Worst)
                {
                    md.AppendLine(Inv, $"| {Cell(u.Reference)} | {Cell(u.Hypothesis)} | {u.WordErrors} | {u.CharacterErrors} |");
                }

                md.AppendLine();
            }
        }

        if (report.Compressed is { PerClass.Count: > 0 } compressed)
        {
            md.AppendLine("| class | support | precision | recall | F1 |").AppendLine("|---|---:|---:|---:|---:|");
            foreach (var c in compressed.PerClass)
            {
                md.AppendLine(Inv, $"| {c.Label} | {c.Support} | {N(c.Precision)} | {N(c.Recall)} | {N(c.F1)} |");
            }

            md.AppendLine();
        }

        if (report.Timings.Count > 0)
        {
            md.AppendLine("Timings: " + string.Join(", ", report.Timings.Select(t => $"{t.Stage} {N(t.Seconds, "0.0")} s")) + ".");
        }

        return md.ToString();
    }

    /// <summary>Text for a table cell: pipes escaped, an empty text shown as an em dash.</summary>
    private static string Cell(string text) => text.Length == 0 ? "—" : text.Replace("|", "\\|", StringComparison.Ordinal);

    /// <summary>A paired latency in the metrics table: ms per clip of each, and the median ratio with its quartiles as the change.</summary>
    private static void LatencyRow(StringBuilder md, LatencyRecord? l)
    {
        if (l is null)
        {
            return;
        }

        var batch = l.Batch == 1 ? "" : string.Create(Inv, $", batch {l.Batch}");
        md.AppendLine(Inv, $"| ONNX Runtime ms per clip (paired, {Threads(l.Threads)}{batch}) | {N(l.ReferenceMsPerClip, "0.0000")} | {N(l.CandidateMsPerClip, "0.0000")} | {N(l.Ratio)}× ({Spread(l)}) |");
    }

    private static string Threads(int threads) => threads == 1 ? "1 thread" : string.Create(Inv, $"{threads} threads");

    /// <summary>The per-round ratios' quartiles: min and max (in report.json) are one hiccup of the machine away from anything.</summary>
    private static string Spread(LatencyRecord l) => string.Create(Inv, $"quartiles {N(l.RatioP25)}–{N(l.RatioP75)} of {l.Rounds} rounds");

    private static string Counts(WakeWordRecord? w) => w is null ? "" : FormattableString.Invariant($"{w.FalseRejects} of {w.Positives} / {w.FalseAccepts} of {w.Negatives}");

    private static void Row(StringBuilder md, string name, double? baseline, double? compressed)
    {
        var change = baseline is double b && compressed is double c ? (c - b >= 0 ? "+" : "") + N(c - b) : "";
        md.AppendLine(Inv, $"| {name} | {(baseline is double x ? N(x) : "")} | {(compressed is double y ? N(y) : "")} | {change} |");
    }
}
