using Compress.Data;
using Compress.Diagnostics;
using Compress.Spec;

namespace Compress.Pipeline;

/// <summary>
/// The part of <c>dotnet compress validate</c> that needs the data loader: every audio file `run` would read is
/// checked the way `run` checks it (headers and sizes, no decoding), so a bad clip is found in seconds, not after
/// feature extraction.
/// </summary>
public static class DataValidation
{
    /// <summary>Every bad audio file (CMP3001–CMP3006, and CMP3105 when they are skipped), each naming its file.</summary>
    public static IReadOnlyList<Diagnostic> BadFiles(CompressSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Data.Format == DatasetFormat.Npy)
        {
            return [];
        }

        try
        {
            var result = DatasetLoader.TryLoad(SpecMapping.Dataset(spec, spec.Seed), spec.File);
            result.Value?.Dispose();
            return [.. result.Diagnostics.Where(IsAboutFiles)];
        }
        catch (CompressException e)
        {
            // Only the sources (manifest, folder scan) still throw, for what they cannot read.
            return [.. e.Diagnostics.Where(IsAboutFiles)];
        }
    }

    private static bool IsAboutFiles(Diagnostic d) =>
        d.Code.StartsWith("CMP300", StringComparison.Ordinal) || d.Code == DataMessages.BadFilesSkippedCode;
}
