using Compress.Architectures;
using Compress.Onnx;
using Compress.Pipeline;
using Compress.Spec;

namespace Compress.Core.Tests.Pipeline;

/// <summary>
/// A tone corpus and a small DS-CNN trained on it once by the pipeline itself (<c>pruning.method: none</c>, the way
/// the sample's baseline is made); the tests then compress that trained model.
/// </summary>
public sealed class PipelineFixture : IDisposable
{
    public const string Labels = "[low, mid, high]";

    public PipelineFixture()
    {
        Corpus = new ToneCorpus();
        OnnxModelIO.Save(new DsCnn(3, Channels: 16, Blocks: 2, Seed: 3).Build(), Path.Combine(Root, "random.onnx"));
        var result = Run(Spec("""
            model:
              path: random.onnx
            finetune:
              epochs: 8
              batch_size: 16
              learning_rate: 0.003
            output:
              path: out/trained.onnx
              storage: dense
              report: out/trained-report
            """));
        if (result.Outcome != PipelineOutcome.Succeeded)
        {
            throw new InvalidOperationException("training the fixture's baseline failed: " + string.Join("; ", result.Diagnostics));
        }

        TrainedModel = Path.Combine(Root, "out", "trained.onnx");
    }

    public ToneCorpus Corpus { get; }

    public string Root => Corpus.Root;

    /// <summary>The dense DS-CNN trained on the tones.</summary>
    public string TrainedModel { get; }

    /// <summary>A spec in the corpus folder: the common data/labels/features sections plus <paramref name="body"/>.</summary>
    public CompressSpec Spec(string body, string name = "compress.yaml", string extraFeatures = "")
    {
        var text = $"""
            data:
              root: .
              cache: cache
            labels: {Labels}
            features:
              kind: log_mel
              window_ms: 30
              hop_ms: 20
            {extraFeatures}
            seed: 1
            threads: 1
            {body}
            """;
        var path = Path.Combine(Root, name);
        File.WriteAllText(path, text);
        var parsed = SpecParser.Parse(path);
        return parsed.Spec ?? throw new InvalidOperationException("test spec does not parse: " + string.Join("; ", parsed.Diagnostics));
    }

    public static PipelineResult Run(CompressSpec spec, string? manifest = null, CancellationToken ct = default) =>
        new CompressPipeline("test").Run(new PipelineRequest(spec, null, null, manifest), new Progress<ProgressUpdate>(), ct);

    public void Dispose() => Corpus.Dispose();
}
