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
