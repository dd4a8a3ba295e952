namespace Compress.Export;

/// <summary><c>output.batch</c>: the batch dimension of the exported model's inputs and outputs.</summary>
public enum ExportBatch
{
    /// <summary>As the input model declares it (a batch fixed at 1 stays 1; training and evaluation ran on a batched copy).</summary>
    [SpecName("keep")] Keep,

    /// <summary>A symbolic batch dimension, so apps can run several clips at once.</summary>
    [SpecName("dynamic")] Dynamic,
}
