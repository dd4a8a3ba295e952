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

    private static Compress.Onnx.Proto.ModelProto Identity(bool timeMajor, string head)
    {
        var b = new ModelBuilder();
        var x = b.Input("x", DataType.Float, "N", 18L, (long)Tokens.Length);
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

    private sealed class Scores(float[][] items, int[] labels) : IFeatureSet
    {
        public int Count => items.Length;

        public IReadOnlyList<long> ItemShape => [18, Tokens.Length];

        public int LabelOf(int index) => labels[index];

        public void ReadFeatures(int index, Span<float> destination) => items[index].CopyTo(destination);

        public void Dispose()
        {
        }
    }
}
