using Compress.Pipeline;
using Compress.Spec;

namespace Compress.Core.Tests.Pipeline;

/// <summary>Specs over a <see cref="ToneCorpus"/> for the stage tests, and the stages' shared context.</summary>
internal static class StageSpecs
{
    /// <summary>A spec in <paramref name="corpus"/>'s folder with the tone labels and <paramref name="body"/>.</summary>
    public static CompressSpec Write(ToneCorpus corpus, string body, string data = "")
    {
        var path = Path.Combine(corpus.Root, "compress.yaml");
        File.WriteAllText(path, $"""
            data:
              root: .
              cache: cache
            {data}
            labels: {PipelineFixture.Labels}
            features:
              kind: log_mel
              window_ms: 30
              hop_ms: 20
            seed: 1
            threads: 1
            {body}
            """);
        var parsed = SpecParser.Parse(path);
        return parsed.Spec ?? throw new InvalidOperationException("test spec does not parse: " + string.Join("; ", parsed.Diagnostics));
    }

    public static PipelineRequest Request(CompressSpec spec) => new(spec, null, null, null);

    public static RunContext Context() => new(new Progress<ProgressUpdate>(), CancellationToken.None);
}
