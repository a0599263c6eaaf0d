using Microsoft.Extensions.Logging;
using Wright.Core.Accounts;
using Wright.Core.Errors;
using Wright.Core.Git;
using Wright.Core.Hosting;
using Wright.Core.Paging;
using Wright.Core.Workspace;

namespace Wright.Core.Projects;

/// <summary>
/// Project lifecycle: create, open, clone, list, rename, archive and unregister projects.
/// A directory belongs to one project at most, and project roots never nest: one project's root
/// is never inside another's, so no file is ever in two projects (two watchers, two histories,
/// and deleting one project's files would delete the other's).
/// Every operation is on behalf of an <see cref="Actor"/>: a user sees and touches only projects
/// they own or are a member of, and any other project answers <c>project_not_found</c> exactly like
/// a project that does not exist. Admins get no exception: administering users is not a licence
/// to read their code.
/// </summary>
public sealed partial class ProjectService
{
    private const int MaxNameLength = 100;

    private readonly IReadOnlyList<IProjectDeletionListener> _deletionListeners;
    private readonly IProjectRepository _projects;
    private readonly IUserRepository _users;
    private readonly AuditLog _audit;
    private readonly GitService _git;
    private readonly ProjectPlaces _places;
    private readonly WrightOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ProjectService> _logger;

    /// <summary>
    /// Serialises "is this path free? then register it" within this process. The unique index on
    /// the root path still guards exact duplicates across server instances; nesting across
    /// instances racing in the same millisecond is not guarded.
    /// </summary>
    private readonly SemaphoreSlim _registration = new(1, 1);

