using System.Security.Cryptography;
using System.Text;
using Compress.Data;

namespace Compress.Pipeline;

/// <summary>
/// The data files a run consumed with their content hashes, and one hash over all of them: the report records it and
/// the manifest lists the files so an incremental build can tell whether the data changed.
/// </summary>
public sealed record DataFingerprint(IReadOnlyDictionary<string, string> Files, string Sha256)
{
    /// <summary>Hashes every distinct file behind the dataset's items (silence items have no file).</summary>
    public static DataFingerprint Of(LoadedDataset dataset, IEnumerable<string>? extraFiles = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var paths = dataset.Train.Concat(dataset.Validation).Concat(dataset.Test)
            .Select(i => i.Path)
            .Where(p => p.Length > 0)
            .Concat(extraFiles ?? [])
            .Select(Path.GetFullPath)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        var hashes = new string[paths.Count];
        Parallel.For(0, paths.Count, i => hashes[i] = RunManifest.HashFile(paths[i]));
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        using var all = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var i = 0; i < paths.Count; i++)
        {
            files[paths[i]] = hashes[i];
            all.AppendData(Encoding.UTF8.GetBytes($"{paths[i]}\n{hashes[i]}\n"));
        }

        return new DataFingerprint(files, Convert.ToHexStringLower(all.GetHashAndReset()));
    }
}
