namespace Compress.Evaluation;

/// <summary>Precision, recall and F1 of one class (fractions in [0,1]; 0 when undefined).</summary>
/// <param name="Support">How many samples truly belong to the class.</param>
/// <param name="Predicted">How many samples were predicted as the class.</param>
public sealed record ClassMetrics(string Label, int Support, int Predicted, double Precision, double Recall, double F1);

/// <summary>
/// Metrics of a single-label classifier. <see cref="MacroF1"/> is the unweighted mean of per-class F1 over the
/// classes that occur in the truth or in the predictions (a class that never occurs in either is left out,
/// so an absent optional class such as <c>_silence_</c> does not drag the mean to zero).
/// <see cref="Confusion"/>[t][p] counts samples of true class t predicted as p.
/// </summary>
public sealed record ClassificationMetrics(
    int Count,
    double Accuracy,
    double MacroF1,
    IReadOnlyList<string> Labels,
    IReadOnlyList<ClassMetrics> PerClass,
    IReadOnlyList<IReadOnlyList<int>> Confusion)
{
    /// <summary>Computes the metrics; labels index the classes (truth and predictions must be in range).</summary>
    public static ClassificationMetrics Compute(IReadOnlyList<int> truth, IReadOnlyList<int> predicted, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(labels);
        if (truth.Count != predicted.Count)
        {
            throw new ArgumentException($"{truth.Count} labels but {predicted.Count} predictions");
        }

        var k = labels.Count;
        var confusion = new int[k][];
        for (var i = 0; i < k; i++)
        {
            confusion[i] = new int[k];
        }

        var correct = 0;
        for (var i = 0; i < truth.Count; i++)
        {
            if ((uint)truth[i] >= (uint)k || (uint)predicted[i] >= (uint)k)
            {
                throw new ArgumentOutOfRangeException(nameof(truth), $"sample {i}: class {truth[i]} / prediction {predicted[i]} outside 0..{k - 1}");
            }

            confusion[truth[i]][predicted[i]]++;
            correct += truth[i] == predicted[i] ? 1 : 0;
        }

        var perClass = new List<ClassMetrics>(k);
        var f1Sum = 0.0;
        var present = 0;
        for (var c = 0; c < k; c++)
        {
            var support = confusion[c].Sum();
            var predictedCount = confusion.Sum(row => row[c]);
            var tp = confusion[c][c];
            var precision = predictedCount == 0 ? 0 : (double)tp / predictedCount;
            var recall = support == 0 ? 0 : (double)tp / support;
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            perClass.Add(new ClassMetrics(labels[c], support, predictedCount, precision, recall, f1));
            if (support > 0 || predictedCount > 0)
            {
                f1Sum += f1;
                present++;
            }
        }

        return new ClassificationMetrics(
            truth.Count,
            truth.Count == 0 ? 0 : (double)correct / truth.Count,
            present == 0 ? 0 : f1Sum / present,
            labels.ToList(),
            perClass,
            confusion);
    }
}
