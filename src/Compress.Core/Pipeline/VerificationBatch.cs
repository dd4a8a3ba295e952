using Compress.Data;
using Compress.Onnx.Proto;

namespace Compress.Pipeline;

/// <summary>
/// The batch both runtimes run for the checks of the input model (CMP2110) and of the export (CMP6001): the first
/// <see cref="Clips"/> clips of the test split, fed in the shape the model takes.
/// </summary>
internal static class VerificationBatch
{
    /// <summary>How many clips, the first of the test split, the checks run through both runtimes.</summary>
    public const int Clips = 16;

    public static (float[] Batch, long[] Shape) Of(IFeatureSet set, ModelProto model)
    {
        var feedShape = OrtEvaluation.FeedShape(model, set.ItemShape);
        var n = Math.Min(Clips, set.Count);
        var itemSize = (int)set.ItemShape.Aggregate(1L, (a, d) => a * d);
        var batch = new float[n * itemSize];
        for (var i = 0; i < n; i++)
        {
            set.ReadFeatures(i, batch.AsSpan(i * itemSize, itemSize));
        }

        return (batch, [n, .. feedShape]);
    }
}
