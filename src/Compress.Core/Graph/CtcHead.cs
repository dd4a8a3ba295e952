namespace Compress.Graph;

/// <summary>
/// How a CTC recogniser's output is read (<c>task: ctc</c>): per-frame scores over a token vocabulary, batch-major
/// <c>[N, T, V]</c> or time-major <c>[T, N, V]</c>, with one token the blank. The data's "classes" of such a model are
/// its transcripts: <see cref="Targets"/>[c] spells class c in token ids (never the blank), which is what the CTC loss
/// aligns to and what decoding is compared with.
/// </summary>
/// <param name="Tokens">The vocabulary in output order (the spec's <c>labels:</c>); the output's last axis has one score per token.</param>
/// <param name="Blank">The blank token's index.</param>
/// <param name="Delimiter">The index of the token that spells a space between words, or null.</param>
/// <param name="TimeMajor">True when the output is <c>[T, N, V]</c>.</param>
/// <param name="Targets">The token ids of each transcript, by class index (empty until the data is loaded).</param>
public sealed record CtcHead(IReadOnlyList<string> Tokens, int Blank, int? Delimiter, bool TimeMajor, IReadOnlyList<int[]> Targets)
{
    /// <summary>The token count V the output's last axis must have.</summary>
    public int Vocabulary => Tokens.Count;

    /// <summary>The axis of the output that is the batch.</summary>
    public int BatchAxis => TimeMajor ? 1 : 0;

    /// <summary>The axis of the output that is time.</summary>
    public int TimeAxis => TimeMajor ? 0 : 1;

    /// <summary>The closed grammar ONNX Runtime's measurement decodes into (<c>ctc.grammar</c>), or null for greedy decoding.</summary>
    public Text.CtcGrammar? Grammar { get; init; }

    /// <summary>
    /// The output frames of a CTC model that see item's clip: ⌈T′ · valid / total⌉ of its T′ output frames (at most T′),
    /// the model's output frame rate taken as proportional to its input's. Never fewer than the frames that see a
    /// sample of the clip for a model that downsamples time by a stride (T′ = ⌈F / s⌉); at most one frame more.
    /// </summary>
    public static int ValidOutputFrames(int outputFrames, (int Valid, int Total)? frames) =>
        frames is not { } f || f.Total <= 0 ? outputFrames : (int)Math.Min(outputFrames, (((long)outputFrames * f.Valid) + f.Total - 1) / f.Total);
}
