using Compress.Data;
using Compress.Diagnostics;
using Compress.Graph;
using Compress.Onnx;
using Compress.Pipeline;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Pipeline;

/// <summary>
/// ONNX Runtime's measurement of a CTC recogniser, on models whose output is their input (so the "features" are the
/// per-frame scores and the decoding is known exactly).
/// </summary>
public sealed class CtcMeasurementTests
{
    private static readonly string[] Tokens = ["_", "|", "a", "b", "o", "n", "f"];
    private static readonly string[] Transcripts = ["a", "no", "on", "on off"];

    /// <summary>Item i spells <paramref name="decoded"/>[i] over 18 frames: one peak frame per token, blanks between repeats and at the end.</summary>
    private static float[] Frames(string decoded)
    {
        var vocabulary = new Compress.Text.CtcVocabulary(Tokens, 0, 1);
        var ids = vocabulary.Tokenize(decoded, out _)!;
        var path = new List<int>();
        foreach (var id in ids)
        {
            path.Add(id);
            path.Add(id); // a repeat that greedy decoding must collapse
            path.Add(0);
        }

        while (path.Count < 18)
        {
            path.Add(0);
        }

        return [.. path.SelectMany(token => Tokens.Select((_, v) => v == token ? 3f : -1f))];
    }

    private static Compress.Onnx.Proto.ModelProto Identity(bool timeMajor, string head, bool anyLength = false, long? batch = null)
    {
        var b = new ModelBuilder();
        object n = batch is { } fixedBatch ? fixedBatch : "N";
        var x = anyLength ? b.Input("x", DataType.Float, n, "T", (long)Tokens.Length) : b.Input("x", DataType.Float, n, 18L, (long)Tokens.Length);
        var value = timeMajor ? b.Node("Transpose", [x], ("perm", new long[] { 1, 0, 2 })) : b.Node("Identity", [x]);
        var y = head == "logits" ? value : b.Node(head, [value], ("axis", -1L));
        b.Graph.Node[^1].Output[0] = "y";
        _ = y;
        b.Output("y", DataType.Float, timeMajor ? [18L, "N", (long)Tokens.Length] : ["N", 18L, (long)Tokens.Length]);
        return b.Build();
    }

    [Theory]
    [InlineData(false, "logits")]
    [InlineData(true, "logits")]
    [InlineData(false, "LogSoftmax")]
    [InlineData(true, "Softmax")]
    public void Measure_DecodesEveryLayoutAndHead_AndCountsWordAndCharacterErrors(bool timeMajor, string head)
    {
        // Truth (transcript index) and what the frames spell: 2 exact, "no" heard as "on", "on off" as "on of".
        var items = new (int Truth, string Spelled)[] { (0, "a"), (1, "no"), (2, "no"), (3, "on of"), (3, "on off") };
        var model = Identity(timeMajor, head);
        var detected = OutputHead.Detect(model).Value!;
        var ctcHead = detected with { Ctc = SpecMapping.Spell(new CtcHead(Tokens, 0, 1, timeMajor, []), Transcripts) };
        using var set = new Scores([.. items.Select(i => Frames(i.Spelled))], [.. items.Select(i => i.Truth)]);

        var measured = OrtEvaluation.Measure(OnnxModelIO.Save(model), model, set, Transcripts, threads: 1, "m.onnx", "the model", CancellationToken.None, ctcHead);

        var m = measured.Value!;
        var t = m.Transcription!;
        Assert.Equal(["a", "no", "no", "on of", "on off"], t.Utterances.Select(u => u.Hypothesis));
        Assert.Equal((2, 0, 0, 7), (t.Words.Substitutions, t.Words.Deletions, t.Words.Insertions, t.Words.Reference)); // "on"→"no", "off"→"of"
        Assert.Equal(2.0 / 7, t.Wer, 12);
        Assert.Equal(3.0 / 17, t.Cer, 12); // on→no: 2 substitutions, off→of: 1 deletion; 1 + 2 + 2 + 6 + 6 reference characters
        Assert.Equal(0.6, m.Metrics.Accuracy, 12);
        Assert.Equal(OrtEvaluation.NoTranscript, m.Metrics.Labels[^1]);
        Assert.Equal((1, 1, 1), (m.Metrics.Confusion[2][1], m.Metrics.Confusion[3][3], m.Metrics.Confusion[3][^1])); // "on" read as "no"; "on of" is no transcript
        Assert.Equal(Compress.Evaluation.GateMetric.Wer.Compute(m), t.Wer);
    }