    public ProjectService(IProjectRepository projects, IUserRepository users, AuditLog audit, GitService git, ProjectPlaces places, WrightOptions options, TimeProvider time, ILogger<ProjectService> logger, IEnumerable<IProjectDeletionListener>? deletionListeners = null)
    {
        _deletionListeners = deletionListeners?.ToList() ?? [];
        _projects = projects;
        _users = users;
        _audit = audit;
        _git = git;
        _places = places;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Creates a new directory, initialises a git repository with an initial commit and registers it.</summary>
    public async Task<Project> CreateAsync(Actor actor, string name, string? path, CancellationToken cancellationToken)
    {
        var cleanName = ValidateName(name);
        var root = path is null ? Path.Combine(_options.ProjectsDir, Slug(cleanName)) : NormalizeRoot(path);
        await EnsurePlaceAsync(actor, root, cancellationToken).ConfigureAwait(false);
        EnsureEmptyOrMissing(root);
        return await RegisterAsync(actor, cleanName, root, async () =>
        {
            Directory.CreateDirectory(root);
            await _git.InitAsync(root, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Registers an existing directory. It must be the top of a git working tree, unless
    /// <paramref name="initGit"/> is given: then a repository is created there and its current
    /// content (minus what .gitignore excludes) becomes the initial commit.
    /// </summary>
    public async Task<Project> OpenAsync(Actor actor, string path, string? name, bool initGit, CancellationToken cancellationToken)
    {
        var root = NormalizeRoot(path);
        await EnsurePlaceAsync(actor, root, cancellationToken).ConfigureAwait(false);
        if (!Directory.Exists(root))
        {
            throw WrightException.Invalid(ErrorCodes.ProjectPathMissing, $"'{root}' does not exist or is not a directory; create it, or create a project instead.");
        }

        var cleanName = ValidateName(name ?? Path.GetFileName(root));
        var top = await _git.FindWorkTreeRootAsync(root, cancellationToken).ConfigureAwait(false);
        var isRepositoryRoot = top is not null && PathsEqual(top, root);
        if (!isRepositoryRoot && !initGit)
        {
            var detail = top is null
                ? $"'{root}' is not a git repository; open it with initGit=true to create one with its current content as the first commit."
                : $"'{root}' is inside the git repository at '{top}', not its top; open '{top}', or pass initGit=true for a repository of its own.";
            throw WrightException.Conflict(ErrorCodes.ProjectNotGitRepository, detail);
        }

        return await RegisterAsync(actor, cleanName, root, async () =>
        {
            if (!isRepositoryRoot)
            {
                await _git.InitAsync(root, cancellationToken).ConfigureAwait(false);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Refuses <paramref name="path"/> exactly as opening it as a project would (reserved, outside
    /// the actor's roots, part of a project they cannot see), without touching it: a directory an
    /// agent reported is read only where its user could open a project.
    /// </summary>
    public Task EnsureMayOpenAsync(Actor actor, string path, CancellationToken cancellationToken) =>
        EnsurePlaceAsync(actor, NormalizeRoot(path), cancellationToken);

    /// <summary>
    /// Clones <paramref name="url"/> into <paramref name="path"/> (default: the projects folder,
    /// named after the repository) and registers it. A failed clone leaves no directory behind.
    /// </summary>
    public async Task<Project> CloneAsync(Actor actor, string url, string? path, string? name, CancellationToken cancellationToken)
    {
        var target = await PrepareCloneAsync(actor, url, path, name, cancellationToken).ConfigureAwait(false);
        return await CloneAsync(actor, target, progress: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A project the actor owns or is a member of; <c>project_not_found</c> for any other.</summary>
    /// <remarks>The trusted local command line (<see cref="Actor.CommandLine"/>, which works on the data directory directly) sees every project.</remarks>
    public async Task<Project> GetAsync(Actor actor, Guid id, CancellationToken cancellationToken) =>
        (actor.UserId == Actor.CommandLineId
            ? await _projects.GetAsync(id, cancellationToken).ConfigureAwait(false)
            : await _projects.GetForUserAsync(id, actor.UserId, cancellationToken).ConfigureAwait(false))
        ?? throw NotFound(id);

    /// <summary>A project whose files and history may change: <c>project_archived</c> for an archived one.</summary>
    public async Task<Project> GetWritableAsync(Actor actor, Guid id, CancellationToken cancellationToken)
    {
        var project = await GetAsync(actor, id, cancellationToken).ConfigureAwait(false);
        return project.IsArchived
            ? throw WrightException.Conflict(ErrorCodes.ProjectArchived, $"Project '{project.Name}' is archived and read-only; unarchive it first.")
            : project;
    }

    /// <summary>The projects the actor owns or is a member of.</summary>
    public Task<Page<Project>> ListAsync(Actor actor, PageRequest page, bool includeArchived, CancellationToken cancellationToken) =>
        _projects.ListAsync(page, includeArchived, actor.UserId, cancellationToken);

    /// <summary>True when the actor may see project <paramref name="id"/> (the event feed asks this for projects created after it opened).</summary>
    public async Task<bool> CanSeeAsync(Actor actor, Guid id, CancellationToken cancellationToken) =>
        await _projects.GetForUserAsync(id, actor.UserId, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>Changes the name and/or the archive state; a null argument leaves that part as it is.</summary>
    public async Task<Project> UpdateAsync(Actor actor, Guid id, string? name, bool? archived, CancellationToken cancellationToken)
    {
        var project = await GetAsync(actor, id, cancellationToken).ConfigureAwait(false);
        var now = Now();
        var updated = project with
        {
            Name = name is null ? project.Name : ValidateName(name),
            ArchivedAt = archived switch
            {
                null => project.ArchivedAt,
                true => project.ArchivedAt ?? now,
                false => null,
            },
        };
        if (updated == project)
        {
            return project;
        }

        updated = updated with { UpdatedAt = now };
        if (!await _projects.UpdateAsync(updated, cancellationToken).ConfigureAwait(false))
        {
            throw NotFound(id);
        }

        return updated;
    }

    /// <summary>
    /// Unregisters a project. Its directory stays on disk unless <paramref name="deleteFiles"/>;
    /// then the project root and everything under it is removed, symbolic links removed as links
    /// and never followed, and only after checks that the root is a plain directory that holds
    /// neither Wright's data nor the user's home.
    /// </summary>
    public async Task DeleteAsync(Actor actor, Guid id, bool deleteFiles, CancellationToken cancellationToken)
    {
        var project = await GetAsync(actor, id, cancellationToken).ConfigureAwait(false);
        RequireOwner(actor, project);
        foreach (var listener in _deletionListeners)
        {
            await listener.ProjectDeletingAsync(project.Id, cancellationToken).ConfigureAwait(false);
        }

        if (deleteFiles && Directory.Exists(project.RootPath))
        {
            EnsureDeletable(project.RootPath);
            ProjectDirectory.Delete(project.RootPath);
            ProjectLog.FilesDeleted(_logger, project.Id, project.RootPath);
        }

        await _projects.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
        ProjectLog.Unregistered(_logger, project.Id, project.RootPath);
        await _audit.RecordAsync(AuditActions.ProjectDeleted, actor, $"project:{project.Id}", deleteFiles ? $"'{project.Name}' and its files at {project.RootPath}" : $"'{project.Name}' (files kept at {project.RootPath})", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The members of a project; anyone who may see the project may see them.</summary>
    public async Task<IReadOnlyList<ProjectMember>> ListMembersAsync(Actor actor, Guid id, CancellationToken cancellationToken)
    {
        var project = await GetAsync(actor, id, cancellationToken).ConfigureAwait(false);
        return await _projects.ListMembersAsync(project.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lets <paramref name="userName"/> use the project; only its owner may add members.</summary>
    public async Task<ProjectMember> AddMemberAsync(Actor actor, Guid id, string userName, CancellationToken cancellationToken)
    {
        var project = await GetAsync(actor, id, cancellationToken).ConfigureAwait(false);
        RequireOwner(actor, project);
        var user = await _users.FindByNameAsync(userName?.Trim() ?? "", cancellationToken).ConfigureAwait(false);
        if (user is null || user.IsDisabled)
        {
            throw WrightException.NotFound(ErrorCodes.UserNotFound, $"No active user '{userName}'.");
        }

        if (user.Id == project.OwnerId)
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, $"'{user.UserName}' owns the project already.");
        }

        if (await _projects.AddMemberAsync(project.Id, user.Id, Now(), cancellationToken).ConfigureAwait(false))
        {
            await _audit.RecordAsync(AuditActions.ProjectMemberAdded, actor, $"project:{project.Id}", $"member {user.UserName}", cancellationToken).ConfigureAwait(false);
        }

        var members = await _projects.ListMembersAsync(project.Id, cancellationToken).ConfigureAwait(false);
        return members.First(m => m.UserId == user.Id);
    }

    /// <summary>Removes a member: the owner removes anyone, a member may leave.</summary>
    public async Task RemoveMemberAsync(Actor actor, Guid id, Guid userId, CancellationToken cancellationToken)
    {
        var project = await GetAsync(actor, id, cancellationToken).ConfigureAwait(false);
        if (actor.UserId != userId)
        {
            RequireOwner(actor, project);
        }

        if (!await _projects.RemoveMemberAsync(project.Id, userId, cancellationToken).ConfigureAwait(false))
        {
            throw WrightException.NotFound(ErrorCodes.MemberNotFound, $"User {userId} is not a member of this project.");
        }

        await _audit.RecordAsync(AuditActions.ProjectMemberRemoved, actor, $"project:{project.Id}", $"member {userId}", cancellationToken).ConfigureAwait(false);
    }

    private static void RequireOwner(Actor actor, Project project)
    {
        if (project.OwnerId != actor.UserId)
        {
            throw WrightException.Forbidden(ErrorCodes.ProjectOwnerRequired, $"Only the owner of '{project.Name}' may do this; members may use its files and history.");
        }
    }

    private static WrightException NotFound(Guid id) => WrightException.NotFound(ErrorCodes.ProjectNotFound, $"No project with id {id}.");

    private void EnsureDeletable(string root)
    {
        var info = new DirectoryInfo(root);
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var refusal =
            info.LinkTarget is not null ? "it is now a symbolic link, not the directory that was registered"
            : Path.GetPathRoot(root) is { } r && PathsEqual(Path.TrimEndingDirectorySeparator(r), root) ? "it is a file system root"
            : home.Length > 0 && (PathsEqual(home, root) || IsInside(home, root)) ? "it is or contains the home directory"
            : PathsEqual(_options.DataDir, root) || IsInside(_options.DataDir, root) ? "it is or contains Wright's data directory"
            : null;
        if (refusal is not null)
        {
            throw WrightException.Conflict(ErrorCodes.ProjectDeleteRefused, $"Wright will not delete '{root}': {refusal}. Unregister the project without deleteFiles and remove what you need by hand.");
        }
    }

    /// <summary>
    /// The command line is no user: what it registers belongs to the oldest active admin, the same
    /// rule that gives the first admin the projects registered before accounts existed. Without an
    /// admin yet the project stays ownerless, and setup adopts it.
    /// </summary>
    private async Task<Guid?> CommandLineOwnerAsync(CancellationToken cancellationToken)
    {
        string? cursor = null;
        do
        {
            var page = await _users.ListAsync(new PageRequest(PageRequest.MaxLimit, cursor), cancellationToken).ConfigureAwait(false);
            if (page.Items.Where(u => u.Role == UserRole.Admin && u.DisabledAt is null).MinBy(u => u.CreatedAt) is { } admin)
            {
                return admin.Id;
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return null;
    }

    /// <summary>Checks the path is free and not nested with another project, runs <paramref name="prepare"/> (git init or clone), then stores the project.</summary>
    private async Task<Project> RegisterAsync(Actor actor, string name, string root, Func<Task> prepare, CancellationToken cancellationToken)
    {
        await _registration.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureRootAvailableAsync(actor, root, cancellationToken).ConfigureAwait(false);
            await prepare().ConfigureAwait(false);
            var now = Now();
            var owner = actor.UserId == Actor.CommandLineId ? await CommandLineOwnerAsync(cancellationToken).ConfigureAwait(false) : actor.UserId;
            var project = new Project(Guid.CreateVersion7(now), name, root, now, now, null, owner);
            await _projects.InsertAsync(project, cancellationToken).ConfigureAwait(false);
            ProjectLog.Registered(_logger, project.Id, root);
            return project;
        }
        finally
        {
            _registration.Release();
        }
    }

    private async Task EnsureRootAvailableAsync(Actor actor, string root, CancellationToken cancellationToken)
    {
        string? cursor = null;
        do
        {
            var page = await _projects.ListAsync(new PageRequest(PageRequest.MaxLimit, cursor), includeArchived: true, visibleTo: null, cancellationToken).ConfigureAwait(false);
            foreach (var other in page.Items)
            {
                var same = PathsEqual(other.RootPath, root);
                if (!same && !IsInside(root, other.RootPath) && !IsInside(other.RootPath, root))
                {
                    continue;
                }

                // A project the actor cannot see is refused exactly like a path outside their
                // roots: whether someone else has a project there is theirs to know.
                if (!await CanSeeOrAdministerAsync(actor, other, cancellationToken).ConfigureAwait(false))
                {
                    throw _places.NotAllowed(actor);
                }

                throw same
                    ? WrightException.Conflict(ErrorCodes.ProjectPathTaken, $"'{root}' already belongs to your project '{other.Name}'.")
                    : WrightException.Conflict(ErrorCodes.ProjectPathOverlaps, $"'{root}' overlaps your project '{other.Name}' at '{other.RootPath}'; project directories cannot be nested.");
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    /// <summary>
    /// Checks, before the file system is looked at, that <paramref name="root"/> is a place the
    /// actor may use (<see cref="ProjectPlaces"/>) and not part of a project they cannot see, so
    /// no answer tells whether anything exists where they may not look.
    /// </summary>
    private async Task EnsurePlaceAsync(Actor actor, string root, CancellationToken cancellationToken)
    {
        _places.EnsureAllowed(actor, root);
        await EnsureNotOthersAsync(actor, root, cancellationToken).ConfigureAwait(false);
    }

    private async Task EnsureNotOthersAsync(Actor actor, string path, CancellationToken cancellationToken)
    {
        string? cursor = null;
        do
        {
            var page = await _projects.ListAsync(new PageRequest(PageRequest.MaxLimit, cursor), includeArchived: true, visibleTo: null, cancellationToken).ConfigureAwait(false);
            foreach (var other in page.Items)
            {
                var related = PathsEqual(other.RootPath, path) || IsInside(path, other.RootPath) || IsInside(other.RootPath, path);
                if (related && !await CanSeeOrAdministerAsync(actor, other, cancellationToken).ConfigureAwait(false))
                {
                    throw _places.NotAllowed(actor);
                }
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    /// <summary>
    /// A clone from this machine (an absolute path or <c>file://</c>) reads another directory:
    /// it must be one the actor could register themselves, and git's own directory (a <c>.git</c>
    /// that is a link or a <c>gitdir:</c> file) is judged by where it really is. Remote URLs are
    /// the remote's business.
    /// </summary>
    private async Task EnsureCloneSourceAsync(Actor actor, string url, CancellationToken cancellationToken)
    {
        var local = LocalCloneSource(url);
        if (local is null)
        {
            return;
        }

        var source = NormalizeRoot(local);
        await EnsurePlaceAsync(actor, source, cancellationToken).ConfigureAwait(false);
        var gitDir = Path.Join(source, ".git");
        string? redirected = null;
        if (File.Exists(gitDir) && new FileInfo(gitDir).LinkTarget is null)
        {
            var text = await ReadPlainFileAsync(gitDir, cancellationToken).ConfigureAwait(false) ?? throw _places.NotAllowed(actor);
            var line = text.Split('\n')[0];
            if (line.StartsWith("gitdir:", StringComparison.Ordinal))
            {
                var target = line["gitdir:".Length..].Trim();
                redirected = Path.IsPathFullyQualified(target) ? target : Path.Join(source, target);
            }
        }
        else if (new FileInfo(gitDir).LinkTarget is not null)
        {
            redirected = gitDir;
        }

        var repository = redirected is null ? (Directory.Exists(gitDir) ? gitDir : source) : Path.TrimEndingDirectorySeparator(PathJail.ResolveReal(Path.GetFullPath(redirected)));
        if (redirected is not null && !IsInside(repository, source))
        {
            await EnsurePlaceAsync(actor, repository, cancellationToken).ConfigureAwait(false);
        }

        // A repository may borrow objects from others (objects/info/alternates), and a clone
        // copies what it borrows: each lender is judged like the source.
        var objects = Path.Join(repository, "objects");
        var alternates = Path.Join(objects, "info", "alternates");
        if (File.Exists(alternates))
        {
            var lines = (await ReadPlainFileAsync(alternates, cancellationToken).ConfigureAwait(false))?.Split('\n')
                ?? throw _places.NotAllowed(actor);
            foreach (var line in lines)
            {
                var entry = line.Trim();
                if (entry.Length == 0 || entry.StartsWith('#'))
                {
                    continue;
                }

                var lender = Path.TrimEndingDirectorySeparator(PathJail.ResolveReal(Path.GetFullPath(Path.IsPathFullyQualified(entry) ? entry : Path.Join(objects, entry))));
                await EnsurePlaceAsync(actor, lender, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A small regular file's text; null for a FIFO, device or anything large, which a clone source has no business holding where git looks.</summary>
    private static async Task<string?> ReadPlainFileAsync(string path, CancellationToken cancellationToken)
    {
        var node = FileNode.Inspect(path);
        if (node.Kind is not (FileNodeKind.RegularFile or FileNodeKind.Unknown) || new FileInfo(path).Length > 64 * 1024)
        {
            return null;
        }

        return await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The directory a local clone URL names, or null for a remote one.</summary>
    private static string? LocalCloneSource(string url)
    {
        if (Path.IsPathFullyQualified(url))
        {
            return url;
        }

        if (url.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            return Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.IsFile
                ? uri.LocalPath
                : throw WrightException.Invalid(ErrorCodes.CloneUrlInvalid, "A file:// URL names an absolute directory on the server, such as file:///home/me/repo.");
        }

        return null;
    }

    private async Task<bool> CanSeeOrAdministerAsync(Actor actor, Project project, CancellationToken cancellationToken) =>
        actor.UserId == Actor.CommandLineId
        || project.OwnerId == actor.UserId
        || await _projects.GetForUserAsync(project.Id, actor.UserId, cancellationToken).ConfigureAwait(false) is not null;

    private static void EnsureEmptyOrMissing(string root)
    {
        if (File.Exists(root) || (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any()))
        {
            throw WrightException.Conflict(ErrorCodes.ProjectPathExists, $"'{root}' already exists and is not empty; open it instead, or choose another path.");
        }
    }

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

    /// <summary>Makes a user-given project root absolute and canonical (no trailing separator, every existing symbolic link resolved).</summary>
    public static string NormalizeRoot(string path)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\0', StringComparison.Ordinal) || !Path.IsPathFullyQualified(path))
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, "A project path must be an absolute directory path.");
        }

        // Every existing component is resolved, not only the last: a path through a linked parent
        // is judged (and stored) by where it really leads.
        return Path.TrimEndingDirectorySeparator(PathJail.ResolveReal(Path.GetFullPath(path)));
    }

    /// <summary>Paths compare case-insensitively where the usual file system does (Windows, macOS).</summary>
    private static StringComparison PathComparison =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    internal static bool PathsEqual(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(a), Path.TrimEndingDirectorySeparator(b), PathComparison);

    /// <summary>True when <paramref name="inner"/> lies strictly below <paramref name="outer"/>.</summary>
    internal static bool IsInside(string inner, string outer)
    {
        var trimmed = Path.TrimEndingDirectorySeparator(outer);
        var prefix = trimmed.EndsWith(Path.DirectorySeparatorChar) ? trimmed : trimmed + Path.DirectorySeparatorChar;
        return inner.Length > prefix.Length && inner.StartsWith(prefix, PathComparison);
    }

    private static string NameFromUrl(string url)
    {
        var last = url.TrimEnd('/', '\\').Split('/', '\\', ':').LastOrDefault() ?? "";
        if (last.EndsWith(".git", StringComparison.OrdinalIgnoreCase))
        {
            last = last[..^4];
        }

        return last.Length == 0 ? "project" : last;
    }

    private static string Slug(string name)
    {
        var chars = name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        var slug = string.Join('-', new string(chars).Split('-', StringSplitOptions.RemoveEmptyEntries));
        return slug.Length == 0 ? "project" : slug;
    }

    /// <summary>A file name for exports: the project's name as a slug.</summary>
    internal static string FileNameOf(Project project) => Slug(project.Name);
}

internal static partial class ProjectLog
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Registered project {ProjectId} at {Root}")]
    public static partial void Registered(ILogger logger, Guid projectId, string root);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Unregistered project {ProjectId} at {Root}")]
    public static partial void Unregistered(ILogger logger, Guid projectId, string root);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Deleted the files of project {ProjectId} at {Root}")]
    public static partial void FilesDeleted(ILogger logger, Guid projectId, string root);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Left {Path} out of the export of project {ProjectId}: {Reason}")]
    public static partial void ExportSkipped(ILogger logger, Guid projectId, string path, string reason);
}
