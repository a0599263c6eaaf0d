namespace Wright.Cli.Agents;

/// <summary>
/// What a hook shares with `wright start` and `wright hooks install`: the variables and the token
/// file. Kept free of anything but the base library, because wright-hook (NativeAOT) compiles it too.
/// </summary>
internal static class HookEnvironment
{
    public const string UrlVariable = "WRIGHT_URL";
    public const string TokenVariable = "WRIGHT_TOKEN";
    public const string SessionVariable = "WRIGHT_SESSION_ID";

    /// <summary>Where `wright hooks install` keeps the token for the command hook (mode 0600): the hook's command line never holds it.</summary>
    public static string DefaultTokenFile => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".wright", "hooks-token");

    public static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
