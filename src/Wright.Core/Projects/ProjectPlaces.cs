using Microsoft.Extensions.Options;
using Wright.Core.Accounts;
using Wright.Core.Errors;
using Wright.Core.Hosting;
using Wright.Core.Workspace;

namespace Wright.Core.Projects;

/// <summary>
/// Decides which directories may become a project. Nobody, admins included, may turn Wright's
/// data directory (its database and key ring) or a system directory into a project, nor a
/// directory that contains one of them. Admins may register any other directory; every other
/// user only directories inside a workspace root (<see cref="WorkspaceOptions.Roots"/>).
/// </summary>
/// <remarks>
/// Paths are compared after every existing symbolic link is resolved, so a link inside a root
/// that points at the data directory is judged by where it leads.
/// </remarks>
public sealed class ProjectPlaces
{
    /// <summary>System directories that are never a project, nor is anything below them.</summary>
    private static readonly string[] UnixSystemTrees =
    [
        "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/lost+found", "/proc", "/run",
        "/sbin", "/snap", "/sys", "/usr", "/var", "/System", "/Library", "/private/etc", "/private/var",
    ];

    /// <summary>Directories that hold other people's or the whole system's files: never a project themselves, though projects may live below them.</summary>
    private static readonly string[] UnixSharedParents = ["/", "/home", "/Users", "/root", "/tmp", "/mnt", "/media", "/opt", "/srv", "/Volumes"];

    private readonly string _dataDir;
    private readonly string _projectsDir;
    private readonly string _home;
    private readonly IReadOnlyList<string> _systemTrees;
    private readonly IReadOnlyList<string> _sharedParents;

    public ProjectPlaces(WrightOptions options, IOptions<WorkspaceOptions> workspace)
    {
        _dataDir = Real(options.DataDir);
        _projectsDir = Real(options.ProjectsDir);
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        _home = home.Length == 0 ? "" : Real(home);
        var configured = workspace.Value.Roots.Where(r => !string.IsNullOrWhiteSpace(r)).Select(r => Real(Path.GetFullPath(r))).ToList();
        if (configured.Count == 0 && _home.Length > 0)
        {
            configured.Add(_home);
        }

        Roots = [_projectsDir, .. configured.Where(r => !ProjectService.PathsEqual(r, _projectsDir)).Distinct()];
        (_systemTrees, _sharedParents) = SystemDirectories();
    }

    /// <summary>The workspace roots, resolved: the data directory's <c>projects/</c> first, then the configured ones.</summary>
    public IReadOnlyList<string> Roots { get; }

    /// <summary>
    /// Throws <c>project_path_reserved</c> when nobody may use <paramref name="root"/> (an
    /// absolute, resolved path), and <c>project_path_not_allowed</c> when <paramref name="actor"/>
    /// may not: a non-admin outside every workspace root.
    /// </summary>
    public void EnsureAllowed(Actor actor, string root)
    {
        EnsureNotReserved(root);
        if (!actor.IsAdmin && !Roots.Any(r => ProjectService.IsInside(root, r)))
        {
            throw NotAllowed(actor);
        }
    }

    /// <summary>The one refusal for "outside your roots" and "someone else's project": it says nothing about what is there.</summary>
    public WrightException NotAllowed(Actor actor) => new(
        ErrorKind.Forbidden,
        ErrorCodes.ProjectPathNotAllowed,
        actor.IsAdmin
            ? "That directory cannot be used for a project: it is, contains or lies inside a project you do not have access to."
            : $"That directory cannot be used for a project: choose a new directory inside one of the workspace roots ({string.Join(", ", Roots)}) that is not part of a project you do not have access to.");

    private void EnsureNotReserved(string root)
    {
        var inProjectsDir = ProjectService.IsInside(root, _projectsDir);
        var reason =
            !inProjectsDir && Covers(_dataDir, root) ? "it is inside Wright's data directory"
            : Covers(root, _dataDir) ? "it contains Wright's data directory"
            : _home.Length > 0 && ProjectService.PathsEqual(root, _home) ? "it is the server account's home directory"
            : _sharedParents.Any(p => ProjectService.PathsEqual(p, root)) ? "it is a shared system directory"
            : !inProjectsDir && !InsideTrustedRoot(root) && _systemTrees.Any(s => Covers(s, root) || ProjectService.IsInside(s, root)) ? "it is or contains a system directory"
            : null;
        if (reason is not null)
        {
            throw new WrightException(ErrorKind.Forbidden, ErrorCodes.ProjectPathReserved, $"'{root}' can never be a project: {reason}.");
        }
    }

    /// <summary>
    /// A configured root below a system directory (say <c>/var/www</c>) was chosen by the admin on
    /// purpose, so projects may live inside it; a root that is itself a system directory or
    /// contains one (<c>/</c>, <c>/etc</c>) grants nothing.
    /// </summary>
    private bool InsideTrustedRoot(string root) =>
        Roots.Any(r => ProjectService.IsInside(root, r) && !_systemTrees.Any(s => Covers(r, s) || ProjectService.PathsEqual(s, r)));

    private static bool Covers(string outer, string inner) => ProjectService.PathsEqual(outer, inner) || ProjectService.IsInside(inner, outer);

    private static string Real(string path) => Path.TrimEndingDirectorySeparator(PathJail.ResolveReal(Path.GetFullPath(path)));

    private static (IReadOnlyList<string> Trees, IReadOnlyList<string> Parents) SystemDirectories()
    {
        if (!OperatingSystem.IsWindows())
        {
            return (UnixSystemTrees, UnixSharedParents);
        }

        var trees = new[] { Environment.SpecialFolder.Windows, Environment.SpecialFolder.ProgramFiles, Environment.SpecialFolder.ProgramFilesX86, Environment.SpecialFolder.CommonApplicationData }
            .Select(Environment.GetFolderPath).Where(p => p.Length > 0).Select(p => Path.TrimEndingDirectorySeparator(p)).ToList();
        var parents = DriveInfo.GetDrives().Select(d => Path.TrimEndingDirectorySeparator(d.RootDirectory.FullName)).ToList();
        var users = Path.GetDirectoryName(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));
        if (!string.IsNullOrEmpty(users))
        {
            parents.Add(users);
        }

        return (trees, parents);
    }
}
