using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Compress.MSBuild;

/// <summary>
/// Applies the defaults of <c>CompressModel</c> metadata and validates it. Defaults: <c>LogicalName</c> =
/// <c>ClassName.onnx</c> when ClassName is set, else the spec's file name with <c>.onnx</c>; <c>ClassName</c> = the
/// LogicalName's file name without extension in PascalCase (<c>kws-small.onnx</c> → <c>KwsSmall</c>);
/// <c>OutputName</c> = <c>ClassName.onnx</c>.
/// </summary>
internal static class ModelItems
{
    /// <summary>Metadata names read from a <c>CompressModel</c> item and written on resolved items.</summary>
    public const string LogicalName = "LogicalName", ClassName = "ClassName", OutputName = "OutputName", ExtraArguments = "ExtraArguments",
        OutputFile = "OutputFile", ManifestFile = "ManifestFile", StampFile = "StampFile", ReportDirectory = "ReportDirectory", HashCacheFile = "HashCacheFile", UpToDate = "UpToDate";

    /// <summary>Resolves every item, logging each problem (CMP0003, CMP0004, CMP0005); returns the usable ones.</summary>
    public static List<ModelFiles> Resolve(IEnumerable<ITaskItem> items, string outputDirectory, TaskLoggingHelper log)
    {
        var result = new List<ModelFiles>();
        foreach (var item in items)
        {
            var spec = item.GetMetadata("FullPath");
            if (!File.Exists(spec))
            {
                log.LogError(null, MSBuildMessages.SpecNotFoundCode, null, spec, 0, 0, 0, 0, MSBuildMessages.SpecNotFound(spec));
                continue;
            }

            var className = item.GetMetadata(ClassName);
            var logicalName = item.GetMetadata(LogicalName);
            if (logicalName.Length == 0)
            {
                logicalName = className.Length > 0 ? className + ".onnx" : Path.GetFileNameWithoutExtension(spec) + ".onnx";
            }

            if (className.Length == 0)
            {
                className = ToIdentifier(Path.GetFileNameWithoutExtension(logicalName));
            }
            else if (!IsIdentifier(className))
            {
                log.LogError(null, MSBuildMessages.InvalidMetadataCode, null, spec, 0, 0, 0, 0, MSBuildMessages.InvalidClassName(className));
                continue;
            }

            var outputName = item.GetMetadata(OutputName);
            if (outputName.Length == 0)
            {
                outputName = className + ".onnx";
            }
            else if (outputName.IndexOfAny(new[] { '/', '\\' }) >= 0 || outputName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0
                || !outputName.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) || outputName.Length == ".onnx".Length)
            {
                log.LogError(null, MSBuildMessages.InvalidMetadataCode, null, spec, 0, 0, 0, 0, MSBuildMessages.InvalidOutputName(outputName));
                continue;
            }

            result.Add(new ModelFiles(spec, logicalName, className, outputName, item.GetMetadata(ExtraArguments).Trim(), outputDirectory));
        }

        ReportDuplicates(result, m => m.LogicalName, LogicalName, StringComparer.Ordinal, log);
        ReportDuplicates(result, m => m.ClassName, ClassName, StringComparer.Ordinal, log);
        ReportDuplicates(result, m => m.OutputName, OutputName, StringComparer.OrdinalIgnoreCase, log);
        return result;
    }

    /// <summary>A resolved model as an MSBuild item (Include = spec) carrying every metadata the targets use.</summary>
    public static ITaskItem ToItem(ModelFiles model, bool upToDate)
    {
        var item = new TaskItem(model.Spec);
        item.SetMetadata(LogicalName, model.LogicalName);
        item.SetMetadata(ClassName, model.ClassName);
        item.SetMetadata(OutputName, model.OutputName);
        item.SetMetadata(ExtraArguments, model.ExtraArguments);
        item.SetMetadata(OutputFile, model.OutputFile);
        item.SetMetadata(ManifestFile, model.ManifestFile);
        item.SetMetadata(StampFile, model.StampFile);
        item.SetMetadata(ReportDirectory, model.ReportDirectory);
        item.SetMetadata(HashCacheFile, model.HashCacheFile);
        item.SetMetadata(UpToDate, upToDate ? "true" : "false");
        return item;
    }

    /// <summary>Whether <paramref name="name"/> is a plain C# identifier (ASCII or Unicode letters, digits, '_').</summary>
    public static bool IsIdentifier(string name) =>
        name.Length > 0 && (char.IsLetter(name[0]) || name[0] == '_') && name.All(c => char.IsLetterOrDigit(c) || c == '_');

    /// <summary>PascalCase identifier from a file name: separators dropped, each word capitalised, 'Model' before a leading digit.</summary>
    public static string ToIdentifier(string name)
    {
        var builder = new StringBuilder();
        var upper = true;
        foreach (var c in name)
        {
            if (!char.IsLetterOrDigit(c))
            {
                upper = true;
                continue;
            }

            builder.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        if (builder.Length == 0 || char.IsDigit(builder[0]))
        {
            builder.Insert(0, "Model");
        }

        return builder.ToString();
    }

    private static void ReportDuplicates(List<ModelFiles> models, Func<ModelFiles, string> key, string metadata, StringComparer comparer, TaskLoggingHelper log)
    {
        foreach (var group in models.GroupBy(key, comparer).Where(g => g.Count() > 1))
        {
            foreach (var model in group.Skip(1))
            {
                log.LogError(null, MSBuildMessages.DuplicateModelCode, null, model.Spec, 0, 0, 0, 0, MSBuildMessages.Duplicate(metadata, group.Key));
            }
        }
    }
}
