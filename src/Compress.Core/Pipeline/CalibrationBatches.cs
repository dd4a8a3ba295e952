using Compress.Data;
using Compress.Onnx.Proto;

namespace Compress.Pipeline;

/// <summary>
/// The clips that calibrate int8 activations: the first <c>clips</c> of a split (the training split) in its fixed order,
/// in batches of <see cref="BatchSize"/>, shaped as the model's first input takes them. The cached features hold what
/// augmentation made when they were extracted; nothing random happens here.
/// </summary>
internal static class CalibrationBatches
{
    /// <summary>Clips per ONNX Runtime run.</summary>
    public const int BatchSize = 16;

    public static IReadOnlyList<(float[] Batch, long[] Shape)> Of(IFeatureSet set, ModelProto model, int clips)
    {
        var feedShape = OrtEvaluation.FeedShape(model, set.ItemShape);
        var itemSize = (int)set.ItemShape.Aggregate(1L, (a, d) => a * d);
        var total = Math.Min(clips, set.Count);
        var batches = new List<(float[], long[])>();
        for (var start = 0; start < total; start += BatchSize)
        {
            var n = Math.Min(BatchSize, total - start);
            var batch = new float[n * itemSize];
            for (var i = 0; i < n; i++)
            {
                set.ReadFeatures(start + i, batch.AsSpan(i * itemSize, itemSize));
            }

            batches.Add((batch, [n, .. feedShape]));
        }

        return batches;
    }
}
