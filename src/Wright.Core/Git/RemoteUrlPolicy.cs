using Wright.Core.Accounts;
using Wright.Core.Errors;
using Wright.Core.Hosting;
using Wright.Core.Paging;
using Wright.Core.Projects;
using Wright.Core.Workspace;

namespace Wright.Core.Git;

/// <summary>
/// Decides which remote URLs a user may fetch from and push to. The one place that rule lives:
/// adding a remote, and every fetch, pull and push (a remote may have been written into the
/// repository's configuration behind Wright's back), ask it.
/// </summary>
/// <remarks>
/// Allowed: <c>https://</c>, <c>http://</c>, <c>ssh://</c>, <c>git://</c>, scp-like
/// <c>user@host:path</c>, and local repositories (an absolute path or <c>file:///</c>). Never
/// <c>ext::</c> or any other <c>transport::</c> form (they run commands), nothing git could read as
/// an option. A local path reaches the server's own disk, so for a non-admin it must lie in a project
/// they may use, or else outside Wright's data directory (the database, keys) and every project. The workspace-roots work narrows local paths further (to the user's
/// roots); it belongs in <see cref="ValidateLocalPathAsync"/>.
/// </remarks>
public sealed class RemoteUrlPolicy
{
    private const int MaxUrlLength = 2048;

    private readonly WrightOptions _options;
    private readonly IProjectRepository _projects;

    public RemoteUrlPolicy(WrightOptions options, IProjectRepository projects)
    {
        _options = options;
        _projects = projects;
    }

    /// <summary>Throws <c>remote_url_invalid</c> unless <paramref name="actor"/> may use <paramref name="url"/> as a remote.</summary>
    public async Task ValidateAsync(string? url, Actor actor, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(url)
            || url.Length > MaxUrlLength
            || url[0] == '-'
            || url.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))
            || url.Contains("::", StringComparison.Ordinal)
            || !GitService.IsAllowedTransportUrl(url))
        {
            throw WrightException.Invalid(ErrorCodes.RemoteUrlInvalid, "A remote is an https://, http://, ssh://, git:// or user@host:path URL, or a local repository (an absolute path or file:///), and never starts with '-'.");
        }

        var local = LocalPathOf(url);
        if (local is not null)
        {
            await ValidateLocalPathAsync(local, actor, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ValidateLocalPathAsync(string path, Actor actor, CancellationToken cancellationToken)
    {
        if (actor.IsAdmin)
        {
            return;
        }

        // A repository's .git may be a file naming its real directory elsewhere: both count.
        foreach (var candidate in LocalRepositoryPaths(PathJail.ResolveReal(Path.GetFullPath(path))))
        {
            await ValidateLocalCandidateAsync(candidate, path, actor, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Inside a project: allowed exactly when the actor may use that project. Elsewhere in the
    /// data directory (the database, keys): never. Paths are compared with symlinks resolved.
    /// </summary>
    private async Task ValidateLocalCandidateAsync(string full, string given, Actor actor, CancellationToken cancellationToken)
    {
        string? cursor = null;
        do
        {
            var page = await _projects.ListAsync(new PageRequest(PageRequest.MaxLimit, cursor), includeArchived: true, visibleTo: null, cancellationToken).ConfigureAwait(false);
            foreach (var project in page.Items.Where(p => IsInside(full, PathJail.ResolveReal(p.RootPath))))
            {
                if (await _projects.GetForUserAsync(project.Id, actor.UserId, cancellationToken).ConfigureAwait(false) is null)
                {
                    throw Refused(given);
                }

                return;
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);

        if (IsInside(full, PathJail.ResolveReal(Path.GetFullPath(_options.DataDir))))
        {
            throw Refused(given);
        }
    }

    /// <summary>The path itself and, when it (or its .git) is a gitfile ("gitdir: …"), the directory that names.</summary>
    private static List<string> LocalRepositoryPaths(string full)
    {
        var paths = new List<string> { full };
        foreach (var gitFile in new[] { full, Path.Combine(full, ".git") })
        {
            if (!File.Exists(gitFile))
            {
                continue;
            }

            string firstLine;
            try
            {
                using var reader = new StreamReader(gitFile);
                firstLine = reader.ReadLine() ?? "";
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Unreadable to us is unreadable to git as well: nothing more to check.
                continue;
            }

            if (firstLine.StartsWith("gitdir:", StringComparison.Ordinal))
            {
                var target = firstLine["gitdir:".Length..].Trim();
                var directory = Path.GetDirectoryName(gitFile) ?? full;
                paths.Add(PathJail.ResolveReal(Path.GetFullPath(Path.IsPathFullyQualified(target) ? target : Path.Combine(directory, target))));
            }
        }

        return paths;
    }

    private static WrightException Refused(string path) =>
        WrightException.Invalid(ErrorCodes.RemoteUrlInvalid, $"'{path}' is a local path you may not use as a remote (Wright's data directory, or a project that is not yours). Use a URL, or a repository of your own.");

    private static string? LocalPathOf(string url)
    {
        if (Path.IsPathFullyQualified(url))
        {
            return url;
        }

        return url.StartsWith("file://", StringComparison.OrdinalIgnoreCase) && Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.LocalPath : null;
    }

    private static bool IsInside(string path, string root)
    {
        var trimmed = Path.TrimEndingDirectorySeparator(root);
        return path.Equals(trimmed, StringComparison.Ordinal) || path.StartsWith(trimmed + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }
}
