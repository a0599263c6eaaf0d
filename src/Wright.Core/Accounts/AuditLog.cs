using Wright.Core.Errors;
using Wright.Core.Paging;

namespace Wright.Core.Accounts;

/// <summary>Writes and reads the audit log: security-relevant actions, kept in the database.</summary>
public sealed class AuditLog
{
    private readonly IAuditRepository _entries;
    private readonly TimeProvider _time;

    public AuditLog(IAuditRepository entries, TimeProvider time)
    {
        _entries = entries;
        _time = time;
    }

    /// <summary>Records <paramref name="action"/> by <paramref name="actor"/> (null: an anonymous request, like a failed login).</summary>
    public Task RecordAsync(string action, Actor? actor, string? target, string? detail, CancellationToken cancellationToken, string? address = null)
    {
        var now = AccountClock.Now(_time);
        var entry = new AuditEntry(
            Guid.CreateVersion7(now),
            now,
            action,
            actor?.UserId,
            actor?.UserName,
            target,
            address ?? actor?.Address,
            detail);
        return _entries.AppendAsync(entry, cancellationToken);
    }

    /// <summary>The log, newest first; admins only.</summary>
    public Task<Page<AuditEntry>> ListAsync(Actor actor, PageRequest page, CancellationToken cancellationToken)
    {
        AccountRules.RequireAdmin(actor);
        return _entries.ListAsync(page, cancellationToken);
    }
}

/// <summary>Checks shared by the account services.</summary>
internal static class AccountRules
{
    public const int MaxUserNameLength = 64;
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 1024;

    public static void RequireAdmin(Actor actor)
    {
        if (!actor.IsAdmin)
        {
            throw WrightException.Forbidden(ErrorCodes.AdminRequired, "Only an admin may do this.");
        }
    }

    /// <summary>User names are 1–64 letters, digits, '.', '_' or '-': safe in URLs, logs and the audit log.</summary>
    public static string ValidateUserName(string? userName)
    {
        var trimmed = userName?.Trim() ?? "";
        if (trimmed.Length == 0 || trimmed.Length > MaxUserNameLength || !trimmed.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, $"A user name is 1 to {MaxUserNameLength} ASCII letters, digits, '.', '_' or '-'.");
        }

        return trimmed;
    }

    public static string ValidatePassword(string? password)
    {
        if (password is null || password.Length < MinPasswordLength || password.Length > MaxPasswordLength)
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, $"A password is {MinPasswordLength} to {MaxPasswordLength} characters.");
        }

        return password;
    }
}

/// <summary>Storage keeps milliseconds; trimming here makes a created record equal its stored copy.</summary>
internal static class AccountClock
{
    public static DateTimeOffset Now(TimeProvider time) => DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
}
