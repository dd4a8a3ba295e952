namespace Compress.Runtime;

/// <summary>Well-known folders of Compress outside any project.</summary>
public static class CompressPaths
{
    /// <summary>
    /// The per-user cache root: <c>$COMPRESS_CACHE_HOME</c>, else <c>$XDG_CACHE_HOME/compress</c>, else
    /// <c>~/.cache/compress</c>; where there is no home folder, a per-user folder under the temp path.
    /// Never inside the NuGet cache or the tool's install folder.
    /// </summary>
    public static string UserCacheRoot
    {
        get
        {
            var explicitRoot = Environment.GetEnvironmentVariable("COMPRESS_CACHE_HOME");
            if (!string.IsNullOrEmpty(explicitRoot))
            {
                return Path.GetFullPath(explicitRoot);
            }

            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (!string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg))
            {
                return Path.Combine(xdg, "compress");
            }

            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (!string.IsNullOrEmpty(home))
            {
                return Path.Combine(home, ".cache", "compress");
            }

            return Path.Combine(Path.GetTempPath(), "compress-" + Environment.UserName);
        }
    }
}
