namespace Wright.Core.Hosting;

/// <summary>
/// Every environment variable and configuration key Wright reads, once: the CLI's flags and help,
/// the options that bind them and the errors that name them all take their names from here, so a
/// message never names a variable that nothing reads.
/// </summary>
public static class WrightConfigNames
{
    /// <summary>The data directory (default <c>~/.wright</c>); the CLI's <c>--data-dir</c>.</summary>
    public const string HomeVariable = "WRIGHT_HOME";

    /// <summary>A PostgreSQL URL instead of the SQLite file in the data directory; the CLI's <c>--database</c>.</summary>
    public const string DatabaseVariable = "WRIGHT_DATABASE";

    /// <summary>On a first start without users, the admin's password.</summary>
    public const string AdminPasswordVariable = "WRIGHT_ADMIN_PASSWORD";

    /// <summary>The model used when a request names none (<c>provider/model</c>); also <see cref="DefaultModelKey"/>.</summary>
    public const string DefaultModelVariable = "WRIGHT_DEFAULT_MODEL";

    /// <summary>The server the agent commands and hooks talk to.</summary>
    public const string UrlVariable = "WRIGHT_URL";

    /// <summary>The token the agent commands and hooks send.</summary>
    public const string TokenVariable = "WRIGHT_TOKEN";

    /// <summary>The Wright session an external agent was started for (<c>wright start</c>).</summary>
    public const string SessionVariable = "WRIGHT_SESSION_ID";

    /// <summary>A provider's key: <c>&lt;NAME&gt;_API_KEY</c> (ANTHROPIC_API_KEY, OPENAI_API_KEY…).</summary>
    public const string ApiKeySuffix = "_API_KEY";

    /// <summary>A provider's URL: <c>&lt;NAME&gt;_BASE_URL</c> (OLLAMA_BASE_URL…).</summary>
    public const string BaseUrlSuffix = "_BASE_URL";

    public const string LlmSection = "Llm";

    public const string DefaultModelKey = "Llm:DefaultModel";

    public const string EngineSection = "Engine";

    public const string ConversationsSection = "Conversations";

    public const string SearchSection = "Search";

    /// <summary>Where projects may live (<c>Wright:Workspace:Roots</c>).</summary>
    public const string WorkspaceSection = "Wright:Workspace";

    public const string MaxFileBytesKey = "Wright:MaxFileBytes";

    public const string AllowHardLinksKey = "Wright:Files:AllowHardLinks";

    /// <summary>The environment variable of a provider's key or URL: <paramref name="provider"/> upper-cased, dashes as underscores, then the suffix.</summary>
    public static string ProviderVariable(string provider, string suffix) => provider.ToUpperInvariant().Replace('-', '_') + suffix;
}
