namespace AppWithModel.Commands;

/// <summary>A clip and its true label.</summary>
public sealed record LabelledClip(string Path, string Label);

/// <summary>
/// Test clips with their labels, from either a Speech-Commands-style folder (<c>FOLDER/LABEL/*.wav</c>; folders
/// starting with '_' other than the model's own labels, such as <c>_background_noise_</c>, are skipped) or a list
/// file with one clip per line: <c>LABEL/clip.wav</c> relative to the list's folder (Speech Commands'
/// <c>testing_list.txt</c>), or <c>PATH&lt;TAB&gt;LABEL</c>. Blank lines and lines starting with '#' are ignored.
/// </summary>
public static class LabelledClips
{
    /// <summary>The clips, in a stable order (ordinal by path).</summary>
    public static List<LabelledClip> From(string folderOrList, IReadOnlyCollection<string> modelLabels)
    {
        if (Directory.Exists(folderOrList))
        {
            return Directory.GetDirectories(folderOrList)
                .Select(d => (Folder: d, Label: Path.GetFileName(d)))
                .Where(d => !d.Label.StartsWith('_') || modelLabels.Contains(d.Label))
                .SelectMany(d => Directory.GetFiles(d.Folder, "*.wav").Select(f => new LabelledClip(f, d.Label)))
                .OrderBy(c => c.Path, StringComparer.Ordinal)
                .ToList();
        }

        if (!File.Exists(folderOrList))
        {
            throw new FileNotFoundException($"{folderOrList} is neither a folder nor a list file");
        }

        var root = Path.GetDirectoryName(Path.GetFullPath(folderOrList))!;
        var clips = new List<LabelledClip>();
        foreach (var raw in File.ReadLines(folderOrList))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            var path = tab >= 0 ? line[..tab] : line;
            var label = tab >= 0 ? line[(tab + 1)..].Trim() : path.Replace('\\', '/').Split('/')[0];
            clips.Add(new LabelledClip(Path.Combine(root, path), label));
        }

        return clips;
    }
}