    /// <summary>
    /// An export without a dynamic batch axis (torch.onnx.export without dynamic_axes fixes the example's batch, usually 1)
    /// is run that many clips at a time — `eval` measures such a file as it ships — and a short last batch is padded with
    /// rows that are not read.
    /// </summary>
    [Theory]
    [InlineData(1L, false)]
    [InlineData(2L, false)] // 5 clips: the third run holds one clip and a zero row
    [InlineData(2L, true)]
    public void Measure_AModelWithAFixedBatch_RunsThatManyClipsAtATime_AndReadsOnlyTheRealOnes(long batch, bool timeMajor)
    {
        var items = new (int Truth, string Spelled)[] { (0, "a"), (1, "no"), (2, "no"), (3, "on of"), (3, "on off") };
        var model = Identity(timeMajor, "logits", batch: batch);
        var ctcHead = OutputHead.Detect(model).Value! with { Ctc = SpecMapping.Spell(new CtcHead(Tokens, 0, 1, timeMajor, []), Transcripts) };
        using var set = new Scores([.. items.Select(i => Frames(i.Spelled))], [.. items.Select(i => i.Truth)]);

        var measured = OrtEvaluation.Measure(OnnxModelIO.Save(model), model, set, Transcripts, threads: 1, "m.onnx", "the model", CancellationToken.None, ctcHead);

        Assert.True(measured.Value is not null, string.Join("\n", measured.Diagnostics));
        Assert.Equal((int)batch, OrtEvaluation.FixedBatch(model)!.Value);
        Assert.Equal(["a", "no", "no", "on of", "on off"], measured.Value.Transcription!.Utterances.Select(u => u.Hypothesis));
        Assert.Equal([0, 1, 2, 3, 3], measured.Value.Truth);
        Assert.Null(OrtEvaluation.FixedBatch(Identity(timeMajor, "logits")));
    }

    [Theory]
    [InlineData(false, "logits")]
    [InlineData(true, "Softmax")]
    [InlineData(false, "LogSoftmax")]
    public void Measure_WithAGrammar_DecodesIntoTheMostProbablePhrase(bool timeMajor, string head)
    {
        // "on of" is no phrase: the grammar hears the nearest by CTC probability, "on off" (one frame's f read as a
        // blank between two f's); "no" for "on" is a phrase, so that error stays.
        var items = new (int Truth, string Spelled)[] { (0, "a"), (1, "no"), (2, "no"), (3, "on of"), (3, "on off") };
        var model = Identity(timeMajor, head);
        var vocabulary = new Compress.Text.CtcVocabulary(Tokens, 0, 1);
        var grammar = new Compress.Text.CtcGrammar(Transcripts, [.. Transcripts.Select(t => vocabulary.Tokenize(t, out _)!)], blank: 0);
        var ctcHead = OutputHead.Detect(model).Value! with { Ctc = SpecMapping.Spell(new CtcHead(Tokens, 0, 1, timeMajor, []) { Grammar = grammar }, Transcripts) };
        using var set = new Scores([.. items.Select(i => Frames(i.Spelled))], [.. items.Select(i => i.Truth)]);

        var t = OrtEvaluation.Measure(OnnxModelIO.Save(model), model, set, Transcripts, threads: 1, "m.onnx", "the model", CancellationToken.None, ctcHead).Value!.Transcription!;

        Assert.Equal(["a", "no", "no", "on off", "on off"], t.Utterances.Select(u => u.Hypothesis));
        Assert.Equal(1.0 / 7, t.Wer, 12);
        Assert.Equal("grammar of 4 phrases", t.Decoder);
    }

