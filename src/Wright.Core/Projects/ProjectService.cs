using Wright.Core.Errors;
using Wright.Core.Git;
using Wright.Core.Hosting;
using Wright.Core.Paging;

namespace Wright.Core.Projects;

/// <summary>Project lifecycle: create, open, list, rename, archive and unregister projects.</summary>
public sealed class ProjectService
{
    private const int MaxNameLength = 100;

    private readonly IProjectRepository _projects;
    private readonly GitRunner _git;
    private readonly WrightOptions _options;
    private readonly TimeProvider _time;

    public ProjectService(IProjectRepository projects, GitRunner git, WrightOptions options, TimeProvider time)
    {
        _projects = projects;
        _git = git;
        _options = options;
        _time = time;
    }

    /// <summary>Creates a new directory, initialises a git repository with an initial commit and registers it.</summary>
    public async Task<Project> CreateAsync(string name, string? path, CancellationToken cancellationToken)
    {
        var cleanName = ValidateName(name);
        var root = path is null ? Path.Combine(_options.ProjectsDir, Slug(cleanName)) : NormalizeRoot(path);
        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
        {
            throw WrightException.Conflict(ErrorCodes.ProjectPathExists, $"'{root}' already exists and is not empty; open it instead of creating it.");
        }

        if (await _projects.FindByPathAsync(root, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw WrightException.Conflict(ErrorCodes.ProjectPathTaken, $"'{root}' already belongs to a project.");
        }

        Directory.CreateDirectory(root);
        await _git.RunCheckedAsync(root, ["init", "--quiet", "--initial-branch=main"], cancellationToken).ConfigureAwait(false);
        await GitIdentity.CommitAsync(_git, root, ["commit", "--quiet", "--allow-empty", "-m", "Initial commit"], cancellationToken).ConfigureAwait(false);

        var now = Now();
        var project = new Project(Guid.CreateVersion7(now), cleanName, root, now, now, null);
        await _projects.InsertAsync(project, cancellationToken).ConfigureAwait(false);
        return project;
    }

    public async Task<Project> GetAsync(Guid id, CancellationToken cancellationToken) =>
        await _projects.GetAsync(id, cancellationToken).ConfigureAwait(false)
        ?? throw WrightException.NotFound(ErrorCodes.ProjectNotFound, $"No project with id {id}.");

    public Task<Page<Project>> ListAsync(PageRequest page, bool includeArchived, CancellationToken cancellationToken) =>
        _projects.ListAsync(page, includeArchived, cancellationToken);

    /// <summary>Storage keeps milliseconds; trimming here makes a created project equal its stored copy.</summary>
    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds());

    internal static string ValidateName(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0 || trimmed.Length > MaxNameLength || trimmed.Any(char.IsControl))
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, $"A project name is 1 to {MaxNameLength} printable characters.");
        }

        return trimmed;
    }

    /// <summary>Makes a user-given project root absolute and canonical (no trailing separator, symlinks resolved where they exist).</summary>
    internal static string NormalizeRoot(string path)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\0', StringComparison.Ordinal) || !Path.IsPathFullyQualified(path))
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, "A project path must be an absolute directory path.");
        }

        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (Directory.Exists(full))
        {
            var info = new DirectoryInfo(full);
            var target = info.ResolveLinkTarget(returnFinalTarget: true);
            if (target is not null)
            {
                full = Path.TrimEndingDirectorySeparator(target.FullName);
            }
        }

        return full;
    }

    private static string Slug(string name)
    {
        var chars = name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        var slug = string.Join('-', new string(chars).Split('-', StringSplitOptions.RemoveEmptyEntries));
        return slug.Length == 0 ? "project" : slug;
    }
}
