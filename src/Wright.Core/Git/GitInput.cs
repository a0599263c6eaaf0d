using System.Text.RegularExpressions;
using Wright.Core.Errors;

namespace Wright.Core.Git;

/// <summary>
/// Checks what a client hands to git before git sees it. Every value lands in an argument list
/// (never a shell), but a value starting with <c>-</c> would still be read as an option
/// (<c>--upload-pack=…</c>, <c>--output=…</c>), so those are refused outright.
/// </summary>
internal static partial class GitInput
{
    private const int MaxRevisionLength = 256;
    private const int MaxPathLength = 4096;
    private const int MaxMessageLength = 64 * 1024;
    private const int MaxTrailerValueLength = 4096;

    /// <summary>A commit-ish the client names: a sha, a branch, <c>HEAD~2</c>. Resolving it is git's job.</summary>
    public static string Revision(string? value)
    {
        if (string.IsNullOrEmpty(value)
            || value.Length > MaxRevisionLength
            || value[0] == '-'
            || value.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))
            || value.Contains("..", StringComparison.Ordinal))
        {
            throw WrightException.Invalid(ErrorCodes.RefInvalid, "A revision is a commit sha or a branch name of up to 256 characters, without whitespace or '..', not starting with '-'.");
        }

        return value;
    }

    /// <summary>The syntax checks of a branch name that need no git; <c>git check-ref-format --branch</c> does the rest.</summary>
    public static string BranchName(string? value)
    {
        if (string.IsNullOrEmpty(value)
            || value.Length > MaxRevisionLength
            || value[0] == '-'
            || value == "HEAD"
            || value.Any(char.IsControl))
        {
            throw InvalidBranchName(value);
        }

        return value;
    }

    public static WrightException InvalidBranchName(string? value) =>
        WrightException.Invalid(ErrorCodes.BranchNameInvalid, $"'{value}' is not a valid branch name: see 'git check-ref-format' (no spaces, '..', '~', '^', ':', and not starting with '-').");

    /// <summary>
    /// A path relative to the repository root, with '/' separators. The files feature owns the
    /// full path jail; these are the rules git operations need so a path cannot leave the
    /// repository or reach into <c>.git</c>.
    /// </summary>
    public static string RelativePath(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxPathLength || value.Any(char.IsControl) || value.Contains('\\', StringComparison.Ordinal))
        {
            throw WrightException.Invalid(ErrorCodes.PathInvalid, "A path is relative to the project root, uses '/' and has no control characters.");
        }

        var segments = value.Split('/');
        if (value[0] == '/' || Path.IsPathRooted(value) || segments.Any(s => s == ".."))
        {
            throw WrightException.Invalid(ErrorCodes.PathOutsideProject, $"'{value}' is outside the project: paths are relative to the project root and have no '..'.");
        }

        if (segments.Any(s => s.Equals(".git", StringComparison.OrdinalIgnoreCase)))
        {
            throw WrightException.Invalid(ErrorCodes.PathInsideGit, $"'{value}' is inside .git, which Wright never touches directly.");
        }

        return value;
    }

    public static string CommitMessage(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxMessageLength || value.Contains('\0', StringComparison.Ordinal))
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, $"A commit message is non-empty text of at most {MaxMessageLength} characters.");
        }

        return value;
    }

    public static (string Key, string Value) Trailer(string key, string? value)
    {
        if (!TrailerKeyPattern().IsMatch(key))
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, $"Trailer key '{key}' must be letters, digits and '-' (for example 'Wright-Prompt').");
        }

        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxTrailerValueLength || value.Any(char.IsControl))
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, $"Trailer '{key}' needs a one-line value of at most {MaxTrailerValueLength} characters.");
        }

        return (key, value.Trim());
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]{0,99}$", RegexOptions.CultureInvariant)]
    private static partial Regex TrailerKeyPattern();
}