    [Fact]
    public void Measure_WithTheWrongLayout_IsCmp2109NamingTheShape()
    {
        var model = Identity(timeMajor: true, "logits");
        var ctcHead = OutputHead.Detect(model).Value! with { Ctc = SpecMapping.Spell(new CtcHead(Tokens, 0, 1, TimeMajor: false, []), Transcripts) };
        using var set = new Scores([Frames("a"), Frames("no")], [0, 1]);

        var measured = OrtEvaluation.Measure(OnnxModelIO.Save(model), model, set, Transcripts, threads: 1, "m.onnx", "the model", CancellationToken.None, ctcHead);

        var d = Assert.Single(measured.Diagnostics);
        Assert.Equal((ModelMessages.DataRunFailedCode, "m.onnx"), (d.Code, d.File));
        Assert.Contains("has shape [18,2,7] for 2 clips; CTC needs [2,T,7]", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Measure_WithClipLengths_DecodesOnlyTheFramesOfTheClip_SoPaddingReadAsTokensIsNotCounted()
    {
        // Item 0: "no" in its first 9 frames, silence (blanks) after: decodes the same with and without its length.
        // Item 1: "on" in its first 9 frames, then padding that this model reads as "a": counted without lengths.
        var padded = Frames("on");
        foreach (var (t, token) in new[] { (12, 1), (14, 2) }) // "|" then "a"
        {
            Array.Fill(padded, -1f, t * Tokens.Length, Tokens.Length);
            padded[(t * Tokens.Length) + token] = 3f;
        }

        var model = Identity(timeMajor: false, "logits", anyLength: true);
        var ctcHead = OutputHead.Detect(model).Value! with { Ctc = SpecMapping.Spell(new CtcHead(Tokens, 0, 1, false, []), Transcripts) };
        using var set = new Scores([Frames("no"), padded], [1, 2]);
        var bytes = OnnxModelIO.Save(model);

        var everyFrame = OrtEvaluation.Measure(bytes, model, set, Transcripts, threads: 1, "m.onnx", "the model", CancellationToken.None, ctcHead).Value!.Transcription!;
        using var lengths = new Scores([Frames("no"), padded], [1, 2], valid: 9);
        var clipFrames = OrtEvaluation.Measure(bytes, model, lengths, Transcripts, threads: 1, "m.onnx", "the model", CancellationToken.None, ctcHead).Value!.Transcription!;

        // A model of fixed length is fed the padded window by its app, which reads every frame: so is it measured.
        var fixedModel = Identity(timeMajor: false, "logits");
        var fixedHead = OutputHead.Detect(fixedModel).Value! with { Ctc = ctcHead.Ctc };
        var fixedFrames = OrtEvaluation.Measure(OnnxModelIO.Save(fixedModel), fixedModel, lengths, Transcripts, threads: 1, "m.onnx", "the model", CancellationToken.None, fixedHead).Value!.Transcription!;

        Assert.Equal(["no", "on a"], everyFrame.Utterances.Select(u => u.Hypothesis));
        Assert.Equal(1, everyFrame.Words.Insertions);
        Assert.Equal(["no", "on"], clipFrames.Utterances.Select(u => u.Hypothesis));
        Assert.Equal(0.0, clipFrames.Wer);
        Assert.Equal(["no", "on a"], fixedFrames.Utterances.Select(u => u.Hypothesis));
    }

    [Fact]
    public void TakesAnyLength_IsASymbolicDimensionAfterTheBatch() =>
        Assert.Equal(
            [true, true, false, false],
            new[]
            {
                ModelBuilder.ValueInfo("x", DataType.Float, "N", "T", 40L),
                ModelBuilder.ValueInfo("pcm", DataType.Float, "N", "samples"),
                ModelBuilder.ValueInfo("x", DataType.Float, "N", 1L, 149L, 40L),
                ModelBuilder.ValueInfo("pcm", DataType.Float, 1L, 48000L),
            }.Select(OrtEvaluation.TakesAnyLength));

    [Theory]
    [InlineData(75, 149, 149, 75)] // a full clip: every output frame
    [InlineData(75, 50, 149, 26)] // ⌈75 · 50 / 149⌉; the stride-2 model's own frames are ⌈50 / 2⌉ = 25
    [InlineData(18, 9, 18, 9)]
    [InlineData(75, 0, 149, 0)] // shorter than one window
    public void ValidOutputFrames_IsProportional_RoundedUp(int outputFrames, int valid, int total, int expected) =>
        Assert.Equal(expected, CtcHead.ValidOutputFrames(outputFrames, (valid, total)));

    [Fact]
    public void ClipLengths_ReadEachHeader_AtTheFrontEndsRate()
    {
        var folder = Directory.CreateTempSubdirectory("compress-lengths-").FullName;
        try
        {
            var o = new Compress.Features.FrontEndOptions(Compress.Features.FrontEndKind.LogMel, ClipSeconds: 3);
            var paths = new[] { ("short.wav", 8000, 4500), ("full.wav", 16000, 48000), ("long.wav", 16000, 50000) }
                .Select(f =>
                {
                    var path = Path.Combine(folder, f.Item1);
                    Compress.Audio.WavWriter.Write(path, new float[f.Item3], f.Item2);
                    return new AudioItem(path, 0, "x");
                })
                .Append(new AudioItem("", 0, "_silence_"))
                .ToList();
            using var set = new Scores([.. paths.Select(_ => new float[18 * Tokens.Length])], [0, 0, 0, 0]);

            var wrapped = Compress.Features.ClipLengths.Wrap(set, paths, o);

            // 4,500 samples at 8 kHz are 9,000 at 16 kHz: 1 + (9000 − 480) / 320 = 27 frames of 149.
            Assert.Equal([(27, 149), (149, 149), (149, 149), (149, 149)], Enumerable.Range(0, 4).Select(i => wrapped.ValidFrames(i)!.Value));
            Assert.Null(((IFeatureSet)set).ValidFrames(0));

            // Training copies (copy-major): as far as ±10% speed and ±100 ms shift can move the end: 9,000 · 100 / 90 +
            // 1,600 = 11,600 samples, 35 frames.
            using var copies = new Scores([.. Enumerable.Range(0, 8).Select(_ => new float[18 * Tokens.Length])], new int[8]);
            var augmented = Compress.Features.ClipLengths.Wrap(copies, paths, o, new Compress.Features.AugmentationOptions(Copies: 2, TimeShiftMs: 100, SpeedPercent: 10));
            Assert.Equal([35, 149, 149, 149, 35, 149, 149, 149], Enumerable.Range(0, 8).Select(i => augmented.ValidFrames(i)!.Value.Valid));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class Scores(float[][] items, int[] labels, int? valid = null) : IFeatureSet
    {
        public (int Valid, int Total)? ValidFrames(int index) => valid is { } v ? (v, 18) : null;

        public int Count => items.Length;

        public IReadOnlyList<long> ItemShape => [18, Tokens.Length];

        public int LabelOf(int index) => labels[index];

        public void ReadFeatures(int index, Span<float> destination) => items[index].CopyTo(destination);

        public void Dispose()
        {
        }
    }
}
