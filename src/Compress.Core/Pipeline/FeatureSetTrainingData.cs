using Compress.Data;
using Compress.Training;

namespace Compress.Pipeline;

/// <summary>
/// Feeds a cached (memory-mapped) feature set to the training engine without copying it, in the shape the model's
/// input takes (<see cref="OrtEvaluation.FeedShape"/>: the front end's <c>[1, frames, bins]</c> items go to a model
/// taking <c>[N, frames, bins]</c> as <c>[frames, bins]</c>, the same values).
/// </summary>
internal sealed class FeatureSetTrainingData : ITrainingData
{
    private readonly IFeatureSet _set;

    public FeatureSetTrainingData(IFeatureSet set, Onnx.Proto.ModelProto model)
    {
        _set = set;
        ItemShape = OrtEvaluation.FeedShape(model, set.ItemShape);
    }

    public int Count => _set.Count;

    public IReadOnlyList<long> ItemShape { get; }

    public int LabelOf(int index) => _set.LabelOf(index);

    public void ReadFeatures(int index, Span<float> destination) => _set.ReadFeatures(index, destination);

    public (int Valid, int Total)? ValidFrames(int index) => _set.ValidFrames(index);
}
