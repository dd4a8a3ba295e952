namespace Compress.MSBuild.Tests;

public sealed class HashCacheTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("compress-hashes-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void SavedCache_IsTrustedWhileSizeAndTimeMatch_AndAnyTouchRehashes()
    {
        var file = Path.Combine(_root, "a.wav");
        var cacheFile = Path.Combine(_root, "Kws.hashes");
        File.WriteAllText(file, "aaaa");
        var time = new DateTime(2025, 5, 1, 12, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(file, time);
        var cache = HashCache.Load(cacheFile);
        var original = cache.Sha256(file);
        cache.Save();

        // Same size and time: the cache answers without reading (the bytes changed, the cached hash is returned).
        File.WriteAllText(file, "bbbb");
        File.SetLastWriteTimeUtc(file, time);
        Assert.Equal(original, HashCache.Load(cacheFile).Sha256(file));

        File.SetLastWriteTimeUtc(file, time.AddSeconds(1));
        Assert.Equal(FileHash.Sha256(file), HashCache.Load(cacheFile).Sha256(file));
        Assert.NotEqual(original, FileHash.Sha256(file));
    }

    [Fact]
    public void DamagedCacheFile_IsAnEmptyCache()
    {
        var file = Path.Combine(_root, "a.wav");
        File.WriteAllText(file, "x");
        var cacheFile = Path.Combine(_root, "Kws.hashes");
        File.WriteAllText(cacheFile, "garbage line\n12 notanumber abc " + file + "\n");

        Assert.Equal(FileHash.Sha256(file), HashCache.Load(cacheFile).Sha256(file));
    }
}
