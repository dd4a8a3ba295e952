using Compress.Data;
using Compress.Diagnostics;
using Compress.Text;

namespace Compress.Core.Tests.Text;

/// <summary>Closed-grammar CTC decoding: the forward algorithm against a sum over every alignment, and the grammar file.</summary>
public sealed class CtcGrammarTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("compress-grammar-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(new[] { 1 }, 1)]
    [InlineData(new[] { 1 }, 4)]
    [InlineData(new[] { 1, 2 }, 5)]
    [InlineData(new[] { 2, 2 }, 3)] // a repeat needs a blank between: exactly one alignment fits 3 frames
    [InlineData(new[] { 2, 2 }, 5)]
    [InlineData(new[] { 1, 2, 1 }, 6)]
    [InlineData(new int[0], 4)]
    public void LogLikelihood_IsTheSumOverEveryAlignment(int[] target, int frames)
    {
        const int Vocabulary = 3;
        var random = new Random(7 + frames + target.Length);
        var log = new double[frames * Vocabulary];
        for (var t = 0; t < frames; t++)
        {
            var row = Enumerable.Range(0, Vocabulary).Select(_ => (float)((random.NextDouble() * 6) - 3)).ToArray();
            CtcGrammar.LogProbabilities(row, log.AsSpan(t * Vocabulary, Vocabulary));
        }

        // Every path of `frames` tokens that collapses (repeats merged, blanks removed) to the target.
        var sum = 0.0;
        var path = new int[frames];
        for (var code = 0; code < Math.Pow(Vocabulary, frames); code++)
        {
            var c = code;
            var p = 0.0;
            for (var t = 0; t < frames; t++, c /= Vocabulary)
            {
                path[t] = c % Vocabulary;
                p += log[(t * Vocabulary) + path[t]];
            }

            if (CtcVocabulary.Collapse(path, 0).SequenceEqual(target))
            {
                sum += Math.Exp(p);
            }
        }

        Assert.Equal(Math.Log(sum), CtcGrammar.LogLikelihood(log, frames, Vocabulary, target, blank: 0), 9);
    }

    [Fact]
    public void LogLikelihood_OfATargetLongerThanTheFrames_IsMinusInfinity() =>
        Assert.Equal(double.NegativeInfinity, CtcGrammar.LogLikelihood(new double[2 * 3], 2, 3, [2, 2], blank: 0));

    [Fact]
    public void LogProbabilities_ReadLogitsProbabilitiesAndLogProbabilitiesAlike()
    {
        float[] logits = [2f, -1f, 0.5f];
        var expected = new double[3];
        CtcGrammar.LogProbabilities(logits, expected);
        var probabilities = expected.Select(v => (float)Math.Exp(v)).ToArray();
        var logProbabilities = expected.Select(v => (float)v).ToArray();

        var fromProbabilities = new double[3];
        var fromLog = new double[3];
        CtcGrammar.LogProbabilities(probabilities, fromProbabilities);
        CtcGrammar.LogProbabilities(logProbabilities, fromLog);

        Assert.Equal(1.0, expected.Sum(Math.Exp), 12);
        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal(expected[i], fromProbabilities[i], 6));
        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal(expected[i], fromLog[i], 6));
    }

    [Fact]
    public void Decode_PicksThePhraseWhoseAlignmentsCarryTheMostProbability_NotTheNearestString()
    {
        // Tokens: _ | a b. Greedy reads "ba" (frame 1: b just above a); "b" and "a" are both one edit from it, but
        // nearly all of the probability is on alignments of "a".
        string[] tokens = ["_", "|", "a", "b"];
        var vocabulary = new CtcVocabulary(tokens, 0, 1);
        string[] phrases = ["b", "a"];
        var grammar = new CtcGrammar(phrases, [.. phrases.Select(p => vocabulary.Tokenize(p, out _)!)], blank: 0);
        float[] scores =
        [
            -2f, -3f, 0.5f, 0.6f,
            -2f, -3f, 3f, -2f,
        ];

        var (phrase, likelihood) = grammar.Decode(scores, frames: 2, vocabulary: 4, offset: 0, stride: 4);

        Assert.Equal("ba", vocabulary.Detokenize(CtcVocabulary.Collapse([3, 2], 0)));
        Assert.Equal("a", phrases[phrase]);
        Assert.True(likelihood < 0 && double.IsFinite(likelihood));
    }

    [Fact]
    public void Load_NormalisesSkipsCommentsAndRepeats_AndReportsEveryUnspellableLine()
    {
        var vocabulary = new CtcVocabulary(["_", "|", "a", "b", "o", "n", "f"], 0, 1);
        var good = Write("good.txt", "# commands\nOn!\n\nno\non\nON\non off\n");
        var bad = Write("bad.txt", "on\nbox\noff\nzap\n");
        var empty = Write("empty.txt", "# nothing yet\n\n");

        var grammar = GrammarFile.Load(good, vocabulary, TextNormalization.Default);
        var unspellable = Assert.Throws<CompressException>(() => GrammarFile.Load(bad, vocabulary, TextNormalization.Default));
        var none = Assert.Throws<CompressException>(() => GrammarFile.Load(empty, vocabulary, TextNormalization.Default));

        Assert.Equal(["on", "no", "on off"], grammar.Phrases);
        Assert.Equal(Compress.Pipeline.RunManifest.HashFile(good), grammar.Sha256); // what the run's inputs record, from the one read
        Assert.Equal([(DataMessages.TranscriptNotSpelledCode, 2), (DataMessages.TranscriptNotSpelledCode, 4)], unspellable.Diagnostics.Select(d => (d.Code, d.Line ?? 0)));
        Assert.All(unspellable.Diagnostics, d => Assert.Equal(bad, d.File));
        Assert.Contains("'x', which no label spells", unspellable.Diagnostics[0].Message, StringComparison.Ordinal);
        Assert.Equal((DataMessages.EmptyGrammarCode, empty), (Assert.Single(none.Diagnostics).Code, none.Diagnostics[0].File));
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }
}
