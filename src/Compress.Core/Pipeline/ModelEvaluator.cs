using System.Globalization;
using Compress.Data;
using Compress.Diagnostics;
using Compress.Export;
using Compress.Features;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Spec;

namespace Compress.Pipeline;

/// <summary>
/// <c>dotnet compress eval MODEL --spec</c>: measures any model (dense input, exported, or the embedded bytes,
/// gzip/Brotli-compressed or not) with ONNX Runtime on the spec's test split, exactly as the gate does. A model whose
/// single input is rank 2 (<c>[N, samples]</c>) is fed PCM; any other is fed the spec's features.
/// </summary>
public sealed class ModelEvaluator : IModelEvaluator
{
    /// <inheritdoc />
    public int Evaluate(string modelPath, CompressSpec spec, TextWriter output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(output);
        var stored = File.ReadAllBytes(modelPath);
        var bytes = Decompressed(stored);
        var model = OnnxModelIO.Load(bytes, modelPath, Path.GetDirectoryName(Path.GetFullPath(modelPath)));
        var plain = OnnxModelIO.Save(model);
        var frontEnd = SpecMapping.FrontEnd(spec.Features);
        if (InputRank(model) == 2)
        {
            frontEnd = frontEnd with { Kind = FrontEndKind.None };
        }

        using var dataset = DatasetLoader.Load(SpecMapping.Dataset(spec, spec.Seed), spec.File);
        if (dataset.Diagnostics.Any(d => d.IsError))
        {
            throw new CompressException(dataset.Diagnostics);
        }

        using var owned = dataset.Features is null
            ? FeatureCache.Build(dataset, DatasetSplit.Test, frontEnd, spec.Data.Cache, null, spec.Seed, null, ct)
            : null;
        var test = owned ?? dataset.Features!.Test;
        var m = CompressPipeline.Run(() => OrtEvaluation.Measure(plain, test, spec.Labels, OrtEvaluation.FeedShape(model, test.ItemShape), threads: spec.Threads ?? 0, cancellationToken: ct), modelPath, "the model");
        Write(output, modelPath, stored.Length, m);
        return 0;
    }

    /// <summary>The ONNX bytes of a file that may be gzip- or Brotli-compressed and filtered (as <c>output.compress</c> and <c>output.filter</c> write).</summary>
    public static byte[] Decompressed(byte[] stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (stored.Length > 2 && stored[0] == 0x1f && stored[1] == 0x8b)
        {
            return EmbeddedCompressor.Decompress(stored, EmbeddedCompression.Gzip);
        }

        if (LooksLikeOnnx(stored))
        {
            return stored;
        }

        if (EmbeddedFilterDecoder.IsFiltered(stored))
        {
            return EmbeddedFilterDecoder.Decode(stored); // a container already decompressed by another tool
        }

        try
        {
            return EmbeddedCompressor.Decompress(stored, EmbeddedCompression.Brotli);
        }
        catch (InvalidDataException)
        {
            return stored; // let the ONNX loader report what is wrong with it
        }
    }

    private static bool LooksLikeOnnx(byte[] bytes)
    {
        try
        {
            return ModelProto.Parser.ParseFrom(bytes).Graph is not null;
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return false;
        }
    }

    private static int InputRank(ModelProto model) => OrtEvaluation.DataInput(model).Type?.TensorType?.Shape?.Dim.Count ?? 0;

    private static void Write(TextWriter output, string path, long size, OrtMeasurement m)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"model      {path} ({size} bytes)"));
        output.WriteLine(string.Create(c, $"clips      {m.Metrics.Count}"));
        output.WriteLine(string.Create(c, $"accuracy   {m.Metrics.Accuracy:0.0000}"));
        output.WriteLine(string.Create(c, $"macro_f1   {m.Metrics.MacroF1:0.0000}"));
        output.WriteLine(string.Create(c, $"latency    {m.MedianLatencyMs:0.000} ms/clip (median over batches)"));
        output.WriteLine();
        var width = Math.Max(5, m.Metrics.PerClass.Max(p => p.Label.Length));
        output.WriteLine($"{"label".PadRight(width)}  support  precision  recall     f1");
        foreach (var p in m.Metrics.PerClass)
        {
            output.WriteLine(string.Create(c, $"{p.Label.PadRight(width)}  {p.Support,7}  {p.Precision,9:0.000}  {p.Recall,6:0.000}  {p.F1,5:0.000}"));
        }

        output.WriteLine();
        output.WriteLine("confusion (rows: truth, columns: predicted, in label order)");
        foreach (var row in m.Metrics.Confusion)
        {
            output.WriteLine(string.Join(' ', row.Select(v => v.ToString(c).PadLeft(5))));
        }
    }
}
