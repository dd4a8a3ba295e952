namespace Compress.MSBuild;

/// <summary>
/// One <c>CompressModel</c> item with its defaults applied: the spec, the metadata, and the files the tool writes
/// under <c>$(CompressOutputPath)</c> (<c>NAME.onnx</c>, <c>NAME.manifest.json</c>, <c>NAME.stamp</c>,
/// <c>NAME.report/</c>, <c>NAME.hashes</c>, where NAME is OutputName without <c>.onnx</c>).
/// </summary>
internal sealed class ModelFiles
{
    public ModelFiles(string spec, string logicalName, string className, string outputName, string extraArguments, string outputDirectory)
    {
        Spec = spec;
        LogicalName = logicalName;
        ClassName = className;
        OutputName = outputName;
        ExtraArguments = extraArguments;
        var stem = Path.Combine(outputDirectory, Path.GetFileNameWithoutExtension(outputName));
        OutputFile = Path.Combine(outputDirectory, outputName);
        ManifestFile = stem + ".manifest.json";
        StampFile = stem + ".stamp";
        HashCacheFile = stem + ".hashes";
        ReportDirectory = stem + ".report";
    }

    /// <summary>Full path of the compress.yaml.</summary>
    public string Spec { get; }

    public string LogicalName { get; }

    public string ClassName { get; }

    public string OutputName { get; }

    public string ExtraArguments { get; }

    public string OutputFile { get; }

    public string ManifestFile { get; }

    public string StampFile { get; }

    public string ReportDirectory { get; }

    /// <summary>The <see cref="HashCache"/> of the inputs (<c>NAME.hashes</c>).</summary>
    public string HashCacheFile { get; }
}
