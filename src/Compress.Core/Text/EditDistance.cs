namespace Compress.Text;

/// <summary>
/// The errors of a hypothesis against a reference: substitutions, deletions (reference items missing) and insertions
/// (extra hypothesis items) of a minimum-cost alignment, and the reference length the rate divides by.
/// </summary>
public readonly record struct EditCounts(int Substitutions, int Deletions, int Insertions, int Reference)
{
    /// <summary>Substitutions + deletions + insertions (the Levenshtein distance).</summary>
    public int Errors => Substitutions + Deletions + Insertions;

    /// <summary>Errors / reference length (can exceed 1); 0 for an empty reference and hypothesis, 1 per inserted item over an empty reference.</summary>
    public double Rate => Reference == 0 ? Errors : (double)Errors / Reference;

    /// <summary>The sum of two counts (corpus-level rates are total errors over total reference length).</summary>
    public static EditCounts operator +(EditCounts a, EditCounts b) =>
        new(a.Substitutions + b.Substitutions, a.Deletions + b.Deletions, a.Insertions + b.Insertions, a.Reference + b.Reference);
}

/// <summary>Levenshtein alignment with unit costs, split into substitutions, deletions and insertions (as WER/CER tools such as sclite and jiwer count them).</summary>
public static class EditDistance
{
    /// <summary>
    /// The counts of a minimum-cost alignment of <paramref name="hypothesis"/> to <paramref name="reference"/>. Among
    /// alignments of equal cost the backtrace prefers a match or substitution, then a deletion, then an insertion, so
    /// the split is deterministic.
    /// </summary>
    public static EditCounts Count<T>(IReadOnlyList<T> reference, IReadOnlyList<T> hypothesis)
        where T : IEquatable<T>
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(hypothesis);
        int n = reference.Count, m = hypothesis.Count;
        var cost = new int[n + 1, m + 1];
        for (var i = 0; i <= n; i++)
        {
            cost[i, 0] = i;
        }

        for (var j = 0; j <= m; j++)
        {
            cost[0, j] = j;
        }

        for (var i = 1; i <= n; i++)
        {
            for (var j = 1; j <= m; j++)
            {
                var diagonal = cost[i - 1, j - 1] + (reference[i - 1].Equals(hypothesis[j - 1]) ? 0 : 1);
                cost[i, j] = Math.Min(diagonal, Math.Min(cost[i - 1, j] + 1, cost[i, j - 1] + 1));
            }
        }

        int s = 0, d = 0, ins = 0;
        for (int i = n, j = m; i > 0 || j > 0;)
        {
            if (i > 0 && j > 0 && cost[i, j] == cost[i - 1, j - 1] + (reference[i - 1].Equals(hypothesis[j - 1]) ? 0 : 1))
            {
                s += reference[i - 1].Equals(hypothesis[j - 1]) ? 0 : 1;
                i--;
                j--;
            }
            else if (i > 0 && cost[i, j] == cost[i - 1, j] + 1)
            {
                d++;
                i--;
            }
            else
            {
                ins++;
                j--;
            }
        }

        return new EditCounts(s, d, ins, n);
    }

    /// <summary>Word errors of two normalised texts (words are split at spaces).</summary>
    public static EditCounts Words(string reference, string hypothesis) =>
        Count(Split(reference), Split(hypothesis));

    /// <summary>Character errors of two normalised texts (spaces count as characters, as in most CER tools).</summary>
    public static EditCounts Characters(string reference, string hypothesis)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(hypothesis);
        return Count(reference.ToCharArray(), hypothesis.ToCharArray());
    }

    private static string[] Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }
}
