namespace Wright.Core.Projects;

/// <summary>Where users may put projects (configuration section <c>Wright:Workspace</c>).</summary>
public sealed class WorkspaceOptions
{
    public const string Section = Hosting.WrightConfigNames.WorkspaceSection;

    /// <summary>
    /// Directories inside which every user may register, create and clone projects
    /// (<c>Wright:Workspace:Roots</c>). Empty means the home directory of the account running the
    /// server. The data directory's <c>projects/</c> folder is always a root: projects created
    /// without a path go there.
    /// </summary>
    public List<string> Roots { get; set; } = [];
}

/// <summary>Checks <see cref="WorkspaceOptions"/> at start-up: every root an absolute path (a relative one would depend on the directory the server was started in).</summary>
internal sealed class WorkspaceOptionsValidation : Microsoft.Extensions.Options.IValidateOptions<WorkspaceOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, WorkspaceOptions options)
    {
        var problems = options.Roots
            .Select((root, index) => (root, index))
            .Where(r => string.IsNullOrWhiteSpace(r.root) || !Path.IsPathFullyQualified(r.root))
            .Select(r => $"{WorkspaceOptions.Section}:Roots:{r.index} must be an absolute directory path (got '{r.root}').")
            .ToList();
        return problems.Count == 0 ? Microsoft.Extensions.Options.ValidateOptionsResult.Success : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(problems);
    }
}
