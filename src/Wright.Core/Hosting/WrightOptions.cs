namespace Wright.Core.Hosting;

/// <summary>Settings every part of Wright shares: where its data lives and its size limits.</summary>
public sealed class WrightOptions
{
    /// <summary>The data directory (database, keys, default project location). Default ~/.wright, or WRIGHT_HOME.</summary>
    public string DataDir { get; set; } = DefaultDataDir();

    /// <summary>Largest file the files API reads or writes, in bytes (config key Wright:MaxFileBytes).</summary>
    public long MaxFileBytes { get; set; } = DefaultMaxFileBytes;

    public const long DefaultMaxFileBytes = 5 * 1024 * 1024;

    /// <summary>
    /// Whether files with more than one hard link may be read (config key Wright:Files:AllowHardLinks).
    /// Off by default: a hard link made inside a project can name a file outside it, and no path check can tell.
    /// </summary>
    public bool AllowHardLinks { get; set; }

    /// <summary>Where projects created without an explicit path are placed.</summary>
    public string ProjectsDir => Path.Combine(DataDir, "projects");

    public static string DefaultDataDir()
    {
        var home = Environment.GetEnvironmentVariable(WrightConfigNames.HomeVariable);
        if (!string.IsNullOrWhiteSpace(home))
        {
            return Path.GetFullPath(home);
        }

        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".wright");
    }
}
