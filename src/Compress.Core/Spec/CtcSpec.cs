using Compress.Text;

namespace Compress.Spec;

/// <summary>
/// <c>ctc:</c> how a CTC recogniser's output and transcripts are read (<c>task: ctc</c>, docs/ctc.md). The spec's
/// <c>labels:</c> are then the output tokens in order.
/// </summary>
public sealed record CtcSpec
{
    /// <summary>The default word delimiter token: <c>|</c> (as wav2vec 2.0 and most character CTC vocabularies spell a space).</summary>
    public const string DefaultWordDelimiter = "|";

    /// <summary><c>ctc.blank</c>: the blank token's index among the labels. Default 0 (the first label).</summary>
    public int Blank { get; init; }

    /// <summary><c>ctc.word_delimiter</c>: the index of the label that spells a space, or null (transcripts of one word). Default: <c>|</c> when it is a label.</summary>
    public int? WordDelimiter { get; init; }

    /// <summary><c>ctc.layout</c>. Default <see cref="CtcLayout.BatchTime"/>.</summary>
    public CtcLayout Layout { get; init; } = CtcLayout.BatchTime;

    /// <summary><c>ctc.lowercase</c> and <c>ctc.strip_punctuation</c>: applied to transcripts and decoded text alike. Default both true.</summary>
    public TextNormalization Normalization { get; init; } = TextNormalization.Default;

    /// <summary>
    /// <c>ctc.grammar</c>: a file of the phrases the recogniser may output, one per line (full path), or null. With it,
    /// ONNX Runtime's measurement (gate, report, <c>eval</c>) decodes each clip into the most probable phrase
    /// (<see cref="Text.CtcGrammar"/>); without it, greedily.
    /// </summary>
    public string? Grammar { get; init; }

    /// <summary>Where the <c>ctc:</c> key is written (<see cref="SpecLocation.None"/> when absent).</summary>
    public SpecLocation Location { get; init; } = SpecLocation.None;

    /// <summary>The vocabulary these settings make of <paramref name="labels"/> (the spec's <c>labels:</c>).</summary>
    public CtcVocabulary Vocabulary(IReadOnlyList<string> labels) => new(labels, Blank, WordDelimiter);

    /// <summary>The CTC head these settings make of <paramref name="labels"/>, without transcripts yet.</summary>
    public Graph.CtcHead Head(IReadOnlyList<string> labels) => new([.. labels], Blank, WordDelimiter, Layout == CtcLayout.TimeBatch, []);
}
