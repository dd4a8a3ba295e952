using Compress.Data;
using Compress.Diagnostics;
using Compress.Export;
using Compress.Features;
using Compress.Graph;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Spec;

namespace Compress.Pipeline;

/// <summary>
/// <c>dotnet compress eval MODEL --spec</c>: measures any model (dense input, exported, or the embedded bytes,
/// gzip/Brotli-compressed or not) with ONNX Runtime on the spec's test split, exactly as the gate does. A model whose
/// single input is rank 2 (<c>[N, samples]</c>) is fed PCM; any other is fed the spec's features. It returns the
/// measurement; the tool's <c>eval</c> command prints it and chooses the exit code. The output measured is the
/// spec's <c>model.output</c> head (<see cref="OutputHead.Detect"/>), read as it ships.
/// </summary>
public sealed class ModelEvaluator : IModelEvaluator
{
    /// <inheritdoc />
    public Result<ModelEvaluation> Evaluate(string modelPath, CompressSpec spec, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var stored = File.ReadAllBytes(modelPath);
        var model = OnnxModelIO.Load(Decompressed(stored), modelPath, Path.GetDirectoryName(Path.GetFullPath(modelPath)));
        var plain = OnnxModelIO.Save(model);
        var frontEnd = SpecMapping.FrontEnd(spec.Features);
        var frontEndOfFrames = frontEnd;
        if (InputRank(model) == 2)
        {
            frontEnd = frontEnd with { Kind = FrontEndKind.None };
        }

        var detected = OutputHead.Detect(model, spec.Model.Output, spec.LocationOf(spec.Model.Output is null ? "model" : "model.output"));
        if (detected.Value is not { } head)
        {
            return Result<ModelEvaluation>.Fail(detected.Diagnostics);
        }

        var classes = head.ClassesFor(spec.Labels);
        using var dataset = DatasetLoader.Load(SpecMapping.Dataset(spec, spec.Seed) with { Labels = classes }, spec.File);
        if (SpecMapping.CtcHead(spec) is { } ctc)
        {
            // A CTC recogniser's classes are the test data's transcripts.
            classes = dataset.Labels;
            head = head with { Ctc = SpecMapping.Spell(ctc, classes) };
        }

        var diagnostics = new List<Diagnostic>(detected.Diagnostics.Concat(dataset.Diagnostics));
        using var owned = dataset.Features is null
            ? FeatureCache.Build(dataset, DatasetSplit.Test, frontEnd, spec.Data.Cache, null, spec.Seed, null, ct)
            : null;
        diagnostics.AddRange(owned?.Diagnostics ?? []);
        // A CTC recogniser of any length does not decode its padding frames: each clip's length comes from its header. A
        // fixed-length one is read on every frame (OrtEvaluation), so its headers are not read.
        var lengths = head.Ctc is not null && OrtEvaluation.TakesAnyLength(OrtEvaluation.DataInput(model));
        var test = owned is null ? dataset.Features!.Test : lengths ? ClipLengths.Wrap(owned, dataset.Test, frontEndOfFrames) : owned;
        var measured = OrtEvaluation.Measure(plain, model, test, classes, spec.Threads ?? 0, modelPath, "the model", ct, head);
        diagnostics.AddRange(measured.Diagnostics);
        return measured.Value is { } m
            ? Result<ModelEvaluation>.Ok(new ModelEvaluation(modelPath, stored.Length, m), diagnostics)
            : Result<ModelEvaluation>.Fail(diagnostics);
    }

    /// <summary>
    /// The ONNX bytes of a file that may be gzip- or Brotli-compressed and filtered (as <c>output.compress</c> and
    /// <c>output.filter</c> write). gzip and the filter container are recognised by their magic bytes; Brotli has none,
    /// so its output is only taken when it is a container or an ONNX model. Anything that does not decode is returned
    /// unchanged, so the ONNX loader reports what is wrong with it as a CMP20xx diagnostic instead of a decoder crash.
    /// </summary>
    public static byte[] Decompressed(byte[] stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (stored.Length > 2 && stored[0] == 0x1f && stored[1] == 0x8b)
        {
            return TryDecode(() => EmbeddedCompressor.Decompress(stored, EmbeddedCompression.Gzip)) ?? stored;
        }

        if (EmbeddedFilterDecoder.IsFiltered(stored))
        {
            return TryDecode(() => EmbeddedFilterDecoder.Decode(stored)) ?? stored; // a container already decompressed by another tool
        }

        if (LooksLikeOnnx(stored))
        {
            return stored;
        }

        var brotli = TryDecode(() => EmbeddedCompressor.Decompress(stored, EmbeddedCompression.Brotli));
        return brotli is not null && LooksLikeOnnx(brotli) ? brotli : stored;
    }

    // Random bytes make BrotliStream throw InvalidOperationException as well as InvalidDataException.
    private static byte[]? TryDecode(Func<byte[]> decode)
    {
        try
        {
            return decode();
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException)
        {
            return null;
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
}
