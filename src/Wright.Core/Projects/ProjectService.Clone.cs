using Wright.Core.Accounts;
using Wright.Core.Git;

namespace Wright.Core.Projects;

/// <summary>A clone that passed every check and may start: the source, the project's name and its directory.</summary>
public sealed record CloneTarget(string Url, string Name, string Root);

public sealed partial class ProjectService
{
    /// <summary>
    /// Checks a clone before it starts (the URL, the name, the destination and, for a local source,
    /// that the actor may read it), so a caller that runs the clone in the background can refuse at once.
    /// </summary>
    public async Task<CloneTarget> PrepareCloneAsync(Actor actor, string url, string? path, string? name, CancellationToken cancellationToken)
    {
        GitService.ValidateCloneUrl(url);
        var cleanName = ValidateName(name ?? NameFromUrl(url));
        var root = path is null ? Path.Combine(_options.ProjectsDir, Slug(cleanName)) : NormalizeRoot(path);
        await EnsurePlaceAsync(actor, root, cancellationToken).ConfigureAwait(false);
        await EnsureCloneSourceAsync(actor, url, cancellationToken).ConfigureAwait(false);
        EnsureEmptyOrMissing(root);
        return new CloneTarget(url, cleanName, root);
    }

    /// <summary>
    /// Clones into a hidden directory beside the target, outside the registration lock (a slow or
    /// stalled clone holds up nobody else's project), then moves it into place and registers it.
    /// Failed or cancelled, it leaves neither a directory nor a project behind.
    /// </summary>
    public async Task<Project> CloneAsync(Actor actor, CloneTarget target, IProgress<GitTransferProgress>? progress, CancellationToken cancellationToken)
    {
        var parent = Path.GetDirectoryName(target.Root) ?? target.Root;
        var staging = Path.Combine(parent, $".{Path.GetFileName(target.Root)}.cloning-{Guid.NewGuid():N}");
        try
        {
            await _git.CloneAsync(target.Url, staging, progress, cancellationToken).ConfigureAwait(false);
            return await RegisterAsync(actor, target.Name, target.Root, () =>
            {
                // Checked again: the target may have been filled while the clone ran.
                EnsureEmptyOrMissing(target.Root);
                if (Directory.Exists(target.Root))
                {
                    Directory.Delete(target.Root);
                }

                Directory.Move(staging, target.Root);
                return Task.CompletedTask;
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                ProjectDirectory.Delete(staging);
            }
        }
    }
}
