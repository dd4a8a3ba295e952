using Compress.Evaluation;
using Compress.Text;

namespace Compress.Core.Tests.Text;

public sealed class TranscriptTextTests
{
    private static readonly CtcVocabulary Letters = new(["_", "|", .. "abcdefghijklmnopqrstuvwxyz'".Select(c => c.ToString())], blank: 0, delimiter: 1);

    [Theory]
    [InlineData("Turn ON the  Kitchen lights.", "turn on the kitchen lights")]
    [InlineData("  what's the weather?!  ", "what's the weather")]
    [InlineData("set a timer, for ten-minutes", "set a timer for ten minutes")]
    [InlineData("it’s 'quoted'", "it's quoted")]
    [InlineData("", "")]
    [InlineData("...", "")]
    public void Normalization_Default_LowercasesStripsPunctuationAndCollapsesSpaces(string text, string expected) =>
        Assert.Equal(expected, TextNormalization.Default.Apply(text));

    [Fact]
    public void Normalization_CanKeepCaseAndPunctuation() =>
        Assert.Equal("Stop, now!", new TextNormalization(Lowercase: false, StripPunctuation: false).Apply(" Stop,  now! "));

    [Fact]
    public void Tokenize_SpellsSpacesWithTheDelimiter_AndDetokenizeInvertsIt()
    {
        var ids = Letters.Tokenize("go on", out var unspelled);

        Assert.Null(unspelled);
        Assert.Equal([8, 16, 1, 16, 15], ids!);
        Assert.Equal("go on", Letters.Detokenize(ids!));
    }

    [Fact]
    public void Tokenize_TakesTheLongestToken_SoWordPiecesWork()
    {
        var pieces = new CtcVocabulary(["<b>", "|", "o", "on", "n", "turn", "t"], blank: 0, delimiter: 1);

        Assert.Equal([5, 1, 3], pieces.Tokenize("turn on", out _)!);
        Assert.Equal([6, 3], pieces.Tokenize("ton", out _)!); // "t" (no longer token starts there), then "on" before "o"
    }

    [Fact]
    public void Tokenize_NamesTheFirstUnspelledText()
    {
        Assert.Null(Letters.Tokenize("café", out var unspelled));
        Assert.Equal("é", unspelled);

        var noDelimiter = new CtcVocabulary(["_", "a", "b"], blank: 0, delimiter: null);
        Assert.Null(noDelimiter.Tokenize("ab ba", out unspelled));
        Assert.Equal(" ", unspelled);
    }

    [Fact]
    public void Tokenize_NeverEmitsTheBlankOrDelimiterForText()
    {
        // The blank is "_" and the delimiter "|": writing them in a transcript is text no token spells.
        Assert.Null(Letters.Tokenize("a_b", out var unspelled));
        Assert.Equal("_", unspelled);
    }

    [Fact]
    public void Collapse_MergesRepeatsThenDropsBlanks()
    {
        // "h e e _ l l _ l o" → h e l l o (the blank separates the two l's; repeats merge).
        Assert.Equal([8, 5, 12, 12, 15], CtcVocabulary.Collapse([8, 5, 5, 0, 12, 12, 0, 12, 15], blank: 0));
        Assert.Equal([], CtcVocabulary.Collapse([0, 0, 0], blank: 0));
    }

    [Theory]
    [InlineData(new[] { 1, 2, 3 }, 3)]
    [InlineData(new[] { 1, 1, 2, 2, 2 }, 8)]
    [InlineData(new int[0], 0)]
    public void MinimumFrames_AddsABlankBetweenEqualNeighbours(int[] target, int frames) =>
        Assert.Equal(frames, CtcVocabulary.MinimumFrames(target));

    [Theory]
    [InlineData("a b c d", "a b c d", 0, 0, 0)]
    [InlineData("a b c d", "a x c d", 1, 0, 0)]
    [InlineData("a b c d", "a c d", 0, 1, 0)]
    [InlineData("a b c d", "a b y c d", 0, 0, 1)]
    [InlineData("turn on the lights", "turn the light on", 3, 0, 0)] // ties go to substitutions: a deletion + substitution + insertion costs 3 too
    [InlineData("", "hello there", 0, 0, 2)]
    [InlineData("hello there", "", 0, 2, 0)]
    public void WordErrors_SplitIntoSubstitutionsDeletionsAndInsertions(string reference, string hypothesis, int s, int d, int i)
    {
        var counts = EditDistance.Words(reference, hypothesis);

        Assert.Equal((s, d, i), (counts.Substitutions, counts.Deletions, counts.Insertions));
        Assert.Equal(reference.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length, counts.Reference);
    }

    [Fact]
    public void CharacterErrors_CountSpacesAsCharacters()
    {
        var counts = EditDistance.Characters("ab cd", "abcd");

        Assert.Equal((0, 1, 0, 5), (counts.Substitutions, counts.Deletions, counts.Insertions, counts.Reference));
        Assert.Equal(0.2, counts.Rate, 12);
    }

    [Fact]
    public void TranscriptionMetrics_AreCorpusTotals_NotMeansOfUtteranceRates()
    {
        // 1 error in a 1-word utterance and 0 in a 9-word one: corpus WER 1/10, while the mean of rates would be 0.5.
        var metrics = TranscriptionMetrics.Compute(["stop", "set a timer for ten minutes in the kitchen"], ["go", "set a timer for ten minutes in the kitchen"]);

        Assert.Equal(0.1, metrics.Wer, 12);
        Assert.Equal(0.5, metrics.SentenceAccuracy, 12);
        Assert.Equal(3.0 / 46, metrics.Cer, 12); // "stop" → "go": s→g, t and p deleted; 4 + 42 reference characters
        Assert.Equal("stop", Assert.Single(metrics.Worst(5)).Reference);
    }

    [Fact]
    public void Worst_OrdersByWordErrorsThenCharacterErrorsThenPosition()
    {
        var metrics = TranscriptionMetrics.Compute(["a b", "c d", "e f", "g h"], ["a x", "y z", "c d", "g h"]);

        Assert.Equal([1, 2, 0], metrics.Worst(10).Select(u => u.Index));
        Assert.Equal([1], metrics.Worst(1).Select(u => u.Index));
    }
}
