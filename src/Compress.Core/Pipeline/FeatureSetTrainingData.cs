using Compress.Data;
using Compress.Training;

namespace Compress.Pipeline;

/// <summary>Feeds a cached (memory-mapped) feature set to the training engine without copying it.</summary>
internal sealed class FeatureSetTrainingData : ITrainingData
{
    private readonly IFeatureSet _set;

    public FeatureSetTrainingData(IFeatureSet set) => _set = set;

    public int Count => _set.Count;

    public IReadOnlyList<long> ItemShape => _set.ItemShape;

    public int LabelOf(int index) => _set.LabelOf(index);

    public void ReadFeatures(int index, Span<float> destination) => _set.ReadFeatures(index, destination);
}
