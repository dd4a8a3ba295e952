using System.Globalization;
using System.Text;

namespace Compress.MSBuild;

/// <summary>
/// Remembers the SHA-256 of input files by (path, size, last write time) in <c>NAME.hashes</c>, so a no-op build
/// of a large data set re-reads nothing. A file whose size or time differs — any edit, a checkout, a fresh clone
/// with a restored cache — is hashed again; only the hash is ever compared with the manifest.
/// </summary>
internal sealed class HashCache
{
    private readonly string _path;
    private readonly Dictionary<string, (long Size, long Ticks, string Sha256)> _entries = new(StringComparer.Ordinal);
    private bool _changed;

    private HashCache(string path) => _path = path;

    /// <summary>Loads the cache file (a missing or damaged one is an empty cache).</summary>
    public static HashCache Load(string path)
    {
        var cache = new HashCache(path);
        try
        {
            foreach (var line in File.Exists(path) ? File.ReadAllLines(path) : Array.Empty<string>())
            {
                var parts = line.Split(new[] { ' ' }, 4);
                if (parts.Length == 4
                    && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
                    && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
                {
                    cache._entries[parts[3]] = (size, ticks, parts[2]);
                }
            }
        }
        catch (IOException)
        {
            cache._entries.Clear();
        }

        return cache;
    }

    /// <summary>The SHA-256 of an existing file, from the cache when its size and time are unchanged.</summary>
    public string Sha256(string file)
    {
        var info = new FileInfo(file);
        var ticks = info.LastWriteTimeUtc.Ticks;
        if (_entries.TryGetValue(file, out var entry) && entry.Size == info.Length && entry.Ticks == ticks)
        {
            return entry.Sha256;
        }

        var sha = FileHash.Sha256(file);
        _entries[file] = (info.Length, ticks, sha);
        _changed = true;
        return sha;
    }

    /// <summary>Writes the cache back when something was hashed (best effort: a failure only costs time next build).</summary>
    public void Save()
    {
        if (!_changed)
        {
            return;
        }

        var text = new StringBuilder();
        foreach (var entry in _entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            text.Append(entry.Value.Size.ToString(CultureInfo.InvariantCulture)).Append(' ')
                .Append(entry.Value.Ticks.ToString(CultureInfo.InvariantCulture)).Append(' ')
                .Append(entry.Value.Sha256).Append(' ').Append(entry.Key).Append('\n');
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path) ?? ".");
            var temp = _path + ".tmp";
            File.WriteAllText(temp, text.ToString());
            if (File.Exists(_path))
            {
                File.Delete(_path);
            }

            File.Move(temp, _path);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            // Only a cache.
        }
    }
}
