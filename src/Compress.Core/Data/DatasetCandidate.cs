namespace Compress.Data;

/// <summary>A file found by a dataset source, before labels are mapped: its word (folder or manifest label) and split.</summary>
internal sealed record DatasetCandidate(string Path, string Word, DatasetSplit Split);
